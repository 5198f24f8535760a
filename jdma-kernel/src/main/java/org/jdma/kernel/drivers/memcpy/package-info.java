/**
 * Driver for the machine's copy engine (PCI 8086:0b25) and the engine's own formats: binds to
 * the device by its PCI ids ({@link org.jdma.kernel.drivers.memcpy.CopyEngineDriver#driver}),
 * programs its registers over MMIO, takes its MSI-X vectors from its driver context, keeps its descriptor ring
 * ({@link org.jdma.kernel.drivers.memcpy.CopyRing}: the shared ring protocol of
 * {@code kernel.ring} in the engine's format, {@link org.jdma.kernel.drivers.memcpy.CopyRingLayout},
 * in coherent memory), and offers copy, fill and compare with interrupt-driven or polled
 * completion, asynchronous batches, scatter-gather copies of mapped
 * {@link org.jdma.kernel.dma.ScatterList}s as one device BATCH with one completion, descriptor
 * chains ending in LAST as one CHAIN with one completion ({@link org.jdma.kernel.drivers.memcpy.ChainCopy}),
 * and DRAIN. Each engine's probe registers one DMA channel with the kernel's channel allocator
 * ({@code CopyEngineChannel}, {@link org.jdma.kernel.dmaengine}), so clients can drive every
 * engine of the machine. The DSA
 * descriptor model ({@link org.jdma.kernel.drivers.memcpy.Descriptor}) and its codec
 * ({@link org.jdma.kernel.drivers.memcpy.DescriptorCodec}) live here because they are this
 * device's format.
 *
 * <p>Models what a real driver does and only that: it talks to the device through its
 * {@link org.jdma.kernel.driver.DriverContext} (BAR0, MSI-X vectors, RAM, the clock) and gets every device
 * address (ring, completion records, batch lists, buffers) from its DMA API
 * ({@link org.jdma.kernel.dma.DeviceDmaApi}), so a checker in front of the kernel's DMA API sees
 * all of them. Does not model: more than one ring per device, power management.
 *
 * <p>Invariant: a device-reported error (a completion status, a halted engine) reaches the caller
 * as a result value, never as an exception; after a halt, a reset brings the engine back; every
 * buffer mapped for an operation is unmapped when the operation returns.
 */
package org.jdma.kernel.drivers.memcpy;
