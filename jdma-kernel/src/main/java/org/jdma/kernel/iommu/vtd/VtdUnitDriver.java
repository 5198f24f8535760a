package org.jdma.kernel.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.*;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.kernel.iommu.IommuFaultListener;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.platform.Cpu;
import org.jdma.platform.Platform;
import org.jdma.spec.vtd.VtdCapabilityLayout;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.vtd.VtdFaultRecordLayout;
import org.jdma.spec.vtd.VtdInvalidationDescriptorLayout;
import org.jdma.spec.vtd.VtdRootEntryLayout;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.pci.RequesterId;

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
 *   <li>{@link #enableTranslation}: GCMD.TE, poll GSTS.TES — after the caller mapped the RMRRs.</li>
 * </ol>
 *
 * <p>Every GCMD write is the shadow of the persistent bits (TE, QIE) plus at most one one-shot
 * command, since GCMD is write-only and a write sets every command bit at once (Linux
 * {@code iommu->gcmd}). Status polls let virtual time pass and give up after
 * {@value #OPERATION_TIMEOUT_NS} ns, naming the register (Linux {@code IOMMU_WAIT_OP}).
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
    /** QS = 0: one 4 KiB page of 256 128-bit descriptors. */
    private static final int QUEUE_QS = 0;
    private static final int QUEUE_ENTRIES = queueEntries128(QUEUE_QS);
    private static final int FRCD_HI_UPPER_DWORD = VtdFaultRecordLayout.HI + 4;

    /** Counters of what the driver asked of the unit. */
    public record Stats(long contextInvalidations, long iotlbGlobal, long iotlbDomain, long iotlbPage,
                        long psiFallbacks, long waitDescriptors, long faults, long faultOverflows) { }

    private final Platform platform;
    private final Cpu cpu;
    private final long base;
    private final int segment;
    private final int version;
    private final long cap;
    private final long ecap;
    private final TableMemory memory;
    private final BitSet domainIds;
    private final List<IommuFaultListener> listeners = new CopyOnWriteArrayList<>();
    private final List<IommuFault> faultLog = new ArrayList<>();
    private final Map<VtdFaultReason, Long> faultsByReason = new EnumMap<>(VtdFaultReason.class);
    private final long[] contextTables = new long[VtdRootEntryLayout.ENTRIES];

    private int gcmd;
    private long rootTable;
    private boolean queued;
    private long queue;
    private int queueTail;
    private long waitStatus;
    private int waitSequence;
    private int faultVector = -1;
    private boolean initialised;
    /** Nesting depth of operations that program the unit (timers must not interleave with them). */
    private int busy;

    private long contextInvalidations;
    private long iotlbGlobal;
    private long iotlbDomain;
    private long iotlbPage;
    private long psiFallbacks;
    private long waitDescriptors;
    private long faults;
    private long faultOverflows;

    private VtdUnitDriver(Platform platform, TableMemory memory, long base, int segment, int version, long cap, long ecap) {
        this.platform = platform;
        this.cpu = platform.cpu();
        this.memory = memory;
        this.base = base;
        this.segment = segment;
        this.version = version;
        this.cap = cap;
        this.ecap = ecap;
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
    public long rootTable() { return rootTable; }
    public boolean queuedInvalidation() { return queued; }

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

    /** Root table, invalidation, fault interrupt; translation stays off. */
    public void init() {
        if (initialised) {
            throw new IllegalStateException(String.format("unit %#x is already initialised", base));
        }
        int gsts = read32(GSTS);
        gcmd = gsts & (GCMD_TE | GCMD_QIE);
        if ((gsts & GCMD_TE) != 0) {
            // Firmware (or a previous kernel) left translation on: turn it off before replacing tables.
            disableTranslation();
        }
        if ((gsts & GCMD_QIE) != 0) {
            // IQA and IQT may only be programmed while queued invalidation is off (§6.5.2).
            gcmd &= ~GCMD_QIE;
            command(0, GCMD_QIE, false, "GSTS.QIES clear after GCMD.QIE = 0");
        }
        rootTable = memory.allocatePage();
        write64(RTADDR, rootTable);
        command(GCMD_SRTP, GCMD_SRTP, true, "GSTS.RTPS after GCMD.SRTP");
        if ((ecap & VtdCapabilityLayout.ECAP_QI) != 0) {
            enableQueuedInvalidation();
        }
        invalidateContextGlobal();
        invalidateIotlbGlobal();
        setUpFaultInterrupt();
        initialised = true;
    }

    private void enableQueuedInvalidation() {
        // Uncached on a non-coherent CPU cache (TableMemory.allocateShared): the unit fetches the
        // descriptors from memory and writes the wait status to memory, behind the cache's back.
        queue = memory.allocateShared();
        waitStatus = memory.allocateShared();
        queueTail = 0;
        // §6.5.2: IQT must be 0 and IQA programmed while QIE is clear; then enable and poll QIES.
        write64(IQT, 0);
        write64(IQA, (queue & IQA_ADDR_MASK) | QUEUE_QS);
        gcmd |= GCMD_QIE;
        command(0, GCMD_QIE, true, "GSTS.QIES after GCMD.QIE");
        queued = true;
    }

    private void setUpFaultInterrupt() {
        faultVector = platform.interrupts().allocateVector();
        platform.interrupts().register(faultVector, v -> handleFaults());
        MsiMessage msg = platform.interrupts().messageFor(faultVector);
        write32(FEDATA, msg.data());
        write32(FEADDR, (int) msg.address());
        write32(FEUADDR, (int) (msg.address() >>> 32));
        write32(FECTL, 0); // clear IM: fault events raise the MSI
    }

    /** GCMD.TE, poll GSTS.TES. Call after every RMRR is identity-mapped. */
    public void enableTranslation() {
        requireInitialised();
        gcmd |= GCMD_TE;
        command(0, GCMD_TE, true, "GSTS.TES after GCMD.TE");
    }

    public void disableTranslation() {
        gcmd &= ~GCMD_TE;
        command(0, GCMD_TE, false, "GSTS.TES clear after GCMD.TE = 0");
    }

    public boolean translationEnabled() {
        return (read32(GSTS) & GCMD_TE) != 0;
    }

    /** Writes the shadow plus {@code oneShot} to GCMD and polls until GSTS & statusBit is (set ? nonzero : zero). */
    private void command(int oneShot, int statusBit, boolean set, String what) {
        write32(GCMD, gcmd | oneShot);
        poll(() -> ((read32(GSTS) & statusBit) != 0) == set, what);
    }

    private void poll(BooleanSupplier done, String what) {
        long deadline = platform.clock().now() + OPERATION_TIMEOUT_NS;
        while (!done.getAsBoolean()) {
            if (platform.clock().now() >= deadline) {
                throw new IllegalStateException(String.format("VT-d unit %#x: timed out after %d ns waiting for %s",
                        base, OPERATION_TIMEOUT_NS, what));
            }
            // MMIO reads already advance time; this lets events (a unit that completes later) run.
            platform.clock().runFor(100);
        }
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
        long entry = contextEntryAddress(device, true);
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
        long entry = contextEntryAddress(device, false);
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
        long entry = contextEntryAddress(device, false);
        return entry < 0 ? null : new long[] {memory.read64(entry), memory.read64(entry + VtdContextEntryLayout.HI)};
    }

    private long contextEntryAddress(RequesterId device, boolean create) {
        int bus = device.bus();
        if (contextTables[bus] == 0) {
            if (!create) {
                return -1;
            }
            long table = memory.allocatePage();
            contextTables[bus] = table;
            memory.write128(rootTable + VtdRootEntryLayout.offsetOf(bus), VtdRootEntryLayout.lo(table, true), 0);
        }
        return contextTables[bus] + VtdContextEntryLayout.offsetOf(device.device(), device.function());
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
            invalidateContextLocked(granularity, domainId, sourceId);
        } finally {
            busy--;
        }
    }

    private void invalidateContextLocked(int granularity, int domainId, int sourceId) {
        contextInvalidations++;
        if (queued) {
            submitAndWait(VtdInvalidationDescriptorLayout.contextCache(granularity, domainId, sourceId, 0), 0);
            return;
        }
        long v = CCMD_ICC | ((long) granularity << CCMD_CIRG_SHIFT) | ((long) (sourceId & 0xFFFF) << CCMD_SID_SHIFT)
                | (domainId & CCMD_DID_MASK);
        write64(CCMD, v);
        poll(() -> (read64(CCMD) & CCMD_ICC) == 0, "CCMD.ICC to clear");
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
            invalidateIotlbLocked(granularity, domainId, address, mask);
        } finally {
            busy--;
        }
    }

    private void invalidateIotlbLocked(int granularity, int domainId, long address, int mask) {
        boolean dr = (cap & VtdCapabilityLayout.CAP_DRD) != 0;
        boolean dw = (cap & VtdCapabilityLayout.CAP_DWD) != 0;
        if (queued) {
            submitAndWait(VtdInvalidationDescriptorLayout.iotlbLo(granularity, domainId, dr, dw),
                    VtdInvalidationDescriptorLayout.iotlbHi(address, mask, false));
            return;
        }
        int iro = VtdCapabilityLayout.iro(ecap);
        if (granularity == IOTLB_PAGE) {
            write64(ivaOffset(iro), (address & IVA_ADDR_MASK) | (mask & IVA_AM_MASK));
        }
        long v = IOTLB_IVT | ((long) granularity << IOTLB_IIRG_SHIFT) | ((long) (domainId & 0xFFFF) << IOTLB_DID_SHIFT)
                | (dr ? IOTLB_DR : 0) | (dw ? IOTLB_DW : 0);
        write64(iotlbOffset(iro), v);
        poll(() -> (read64(iotlbOffset(iro)) & IOTLB_IVT) == 0, "IOTLB.IVT to clear");
        long done = read64(iotlbOffset(iro));
        if (((done >>> IOTLB_IAIG_SHIFT) & IOTLB_GRANULARITY_MASK) == 0) {
            throw new IllegalStateException(String.format("VT-d unit %#x: IOTLB invalidation (granularity %d, DID %d) reported IAIG 0: not performed",
                    base, granularity, domainId));
        }
    }

    /** Queues one descriptor and an invalidation-wait with a status write, moves IQT, and polls the status. */
    private void submitAndWait(long lo, long hi) {
        int seq = ++waitSequence;
        if (seq == 0) {
            seq = ++waitSequence; // 0 is the "not yet" value of the status word
        }
        writeDescriptor(lo, hi);
        writeDescriptor(VtdInvalidationDescriptorLayout.waitLo(seq, true, false, true),
                VtdInvalidationDescriptorLayout.waitHi(waitStatus));
        waitDescriptors++;
        write64(IQT, ((long) queueTail << IQ_INDEX_SHIFT_128) & IQ_INDEX_MASK_128);
        int expected = seq;
        poll(() -> {
            if ((read32(FSTS) & FSTS_IQE) != 0) {
                throw new IllegalStateException(String.format(
                        "VT-d unit %#x: invalidation queue error (FSTS.IQE) at IQH %#x for descriptor %#x/%#x",
                        base, read64(IQH), lo, hi));
            }
            // The status page is uncached where the CPU cache is not coherent: the read sees memory.
            return cpu.read32(waitStatus) == expected;
        }, "invalidation wait descriptor " + seq);
    }

    private void writeDescriptor(long lo, long hi) {
        int next = (queueTail + 1) % QUEUE_ENTRIES;
        poll(() -> (int) ((read64(IQH) & IQ_INDEX_MASK_128) >>> IQ_INDEX_SHIFT_128) != next, "a free invalidation queue slot");
        memory.write128(queue + (long) queueTail * VtdInvalidationDescriptorLayout.SIZE, lo, hi);
        queueTail = next;
    }

    // ---- faults -----------------------------------------------------------------------------

    public void addFaultListener(IommuFaultListener l) {
        listeners.add(Objects.requireNonNull(l, "listener"));
    }

    public void removeFaultListener(IommuFaultListener l) {
        listeners.remove(l);
    }

    /** Faults read so far, oldest first. */
    public List<IommuFault> faults() {
        synchronized (faultLog) {
            return List.copyOf(faultLog);
        }
    }

    public long faultCount(VtdFaultReason reason) {
        synchronized (faultLog) {
            return faultsByReason.getOrDefault(reason, 0L);
        }
    }

    /**
     * The fault-event handler (Linux {@code dmar_fault}): reads FSTS; from FRI on, reads each
     * fault recording register whose F bit is set, decodes it, clears F (RW1C, upper dword), and
     * reports it; then counts and clears PFO (faults the unit dropped because every record was
     * full: they are lost, as on hardware). Also callable directly (polling).
     */
    public synchronized int handleFaults() {
        int fsts = read32(FSTS);
        int handled = 0;
        if ((fsts & FSTS_PPF) != 0) {
            int records = VtdCapabilityLayout.faultRecordCount(cap);
            int fro = VtdCapabilityLayout.fro(cap);
            int index = (fsts & FSTS_FRI_MASK) >>> FSTS_FRI_SHIFT;
            for (int n = 0; n < records; n++) {
                int off = frcdOffset(fro, index);
                long hi = read64(off + VtdFaultRecordLayout.HI);
                if (!VtdFaultRecordLayout.isFault(hi)) {
                    break;
                }
                long lo = read64(off + VtdFaultRecordLayout.LO);
                write32(off + FRCD_HI_UPPER_DWORD, (int) (VtdFaultRecordLayout.HI_F >>> 32));
                report(lo, hi);
                handled++;
                index = (index + 1) % records;
            }
        }
        // Read FSTS again: an overflow may have happened while the records were being read, and
        // the clear below would otherwise erase it unseen.
        int after = read32(FSTS);
        if (((fsts | after) & FSTS_PFO) != 0) {
            synchronized (faultLog) {
                faultOverflows++;
            }
        }
        write32(FSTS, FSTS_PFO | ((fsts | after) & (FSTS_AFO | FSTS_APF)));
        return handled;
    }

    private void report(long lo, long hi) {
        int sid = VtdFaultRecordLayout.sourceId(hi);
        RequesterId device = new RequesterId(segment, sid >>> 8, (sid >>> 3) & 0x1F, sid & 0x7);
        int code = VtdFaultRecordLayout.reason(hi);
        Optional<VtdFaultReason> reason = VtdFaultReason.ofCode(code);
        IommuFault f = new IommuFault(base, device, lo & VtdFaultRecordLayout.LO_FI_MASK, VtdFaultRecordLayout.isRead(hi),
                VtdFaultDecoder.kindOf(code), VtdFaultDecoder.detailOf(code), platform.clock().now());
        synchronized (faultLog) {
            faults++;
            faultLog.add(f);
            reason.ifPresent(r -> faultsByReason.merge(r, 1L, Long::sum));
        }
        for (IommuFaultListener l : listeners) {
            l.onFault(f);
        }
    }

    public Stats stats() {
        synchronized (faultLog) {
            return new Stats(contextInvalidations, iotlbGlobal, iotlbDomain, iotlbPage, psiFallbacks, waitDescriptors,
                    faults, faultOverflows);
        }
    }

    /**
     * Whether the driver is in the middle of programming the unit (a timer that fires while the
     * kernel polls a register must not start another invalidation then).
     */
    public boolean busy() {
        return busy > 0;
    }

    public int faultVector() {
        return faultVector;
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
        if ((gcmd & GCMD_TE) != 0) {
            disableTranslation();
        }
        if (queued) {
            gcmd &= ~GCMD_QIE;
            command(0, GCMD_QIE, false, "GSTS.QIES clear after GCMD.QIE = 0");
            queued = false;
            // QIES is clear: the unit fetches no more descriptors and writes no more status.
            memory.freeShared(queue);
            memory.freeShared(waitStatus);
        }
        write32(FECTL, ECTL_IM);
        if (faultVector >= 0) {
            platform.interrupts().freeVector(faultVector);
            faultVector = -1;
        }
        initialised = false;
    }

    // ---- MMIO -------------------------------------------------------------------------------

    private int read32(int off) { return cpu.read32(base + off); }
    private long read64(int off) { return cpu.read64(base + off); }
    private void write32(int off, int v) { cpu.write32(base + off, v); }
    private void write64(int off, long v) { cpu.write64(base + off, v); }

    @Override
    public String toString() {
        return String.format("VT-d unit %#x (VER %#x CAP %#018x ECAP %#018x)", base, version, cap, ecap);
    }
}
