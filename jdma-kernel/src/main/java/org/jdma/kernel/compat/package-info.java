/**
 * The compatibility root: the APIs of the systems jdma was built from, kept working as thin
 * adapters over the kernel's own services, one subpackage per API:
 * <ul>
 *   <li>{@code compat.hardware}: the {@code hardware} crate's {@code dma} and {@code iommu}
 *       modules ({@code DmaEngine} with its 128-entry ring, {@code MappingTable},
 *       {@code IommuController});</li>
 *   <li>{@code compat.veridian}: VeridianOS's {@code drivers::iommu} module
 *       ({@code VeridianIommu}, {@code ScatterGatherList}, {@code DmaMappedBuffer}, ...);</li>
 *   <li>{@code compat.dmaapi}: the {@code dma-api} crate's typed containers ({@code DmaOp},
 *       {@code DArray}, {@code DBox}, {@code SArrayPtr}, ...).</li>
 * </ul>
 *
 * <p>Models: their names, call shapes and documented behaviour, with their bugs fixed (each class
 * says which). Every device address they hand out comes from the DMA API ({@code kernel.dma}) or,
 * for the two IOMMU facades that expose IOVA windows of their own, from the generic IOMMU layer's
 * one map-with-roll-back sequence ({@code kernel.iommu.IovaMapper}). Does not model: the
 * originals' module-level singletons beyond the one {@code DmaEngine.init} the crate documents.
 *
 * <p>Invariant: nothing here holds device-visible state the kernel's services do not know about;
 * new kernel code depends on {@code dma}, {@code ring} and {@code iommu}, never on this package.
 */
package org.jdma.kernel.compat;
