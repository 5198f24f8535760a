/**
 * Device models. Each device is a PCI function with an MMIO register file and a
 * {@link org.jdma.machine.bus.DmaPort}, its only path to memory.
 *
 * <p>Invariant: nothing software writes into a device's registers or its in-memory structures can
 * make the device throw; bad input ends in an error status the driver can read.
 */
package org.jdma.machine.dev;
