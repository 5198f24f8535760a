/**
 * The kernel's generic IOMMU layer (Linux {@code drivers/iommu/iommu.c} and {@code dma-iommu.c}):
 * which domain serves each device ({@link org.jdma.kernel.iommu.Iommu},
 * {@link org.jdma.kernel.iommu.IommuSubsystem}: default domains, attach, fault listeners), what a
 * domain offers ({@link org.jdma.kernel.iommu.IommuDomain}), the one alloc-IOVA / map / roll-back
 * sequence every user of a domain goes through ({@link org.jdma.kernel.iommu.IovaMapper}), the
 * lazy-unmap flush queue ({@link org.jdma.kernel.iommu.FlushQueue}: a ring per CPU, one pair of
 * flush counters and one timer per domain), and the faults the hardware reports
 * ({@link org.jdma.kernel.iommu.IommuFault}). Device addresses for drivers come from the DMA API
 * ({@code kernel.dma}), whose IOMMU backend sits on this package.
 *
 * <p>Hardware drivers plug in underneath through {@link org.jdma.kernel.iommu.IommuDriver} (Linux
 * {@code struct iommu_ops}): the boot code hands the layer a driver's probe, and this package
 * never names a driver. The VT-d driver is {@code iommu.vtd}; it depends on this package, never
 * the other way round.
 *
 * <p>Modeled: IOVA allocation ({@code iova}, magazines per CPU), lazy unmap queued per CPU,
 * default domains per device (DMA strict or lazy, or identity), reserved-region identity maps
 * (VT-d RMRRs), one hardware driver at a time. Not modeled: IOMMU groups (each endpoint is its
 * own group), AMD-Vi/SMMU, scalable mode, SVA, nested translation, interrupt remapping.
 *
 * <p>Invariant: a unit's translation is enabled only after every covered device has a context
 * entry and every RMRR is identity-mapped in its device's domain; from then on no unmapped IOVA is
 * handed out again before the hardware's caches were invalidated for it.
 */
package org.jdma.kernel.iommu;
