/**
 * The device plug-in seam, and the devices (one subpackage each).
 *
 * <p>Models: a machine configuration lists {@link org.jdma.machine.dev.DeviceSpec}s (name, kind,
 * options, placement: a PCI slot or legacy resources); the board makes each device through its
 * {@link org.jdma.machine.dev.DeviceKind} and hands it the {@link org.jdma.machine.dev.DeviceContext}
 * its placement calls for. A PCI device gets its requester id, the event kernel, its
 * {@link org.jdma.machine.bus.DmaPort} (its only path to memory) and the MMIO space its BARs decode
 * in, and extends {@link org.jdma.machine.pci.PciEndpoint}, which does the configuration space,
 * BARs, MSI/MSI-X and bus-master enable once for every device. A legacy device gets its I/O
 * ports, IRQ line and DMA channels, implements {@link org.jdma.machine.legacy.LegacyDevice}, and is
 * plugged into the legacy bus, which grants its resources. Each device package exports one
 * {@code KIND} constant whichever bus it sits on. Does not model: hot plug (the device set is
 * fixed when the machine is built).
 *
 * <p>Dependencies: {@code dev} uses {@code legacy}'s resource vocabulary for placements;
 * {@code pci} uses {@code dev} (an endpoint is a device); device packages use both.
 * {@code legacy} does not use {@code dev}, so there is no cycle.
 *
 * <p>Invariant: nothing software writes into a device's registers or its in-memory structures can
 * make the device throw; bad input ends in an error status the driver can read.
 */
package org.jdma.machine.dev;
