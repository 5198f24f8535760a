/**
 * Driver for the machine's copy engine (PCI 8086:0b25), built on
 * {@link org.jdma.kernel.compat.hardware.DmaEngine}: finds the device by PCI ids, programs its registers and
 * MSI-X table over MMIO, and offers copy, fill and compare with interrupt-driven or polled
 * completion, plus asynchronous batches, and scatter-gather copies of mapped
 * {@link org.jdma.kernel.dma.ScatterList}s as one device BATCH with one completion.
 *
 * <p>Models what a real driver does and only that: it talks to the device through
 * {@link org.jdma.platform.Platform} (MMIO, RAM, interrupts, the clock). Does not model: more than
 * one ring per device, IOMMU mappings for the ring, power management.
 *
 * <p>Invariant: a device-reported error (a completion status, a halted engine) reaches the caller
 * as a result value, never as an exception; after a halt, a reset brings the engine back.
 */
package org.jdma.kernel.drivers.memcpy;
