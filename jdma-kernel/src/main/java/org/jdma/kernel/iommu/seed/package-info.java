/**
 * The IOMMU APIs of two seeds, as thin facades over the kernel's real VT-d driver: seed 000's
 * {@code IommuController} (the {@code hardware} crate) and seed 003's {@code iommu} module
 * (VeridianOS: {@link org.jdma.kernel.iommu.seed.VeridianIommu}, {@code ScatterGatherList},
 * {@code DmaCoherency}, {@code DmaMappedBuffer}, {@code IommuContextTable}).
 *
 * <p>Models: the seeds' names and call shapes, so code written against them reads the same; every
 * call lands in the driver (IOVA allocator, page tables, invalidation, fault reporting), so an
 * IOVA these facades hand out is translated by the emulated unit and nothing else.
 * Does not model: the seeds' bugs (checklist rows 40-69 say which and how each is fixed, and the
 * Javadoc of each method names the row), SMMU (there is no device tree on this machine), the seeds'
 * module-level singletons (a facade is an object bound to one booted kernel).
 *
 * <p>Invariant: a facade holds no translation state of its own that could disagree with the
 * hardware: what it reports as mapped is what the driver's tables map, and every failure rolls
 * back what the call allocated.
 */
package org.jdma.kernel.iommu.seed;
