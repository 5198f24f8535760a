/**
 * The kernel's IOMMU subsystem: which domain serves each device ({@link org.jdma.kernel.iommu.Iommu},
 * {@link org.jdma.kernel.iommu.IommuSubsystem}), what a domain offers the mapping layer
 * ({@link org.jdma.kernel.iommu.IommuDomain}), the one alloc-IOVA / map / roll-back sequence
 * every user of a domain goes through ({@link org.jdma.kernel.iommu.IovaMapper}), and the faults
 * the hardware reports ({@link org.jdma.kernel.iommu.IommuFault}). Device addresses for drivers
 * come from the DMA API ({@code kernel.dma}), whose IOMMU backend sits on this package.
 *
 * <p>Modeled: Intel VT-d in legacy mode ({@code vtd}), IOVA allocation ({@code iova}), default
 * domains per device (DMA strict or lazy, or identity), RMRR identity maps. Not modeled: IOMMU
 * groups (each endpoint is its own group), AMD-Vi/SMMU, scalable mode, SVA, nested translation,
 * interrupt remapping.
 *
 * <p>Invariant: a unit's translation is enabled only after every covered device has a context
 * entry and every RMRR is identity-mapped in its device's domain; from then on no unmapped IOVA is
 * handed out again before the hardware's caches were invalidated for it.
 */
package org.jdma.kernel.iommu;
