/**
 * Driver for the CRC-32 offload engine ({@link org.jdma.kernel.drivers.crc32.Crc32Driver}): the
 * example PCI driver that {@code docs/ADDING-A-DEVICE.md} walks through. One BAR, one MSI-X
 * vector, one DMA read (the input, a streaming mapping TO_DEVICE) and one DMA write (the result,
 * into coherent memory), all through its driver context and the DMA API.
 *
 * <p>Models: probe (version check, DMA mask, bus mastering, coherent result slot, MSI-X vector),
 * one operation at a time with interrupt-driven completion, device errors as
 * {@link org.jdma.kernel.drivers.crc32.Crc32Result} values. Does not model: queueing several
 * operations, polling completion, inputs split across several mappings.
 *
 * <p>Invariant: the input is mapped for the device from START until the completion interrupt has
 * been seen, and unmapped after; the result slot is read only after the interrupt.
 */
package org.jdma.kernel.drivers.crc32;
