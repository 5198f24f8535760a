/**
 * The {@code hardware} crate's DMA API ({@code src/dma}: {@code DmaEngine}, {@code DmaBuffer},
 * {@code Descriptor}, {@code mapping}; {@code src/iommu}: {@code IommuController}), as adapters:
 * {@link org.jdma.kernel.compat.hardware.DmaEngine} over the copy engine's ring
 * ({@link org.jdma.kernel.drivers.memcpy.CopyRing}, the shared ring protocol) and the device's DMA
 * API; {@link org.jdma.kernel.compat.hardware.IommuController} over the VT-d driver's domain of one
 * device; the virtual-to-physical {@link org.jdma.kernel.compat.hardware.MappingTable}. The crate's
 * {@code DmaBuffer} and {@code Descriptor} are the kernel's own ({@link org.jdma.kernel.mm.DmaBuffer},
 * {@link org.jdma.kernel.drivers.memcpy.Descriptor}).
 *
 * <p>Models: a ring of N (power of two) slots in coherent memory that any number of threads submit
 * to and drain at once (slots claimed by compare-and-set and published to the device in order),
 * each a 64-byte descriptor and a 32-byte completion record in the copy engine's format, published
 * by one release-ordered doorbell per batch and reaped by acquire-reading each completion status;
 * {@code submitBuffer} mapping through the DMA API (or the crate's controller) and undoing the
 * mapping when the ring is full; a 64-entry mapping table; free-safety (a buffer with a descriptor
 * in flight or a live mapping refuses to be freed). Does not model: descriptor chains, the crate's
 * SMMU probe (this machine has no device tree).
 *
 * <p>Invariant: the ring holds at most capacity - 1 descriptors; the device runs them in
 * submission order; each drains once, with the status the device wrote for it, and one drain call
 * returns consecutive descriptors, oldest first; every mapping {@code submitBuffer}
 * made is undone by {@code unmapDescriptor}, {@code unmapIova} or the engine's close.
 */
package org.jdma.kernel.compat.hardware;
