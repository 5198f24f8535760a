package org.jdma.kernel.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.*;

import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.kernel.iommu.IommuFaultListener;
import org.jdma.kernel.iommu.InterruptRemapper;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.platform.Cpu;
import org.jdma.platform.Platform;
import org.jdma.spec.pci.RequesterId;
import org.jdma.spec.vtd.VtdCapabilityLayout;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdFaultReason;

/**
 * Driver of one DMA remapping unit (one DRHD), in legacy mode, programmed only through its
 * registers ({@link org.jdma.spec.vtd.VtdRegisterLayout}) and the tables it reads from
 * memory, following Linux {@code drivers/iommu/intel/} and the VT-d spec:
 *
 * <ol>
 *   <li>{@link #probe}: VER (all ones or zero: nothing answers, the unit is absent), CAP, ECAP;</li>
 *   <li>{@link #init}: root table → RTADDR, GCMD.SRTP, poll GSTS.RTPS (§10.4.4/§10.4.6); queued
 *       invalidation when ECAP.QI (IQT = 0, IQA, GCMD.QIE, poll GSTS.QIES; §6.5.2); global
 *       context-cache and IOTLB invalidation; the fault event MSI (FEDATA/FEADDR/FEUADDR, FECTL.IM
 *       cleared; §7.3);</li>
 *   <li>context entries ({@link #setContext}, {@link #clearContext}) with the invalidations §6.5.3.3
 *       asks for: context cache (device-selective), then IOTLB (domain-selective);</li>
 *   <li>with interrupt remapping asked for and ECAP.IR (and QI), the interrupt remapping table
 *       ({@link InterruptRemapTable}): IRTA, SIRTP, a global IEC, IRE, CFI cleared; before
 *       translation is enabled, as Linux enables it at boot before DMA remapping;</li>
 *   <li>{@link #enableTranslation}: GCMD.TE, poll GSTS.TES — after the caller mapped the RMRRs.</li>
 * </ol>
 *
 * <p>Every GCMD write is the shadow of the persistent bits (TE, QIE) plus at most one one-shot
 * command, since GCMD is write-only and a write sets every command bit at once (Linux
 * {@code iommu->gcmd}). Status polls let virtual time pass and give up after
 * {@value #OPERATION_TIMEOUT_NS} ns, naming the register (Linux {@code IOMMU_WAIT_OP}).
 *
 * <p>Parts: register access and the command protocol ({@link UnitRegisters}), the root and
 * context tables ({@link ContextTables}), invalidation through the registers
 * ({@link RegisterInvalidator}) or the queue ({@link QueuedInvalidator}), and fault handling
 * ({@link VtdFaultHandler}). This class is the driver's API: bring-up, domain ids, context
 * entries with the invalidations they need, the invalidation policy, and the lock.
 *
 * <p>Invalidations go through the invalidation queue (descriptors, then an invalidation-wait
 * descriptor with a status write the driver polls) when QI is enabled, else through CCMD and the
 * IOTLB registers. Page-selective IOTLB invalidation falls back to domain-selective when the unit
 * has no PSI or the mask exceeds CAP.MAMV (Linux {@code iommu_flush_iotlb_psi}).
 *
 * <p>Threads: operations that program the unit are synchronized on the driver (monitors are
 * re-entrant, so the fault handler and timers that run inside a register poll on the same thread
 * may enter); the kernel drives the machine's clock from one thread at a time.
 */
public final class VtdUnitDriver implements AutoCloseable {

    /** How long a status poll waits, in virtual time, before it reports the unit as stuck. */
    public static final long OPERATION_TIMEOUT_NS = 10_000_000L;
    /** VER when nothing answers at the register base (master abort). */
    private static final int VER_ABSENT_ONES = 0xFFFF_FFFF;

    /** Counters of what the driver asked of the unit. */
    public record Stats(long contextInvalidations, long iotlbGlobal, long iotlbDomain, long iotlbPage,
                        long psiFallbacks, long waitDescriptors, long faults, long faultOverflows) { }

    private final Platform platform;
    private final long base;
    private final int segment;
    private final int version;
    private final long cap;
    private final long ecap;
    private final TableMemory memory;
    private final UnitRegisters regs;
    private final BitSet domainIds;
    private final VtdFaultHandler faultHandler;
    private final RegisterInvalidator registerInvalidator;
    /** The queue while queued invalidation is on (after {@link #init} on an ECAP.QI unit), else null. */
    private QueuedInvalidator queue;
    private Invalidator invalidator;
    /** The interrupt remapping table while interrupt remapping is on, else null. */
    private InterruptRemapTable interruptTable;
    /** The root and context tables, from {@link #init} on. */
    private ContextTables tables;
    private boolean initialised;
    /** Nesting depth of operations that program the unit (timers must not interleave with them). */
    private int busy;

    private long contextInvalidations;
    private long iotlbGlobal;
    private long iotlbDomain;
    private long iotlbPage;
    private long psiFallbacks;

    private VtdUnitDriver(Platform platform, TableMemory memory, long base, int segment, int version, long cap, long ecap) {
        this.platform = platform;
        this.memory = memory;
        this.base = base;
        this.segment = segment;
        this.version = version;
        this.cap = cap;
        this.ecap = ecap;
        this.regs = new UnitRegisters(platform.cpu(), platform.clock(), base);
        this.faultHandler = new VtdFaultHandler(regs, platform.clock(), cap, segment);
        this.registerInvalidator = new RegisterInvalidator(regs, cap, ecap);
        this.invalidator = registerInvalidator;
        this.domainIds = new BitSet(VtdCapabilityLayout.domainCount(cap));
        // Linux iommu_init_domains: with caching mode, not-present entries are cached under domain
        // id 0, and Linux uses 0 as "no domain id" anyway, so it is never handed out.
        domainIds.set(0);
    }

    /**
     * Reads the unit's VER, CAP and ECAP at {@code registerBase}. Empty when VER reads all ones or
     * zero (nothing answers there): the caller reports the unit absent and leaves its devices' DMA
     * physical.
     */
    public static Optional<VtdUnitDriver> probe(Platform platform, FrameAllocator frames,
                                                long registerBase, int segment) {
        Objects.requireNonNull(platform, "platform");
        Cpu cpu = platform.cpu();
        int ver = cpu.read32(registerBase + VER);
        if (ver == VER_ABSENT_ONES || ver == 0) {
            return Optional.empty();
        }
        long cap = cpu.read64(registerBase + CAP);
        long ecap = cpu.read64(registerBase + ECAP);
        boolean coherent = (ecap & VtdCapabilityLayout.ECAP_C) != 0;
        return Optional.of(new VtdUnitDriver(platform, new TableMemory(cpu, frames, coherent),
                registerBase, segment, ver, cap, ecap));
    }

    // ---- identity ---------------------------------------------------------------------------

    public long registerBase() { return base; }
    public int segment() { return segment; }
    public int version() { return version; }
    public long cap() { return cap; }
    public long ecap() { return ecap; }
    public TableMemory memory() { return memory; }
    public long rootTable() { return tables == null ? 0 : tables.rootTable(); }
    public boolean queuedInvalidation() { return queue != null; }

    public boolean cachingMode() { return (cap & VtdCapabilityLayout.CAP_CM) != 0; }
    public boolean passThrough() { return (ecap & VtdCapabilityLayout.ECAP_PT) != 0; }
    public boolean superpage2M() { return (VtdCapabilityLayout.sllps(cap) & VtdCapabilityLayout.SLLPS_2M) != 0; }
    public boolean superpage1G() { return (VtdCapabilityLayout.sllps(cap) & VtdCapabilityLayout.SLLPS_1G) != 0; }
    public int mgawBits() { return VtdCapabilityLayout.mgawBits(cap); }

    /**
     * The context entry AW for this unit's domains: 4 levels (48-bit) when MGAW reaches 48 bits
     * and SAGAW offers them, else 3 levels (39-bit) when offered, else 4 (Linux picks the agaw
     * for the domain's width among SAGAW).
     */
    public int contextAw() {
        int sagaw = VtdCapabilityLayout.sagaw(cap);
        boolean has39 = (sagaw & VtdCapabilityLayout.SAGAW_39_BIT) != 0;
        boolean has48 = (sagaw & VtdCapabilityLayout.SAGAW_48_BIT) != 0;
        if (has48 && (mgawBits() >= 48 || !has39)) {
            return VtdContextEntryLayout.AW_48_BIT;
        }
        if (has39) {
            return VtdContextEntryLayout.AW_39_BIT;
        }
        throw new IllegalStateException(String.format("unit %#x: SAGAW %#x offers neither 3- nor 4-level tables", base, sagaw));
    }

    /** One past the highest IOVA a device behind this unit may use: 2^min(MGAW, table width). */
    public long addressLimit() {
        int bits = Math.min(mgawBits(), VtdCapabilityLayout.bitsForAw(contextAw()));
        return 1L << bits;
    }

    // ---- init -------------------------------------------------------------------------------

    /** Root table, invalidation, fault interrupt; translation and interrupt remapping stay off. */
    public void init() {
        init(false);
    }

    /**
     * Root table, invalidation, fault interrupt, and with {@code interruptRemapping} (when the unit
     * has ECAP.IR and queued invalidation) the interrupt remapping table with remapping on;
     * translation stays off.
     */
    public synchronized void init(boolean interruptRemapping) {
        if (initialised) {
            throw new IllegalStateException(String.format("unit %#x is already initialised", base));
        }
        int gsts = regs.read32(GSTS);
        regs.adoptShadow(gsts & (GCMD_TE | GCMD_QIE | GCMD_IRE | GCMD_CFI));
        if ((gsts & GCMD_IRE) != 0) {
            // Firmware or an earlier kernel left interrupt remapping on: off before a new table (Linux, not kdump).
            regs.persistent(GCMD_IRE, false, "GSTS.IRES clear after GCMD.IRE = 0");
        }
        if ((gsts & GCMD_TE) != 0) {
            // Firmware (or a previous kernel) left translation on: turn it off before replacing tables.
            disableTranslation();
        }
        if ((gsts & GCMD_QIE) != 0) {
            // IQA and IQT may only be programmed while queued invalidation is off (§6.5.2).
            regs.persistent(GCMD_QIE, false, "GSTS.QIES clear after GCMD.QIE = 0");
        }
        tables = new ContextTables(memory);
        regs.write64(RTADDR, tables.rootTable());
        regs.oneShot(GCMD_SRTP, "GSTS.RTPS after GCMD.SRTP");
        if ((ecap & VtdCapabilityLayout.ECAP_QI) != 0) {
            queue = new QueuedInvalidator(regs, memory, cap);
            queue.enable();
            invalidator = queue;
        }
        invalidateContextGlobal();
        invalidateIotlbGlobal();
        faultHandler.enable(platform.interrupts(), this::handleFaults);
        if (interruptRemapping && interruptRemappingCapable()) {
            interruptTable = new InterruptRemapTable(regs, memory, queue);
            interruptTable.enable();
        }
        initialised = true;
    }

    /** ECAP.IR, and queued invalidation on (the only way to invalidate the interrupt entry cache). */
    public boolean interruptRemappingCapable() {
        return (ecap & VtdCapabilityLayout.ECAP_IR) != 0 && queue != null;
    }

    /** Whether this driver turned interrupt remapping on. */
    public boolean interruptRemapping() {
        return interruptTable != null;
    }

    /** The interrupt remapping table's physical address, 0 when remapping is off. */
    public long interruptRemapTable() {
        return interruptTable == null ? 0 : interruptTable.table();
    }

    /**
     * {@code count} interrupt remapping entries for {@code device} (see {@link InterruptRemapper}).
     *
     * @throws IllegalStateException when remapping is off or the table is full
     */
    public synchronized InterruptRemapper.Vectors allocateInterrupts(RequesterId device, int count) {
        if (interruptTable == null) {
            throw new IllegalStateException(String.format("VT-d unit %#x does not remap interrupts", base));
        }
        checkSegment(device);
        if (count < 1) {
            throw new IllegalArgumentException(device + ": " + count + " interrupt remapping entries asked for");
        }
        int first = interruptTable.allocate(count, device.toString());
        return new RemappedVectors(this, device, first, count);
    }

    /** Writes entry {@code index} of the table (then its IEC), under the driver's lock. */
    synchronized void writeInterruptEntry(int index, int vector, int apicId, RequesterId device) {
        busy++;
        try {
            interruptTable.write(index, vector, apicId, device);
        } finally {
            busy--;
        }
    }

    /** Zeroes and frees a block (then its IEC), under the driver's lock; nothing when remapping is off by now. */
    synchronized void freeInterruptEntries(int first, int count) {
        if (interruptTable == null) {
            return;
        }
        busy++;
        try {
            interruptTable.free(first, count);
        } finally {
            busy--;
        }
    }

    /** GCMD.TE, poll GSTS.TES. Call after every RMRR is identity-mapped. */
    public void enableTranslation() {
        requireInitialised();
        regs.persistent(GCMD_TE, true, "GSTS.TES after GCMD.TE");
    }

    public void disableTranslation() {
        regs.persistent(GCMD_TE, false, "GSTS.TES clear after GCMD.TE = 0");
    }

    public boolean translationEnabled() {
        return (regs.read32(GSTS) & GCMD_TE) != 0;
    }

    private void requireInitialised() {
        if (!initialised) {
            throw new IllegalStateException(String.format("VT-d unit %#x is not initialised", base));
        }
    }

    // ---- domain ids -------------------------------------------------------------------------

    /** A free domain id below 2^(4 + 2*CAP.ND); never 0. */
    public synchronized int allocateDomainId() {
        int id = domainIds.nextClearBit(1);
        int limit = VtdCapabilityLayout.domainCount(cap);
        if (id >= limit) {
            throw new IllegalStateException(String.format("VT-d unit %#x: all %d domain ids (CAP.ND %d) are in use",
                    base, limit - 1, cap & VtdCapabilityLayout.CAP_ND_MASK));
        }
        domainIds.set(id);
        return id;
    }

    public synchronized void freeDomainId(int id) {
        if (id <= 0 || !domainIds.get(id)) {
            throw new IllegalStateException(String.format("VT-d unit %#x: domain id %d is not allocated", base, id));
        }
        domainIds.clear(id);
    }

    // ---- context entries --------------------------------------------------------------------

    /**
     * Points {@code device}'s context entry at a domain: TT (multi-level or pass-through), the
     * second-level table root (ignored for pass-through), AW and DID. A present entry is cleared and
     * invalidated first (Linux detaches before it attaches); the new entry is then invalidated too
     * (the spec needs that only with caching mode, where not-present entries are cached under DID 0;
     * doing it always costs one descriptor per attach).
     */
    public synchronized void setContext(RequesterId device, int tt, long slptptr, int aw, int domainId) {
        requireInitialised();
        checkSegment(device);
        busy++;
        try {
            setContextLocked(device, tt, slptptr, aw, domainId);
        } finally {
            busy--;
        }
    }

    private void setContextLocked(RequesterId device, int tt, long slptptr, int aw, int domainId) {
        long entry = tables.entryAddress(device, true);
        if (VtdContextEntryLayout.LO_P == (memory.read64(entry + VtdContextEntryLayout.LO) & VtdContextEntryLayout.LO_P)) {
            clearContext(device);
        }
        memory.write128(entry, VtdContextEntryLayout.lo(slptptr, tt, false, true), VtdContextEntryLayout.hi(domainId, aw));
        // Linux domain_context_mapping_one: with caching mode the not-present entry was cached
        // under domain id 0, so the context cache is invalidated for DID 0; the IOTLB for the new DID.
        invalidateContextDevice(cachingMode() ? 0 : domainId, device.sourceId());
        invalidateIotlbDomain(domainId);
    }

    /**
     * Makes {@code device}'s context entry not present (its DMA then faults with reason 0x2), then
     * invalidates the context cache for the device and the IOTLB for the old domain. Returns false
     * when the entry was not present.
     */
    public synchronized boolean clearContext(RequesterId device) {
        requireInitialised();
        checkSegment(device);
        busy++;
        try {
            return clearContextLocked(device);
        } finally {
            busy--;
        }
    }

    private boolean clearContextLocked(RequesterId device) {
        long entry = tables.entryAddress(device, false);
        if (entry < 0) {
            return false;
        }
        long lo = memory.read64(entry + VtdContextEntryLayout.LO);
        if ((lo & VtdContextEntryLayout.LO_P) == 0) {
            return false;
        }
        int oldDid = VtdContextEntryLayout.domainId(memory.read64(entry + VtdContextEntryLayout.HI));
        // Present bit first, so the unit never sees a half-cleared present entry.
        memory.write64(entry + VtdContextEntryLayout.LO, 0);
        memory.write64(entry + VtdContextEntryLayout.HI, 0);
        invalidateContextDevice(oldDid, device.sourceId());
        invalidateIotlbDomain(oldDid);
        return true;
    }

    /** The raw context entry (lo, hi) of {@code device}, or null when its bus has no context table. */
    public long[] contextEntry(RequesterId device) {
        return tables == null ? null : tables.entry(device);
    }

    private void checkSegment(RequesterId device) {
        if (device.segment() != segment) {
            throw new IllegalArgumentException(String.format("device %s is in segment %d; unit %#x serves segment %d",
                    device, device.segment(), base, segment));
        }
    }

    // ---- invalidation -----------------------------------------------------------------------

    public void invalidateContextGlobal() {
        invalidateContext(CC_GLOBAL, 0, 0);
    }

    public void invalidateContextDevice(int domainId, int sourceId) {
        invalidateContext(CC_DEVICE, domainId, sourceId);
    }

    private synchronized void invalidateContext(int granularity, int domainId, int sourceId) {
        busy++;
        try {
            contextInvalidations++;
            invalidator.context(granularity, domainId, sourceId);
        } finally {
            busy--;
        }
    }

    public synchronized void invalidateIotlbGlobal() {
        iotlbGlobal++;
        invalidateIotlb(IOTLB_GLOBAL, 0, 0, 0);
    }

    public synchronized void invalidateIotlbDomain(int domainId) {
        iotlbDomain++;
        invalidateIotlb(IOTLB_DOMAIN, domainId, 0, 0);
    }

    /**
     * Invalidates the IOTLB entries (and paging-structure caches) of [iova, iova + pages pages) in
     * {@code domainId}: one page-selective request whose naturally aligned 2^AM-page block covers
     * the range (Linux {@code iommu_flush_iotlb_psi}), or domain-selective when the unit has no PSI
     * or AM would exceed CAP.MAMV.
     */
    public synchronized void invalidateIotlbPages(int domainId, long iova, long pages) {
        long pfn = iova >>> 12;
        int mask = psiMask(pfn, pages);
        if ((cap & VtdCapabilityLayout.CAP_PSI) == 0 || mask > VtdCapabilityLayout.mamv(cap)) {
            psiFallbacks++;
            invalidateIotlbDomain(domainId);
            return;
        }
        iotlbPage++;
        long address = (pfn & ~((1L << mask) - 1)) << 12;
        invalidateIotlb(IOTLB_PAGE, domainId, address, mask);
    }

    /** AM covering [pfn, pfn + pages): log2 of the smallest naturally aligned power-of-two block. */
    static int psiMask(long pfn, long pages) {
        if (pages <= 0) {
            throw new IllegalArgumentException("pages must be positive, was " + pages);
        }
        long aligned = Long.highestOneBit(pages) == pages ? pages : Long.highestOneBit(pages) << 1;
        int mask = Long.numberOfTrailingZeros(aligned);
        long bitmask = aligned - 1;
        if ((pfn & bitmask) != 0) {
            long end = pfn + pages - 1;
            long shared = ~(pfn ^ end) & ~bitmask;
            mask = shared != 0 ? Long.numberOfTrailingZeros(shared) : 64;
        }
        return mask;
    }

    private synchronized void invalidateIotlb(int granularity, int domainId, long address, int mask) {
        busy++;
        try {
            invalidator.iotlb(granularity, domainId, address, mask);
        } finally {
            busy--;
        }
    }

    // ---- faults -----------------------------------------------------------------------------

    public void addFaultListener(IommuFaultListener l) {
        faultHandler.addListener(l);
    }

    public void removeFaultListener(IommuFaultListener l) {
        faultHandler.removeListener(l);
    }

    /** Faults read so far, oldest first. */
    public List<IommuFault> faults() {
        return faultHandler.faults();
    }

    public long faultCount(VtdFaultReason reason) {
        return faultHandler.count(reason);
    }

    /**
     * The fault-event handler (Linux {@code dmar_fault}): reads FSTS; from FRI on, reads each
     * fault recording register whose F bit is set, decodes it, clears F (RW1C, upper dword), and
     * reports it; then counts and clears PFO (faults the unit dropped because every record was
     * full: they are lost, as on hardware). Also callable directly (polling).
     */
    public synchronized int handleFaults() {
        return faultHandler.handle();
    }

    public Stats stats() {
        long[] faultCounts = faultHandler.counts();
        return new Stats(contextInvalidations, iotlbGlobal, iotlbDomain, iotlbPage, psiFallbacks,
                queue == null ? 0 : queue.waitDescriptors(), faultCounts[0], faultCounts[1]);
    }

    /** IOTLB invalidation requests so far, every granularity: {@link #stats}' three, without building it. */
    public long iotlbInvalidations() {
        return iotlbGlobal + iotlbDomain + iotlbPage;
    }

    /**
     * Whether the driver is in the middle of programming the unit (a timer that fires while the
     * kernel polls a register must not start another invalidation then).
     */
    public boolean busy() {
        return busy > 0;
    }

    public int faultVector() {
        return faultHandler.vector();
    }

    /**
     * Turns translation and queued invalidation off, frees the invalidation queue and its status
     * page, and returns the fault vector. Tables stay allocated.
     */
    @Override
    public void close() {
        if (!initialised) {
            return;
        }
        if (regs.shadowHas(GCMD_TE)) {
            disableTranslation();
        }
        if (interruptTable != null) {
            interruptTable.disable();
            interruptTable = null;
        }
        if (queue != null) {
            queue.disable();
            queue = null;
            invalidator = registerInvalidator;
        }
        faultHandler.disable(platform.interrupts());
        initialised = false;
    }

    @Override
    public String toString() {
        return String.format("VT-d unit %#x (VER %#x CAP %#018x ECAP %#018x)", base, version, cap, ecap);
    }
}
