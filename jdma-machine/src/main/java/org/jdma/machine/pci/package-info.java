/**
 * PCI: what every PCI device of the machine shares, and the host bridge that reaches them.
 *
 * <p>Models: each function's 4 KiB configuration space with per-bit access kinds
 * ({@link org.jdma.machine.pci.ConfigSpace}); the endpoint base class every device extends
 * ({@link org.jdma.machine.pci.PciEndpoint}: Command and Status, memory BARs with the sizing
 * protocol and decoding that follows BAR writes and Memory Space Enable, the capability list, MSI
 * and MSI-X with table, pending bits and masking, bus-master enable gating the device's DMA port,
 * conventional reset); PCI-to-PCI bridges with a type 1 header ({@link org.jdma.machine.pci.PciBridge});
 * the chipset's LPC bridge at 00:1f.0, an ISA bridge the legacy bus sits behind
 * ({@link org.jdma.machine.pci.LpcBridge}); the ECAM window of segment 0
 * ({@link org.jdma.machine.pci.Ecam}); firmware's BAR assignment
 * ({@link org.jdma.machine.pci.BarAllocator}); each segment's bus hierarchy and the path from a root
 * bus to any function that VT-d device scopes write ({@link org.jdma.machine.pci.PciTopology}).
 * Specifications: PCI Local Bus 3.0 (§6.1-§6.8), PCI-to-PCI Bridge Architecture 1.2 (§3.2), PCI
 * Express Base 4.0 (§7.2.2).
 *
 * <p>Does not model: I/O BARs, expansion ROMs, INTx (legacy interrupt pins), PCI Express
 * capabilities and extended capabilities (AER, ATS, SR-IOV, ARI), bridge forwarding windows and bus
 * renumbering at run time, more than one segment's configuration space, hot plug.
 *
 * <p>Invariants: no configuration or MMIO access software makes throws; a BAR decodes exactly
 * while Memory Space Enable is set and its window overlaps nothing else; a function's DMA port
 * carries traffic only while Bus Master Enable is set (a device that is hostile by design may opt
 * out); in a {@link org.jdma.machine.pci.PciTopology}, bridge bus ranges nest or are disjoint, so a
 * reachable function has exactly one path.
 */
package org.jdma.machine.pci;
