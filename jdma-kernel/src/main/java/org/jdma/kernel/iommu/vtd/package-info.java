/**
 * The VT-d driver (Linux {@code drivers/iommu/intel/}): {@link org.jdma.kernel.iommu.vtd.VtdIommuDriver}
 * is what the generic IOMMU layer sees (an {@link org.jdma.kernel.iommu.IommuDriver}: it reads the
 * DMAR, brings the units up and answers which unit and which RMRRs serve a device), over one
 * {@link org.jdma.kernel.iommu.vtd.VtdUnitDriver} per remapping unit, programmed only through its
 * MMIO registers and the tables it reads from memory ({@link org.jdma.kernel.iommu.vtd.TableMemory}: written through the CPU, cleaned when the
 * unit's walks do not snoop); second-level page tables
 * ({@link org.jdma.kernel.iommu.vtd.SecondLevelPageTable}); domains
 * ({@link org.jdma.kernel.iommu.vtd.VtdDomain}), which queue lazy unmaps in the generic layer's
 * {@link org.jdma.kernel.iommu.FlushQueue}. Bit layouts come only from the shared datasheet
 * package {@code org.jdma.spec.vtd}.
 *
 * <p>The unit driver is split by job: register access and the GCMD protocol ({@code UnitRegisters}),
 * root and context tables ({@code ContextTables}), register-based and queued invalidation
 * ({@code RegisterInvalidator}, {@code QueuedInvalidator} behind {@code Invalidator}), and fault
 * handling ({@code VtdFaultHandler}), which reports each fault as a generic
 * {@link org.jdma.kernel.iommu.IommuFault} with the VT-d reason as detail ({@code VtdFaultDecoder}).
 *
 * <p>Modeled: legacy root/context tables, 3- and 4-level second-level tables with 2 MiB/1 GiB
 * pages, register-based and queued invalidation (context cache, IOTLB global/domain/page, wait
 * descriptors with status write), primary fault logging with the fault-event MSI, pass-through,
 * interrupt remapping ({@code InterruptRemapTable}: one remapping entry per MSI/MSI-X vector, IEC on
 * every change). Not modeled: scalable mode and PASIDs, first-level tables, device IOTLBs (ATS),
 * advanced fault logging, posted interrupts, x2APIC mode, protected memory regions, write-buffer flushing (CAP.RWBF units).
 *
 * <p>Invariant: a table page, a context table or an IOVA is freed or reused only after the unit's
 * caches were invalidated for it (strict: before unmap returns; lazy: after a completed flush).
 */
package org.jdma.kernel.iommu.vtd;
