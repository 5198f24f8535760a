/**
 * The VT-d DMA remapping hardware of the machine: one {@link org.jdma.machine.iommu.vtd.VtdUnit}
 * per DRHD of the firmware's DMAR, at the DRHD's register base, translating the DMA of the
 * devices its scope covers ({@link org.jdma.machine.iommu.vtd.DrhdCoverage}).
 *
 * <p>Models (Intel VT-d spec rev 4.x): the register page (§10.4) with reserved bits reading zero,
 * read-only bits ignoring writes, write-1-to-clear status and self-clearing command bits; legacy
 * root/context tables and 3- or 4-level second-level paging with 2 MiB and 1 GiB pages (§3, §9);
 * a context cache and a set-associative IOTLB that keep stale entries until invalidated;
 * register-based (CCMD, IOTLB/IVA) and queued invalidation (context-cache, IOTLB, wait with status
 * write and interrupt, §6.5); primary fault logging with overflow, FPD-qualified faults and the
 * fault-event interrupt (§7); pass-through contexts (ECAP.PT); interrupt remapping in xAPIC mode
 * (§5.1, §9.10: IRTA, both request formats, source-id validation, an interrupt entry cache
 * invalidated by the IEC descriptor, faults 0x20-0x26), {@code InterruptRemapper}.
 *
 * <p>One class per structure or job: {@link org.jdma.machine.iommu.vtd.VtdUnit} (wiring, the
 * GCMD/GSTS protocol, the lock), {@code VtdRegisterPage} (the register table), {@code DmaRemapper}
 * (root/context fetch and the second-level walk), {@code ContextCache} and {@code Iotlb} (the
 * caches), {@code FaultRecorder} and {@code EventInterrupt} (fault records, FSTS, the event
 * interrupts), {@code CacheInvalidator} (CCMD, IOTLB/IVA) and {@code InvalidationQueue} (§6.5.2).
 * A blocked request reaches the bus as a generic {@link org.jdma.machine.bus.FaultReason} with the
 * VT-d reason as its detail, one table for all reasons ({@code VtdFaultKinds}).
 *
 * <p>Does not model: scalable mode and first-level tables, posted interrupts and x2APIC (EIM), device IOTLBs
 * (ATS, so fault 0xD "blocked by TT", which only translation requests raise, never occurs),
 * advanced fault logging (GCMD.SFL is ignored), protected memory regions, page requests, fault
 * compression, caching of not-present entries under CAP.CM (CM only tells software to invalidate
 * after making entries present, which is always safe here), paging-structure caches (IVA.IH has
 * no effect). Register commands (GCMD, CCMD, IOTLB) complete at the register write that starts
 * them, their cost counted, not waited for; in the invalidation queue each invalidation keeps the
 * unit busy for its modeled time, and a wait descriptor completes only after that time.
 *
 * <p>Invariant: nothing software writes to the registers or into the tables and queue in memory
 * makes the unit throw: a bad table blocks the request with the spec's fault reason and records
 * it; a bad descriptor stops the queue with FSTS.IQE. A translation the unit has cached is used
 * until software invalidates it.
 */
package org.jdma.machine.iommu.vtd;
