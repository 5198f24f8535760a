/**
 * VeridianOS's {@code drivers::iommu} module as a thin facade over the kernel's DMAR parser and
 * VT-d driver: {@link org.jdma.kernel.compat.veridian.VeridianIommu} (init, DMAR info, unit and
 * identity-domain setup, identity maps, DMA buffers), {@link org.jdma.kernel.compat.veridian.ScatterGatherList}
 * (over the DMA API's {@link org.jdma.kernel.dma.ScatterList}), {@code DmaCoherency},
 * {@code DmaMappedBuffer}, {@code DmarInfo}, {@code IommuUnit}, {@code IommuContextTable}; and its
 * network buffer pool, {@link org.jdma.kernel.compat.veridian.DmaBufferPool} (fixed size, reference
 * counted, with statistics).
 *
 * <p>Models: the module's names and call shapes, so code written against them reads the same;
 * every call lands in the driver (IOVA allocator, page tables, invalidation, fault reporting), so
 * an IOVA the facade hands out is translated by the emulated unit and nothing else. Does not
 * model: the module's bugs and stubs (each class says which it fixes and how), its module-level
 * statics (a facade is an object bound to one booted kernel).
 *
 * <p>Invariant: the facade holds no translation state of its own that could disagree with the
 * hardware: what it reports as mapped is what the driver's tables map, and every failure rolls
 * back what the call allocated.
 */
package org.jdma.kernel.compat.veridian;
