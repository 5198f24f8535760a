/**
 * The device plug-in seam, and the devices (one subpackage each).
 *
 * <p>Models: a machine configuration lists {@link org.jdma.machine.dev.DeviceSpec}s (name, kind,
 * options, placement); the board makes each device through its {@link org.jdma.machine.dev.DeviceKind}
 * and hands it a {@link org.jdma.machine.dev.DeviceContext}: its requester id, the event kernel,
 * its {@link org.jdma.machine.bus.DmaPort} (its only path to memory) and the MMIO space its BARs
 * decode in. A PCI device extends {@link org.jdma.machine.pci.PciEndpoint}, which does the
 * configuration space, BARs, MSI/MSI-X and bus-master enable once for every device. Does not
 * model: hot plug (the device set is fixed when the machine is built).
 *
 * <p>Invariant: nothing software writes into a device's registers or its in-memory structures can
 * make the device throw; bad input ends in an error status the driver can read.
 */
package org.jdma.machine.dev;
