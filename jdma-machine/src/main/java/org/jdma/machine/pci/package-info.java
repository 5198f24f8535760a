/**
 * PCI identity and hierarchy of devices: requester ids (segment:bus:device.function), the
 * functions enumeration finds (endpoints and PCI-to-PCI bridges with their secondary and
 * subordinate bus numbers), and each segment's {@link org.jdma.machine.pci.PciTopology}: which
 * bridge leads to which bus, and so the path from a root bus to any function that VT-d device
 * scopes write.
 *
 * <p>Models: the requester id every DMA carries; each function's vendor/device/class, its memory
 * BAR or, for a bridge, its bus range. Does not model: configuration-space registers as such
 * (capabilities, command/status), bridge memory windows, ARI, SR-IOV, or bus renumbering at run
 * time.
 *
 * <p>Invariant: in a {@link org.jdma.machine.pci.PciTopology}, bridge bus ranges nest or are
 * disjoint and every bridge sits on a root bus or on its parent's secondary bus, so a reachable
 * function has exactly one path; a bridge's buses lie above its own bus.
 */
package org.jdma.machine.pci;
