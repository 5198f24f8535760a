package org.jdma.machine.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jdma.machine.bus.Access;
import org.jdma.machine.bus.AddressTranslator;
import org.jdma.machine.cache.CpuCache;
import org.jdma.spec.vtd.VtdCapabilityLayout;
import org.jdma.machine.iommu.vtd.VtdConfig;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.vtd.VtdFaultRecordLayout;
import org.jdma.spec.vtd.VtdInvalidationDescriptorLayout;
import org.jdma.spec.vtd.VtdPageEntryLayout;
import org.jdma.spec.vtd.VtdRootEntryLayout;
import org.jdma.machine.irq.InterruptController;
import org.jdma.spec.msi.MsiMessageLayout;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.mmio.RegisterAccess;
import org.jdma.machine.mmio.MmioHandler;
import org.jdma.machine.mmio.Register;
import org.jdma.machine.mmio.RegisterFile;
import org.jdma.spec.pci.RequesterId;
import org.jdma.machine.time.EventKernel;
import org.jdma.machine.time.TraceRecorder;

/**
 * One DMA remapping hardware unit (a DRHD): its register page, legacy-mode translation of the
 * requests of the devices it covers, its context cache and IOTLB, register-based and queued
 * invalidation, and primary fault logging with the fault-event interrupt (VT-d spec §3, §6, §7,
 * §9, §10). It is both the {@link MmioHandler} at the DRHD's register base and the
 * {@link AddressTranslator} of every covered device's DMA port.
 *
 * <p>Commands complete at the register write: a GCMD command's status bit, CCMD.ICC and
 * IOTLB.IVT are final when software first polls them, and the invalidation queue is drained up to
 * IQT when IQT is written. Their modeled cost is counted ({@link #invalidationNs()}), not waited.
 *
 * <p>Table walks read physical memory directly, as a device does, never through a DMA port's
 * translation. With ECAP.C (page-walk coherency) the walk snoops the CPU cache first (dirty lines
 * of a write-back cache are written back); without it the walk sees memory as it is, so table
 * lines software left dirty in a write-back cache are stale to the unit. Each entry read costs
 * {@link VtdConfig#walkStepNs()}. Invalidation descriptors are always fetched snooped.
 *
 * <p>Thread use: a device thread may translate while the CPU thread writes registers; every entry
 * point is synchronized on the unit. TODO(threads): a fault found on a device thread (a copy
 * engine in threaded mode) records its fault and traces it from that thread, and its fault-event
 * MSI goes to the interrupt controller, whose event queue is not thread-safe; until the event
 * kernel accepts events from other threads, run translated DMA that may fault in event mode.
 */
public final class VtdUnit implements MmioHandler, AddressTranslator {

    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** GSTS bits this model sets: the status twins of TE, SRTP and QIE (same positions as GCMD). */
    private static final long GSTS_MASK = GCMD_TE | GCMD_SRTP | GCMD_QIE;
    /** FSTS bits whose rise makes a fault event (§7.3): PFO, PPF, IQE (AFO/APF/ICE/ITE never set here). */
    private static final int FAULT_EVENT_CONDITIONS = FSTS_PFO | FSTS_PPF | FSTS_IQE;
    private static final long CCMD_CIRG_MASK = CCMD_GRANULARITY_MASK << CCMD_CIRG_SHIFT;
    private static final long CCMD_CAIG_MASK = CCMD_GRANULARITY_MASK << CCMD_CAIG_SHIFT;
    private static final long CCMD_FM_MASK = 0x3L << CCMD_FM_SHIFT;
    private static final long CCMD_SID_MASK = 0xFFFFL << CCMD_SID_SHIFT;
    private static final long IOTLB_IIRG_MASK = IOTLB_GRANULARITY_MASK << IOTLB_IIRG_SHIFT;
    private static final long IOTLB_IAIG_MASK = IOTLB_GRANULARITY_MASK << IOTLB_IAIG_SHIFT;
    private static final long IOTLB_DID_MASK = 0xFFFFL << IOTLB_DID_SHIFT;
    /** FEDATA/IEDATA: interrupt data 15:0; 31:16 (extended data) need ECAP.EIM, absent here. */
    private static final long MSI_DATA_MASK = 0xFFFFL;
    /** Leaves exist at levels 1 (4 KiB), 2 (2 MiB) and 3 (1 GiB): the IOTLB is probed for each size. */
    private static final int LARGEST_LEAF_LEVEL = 3;
    /** VER: MAX 7:4, MIN 3:0 (§10.4.1). */
    private static final long VER_MASK = 0xFF;
    /** A source id is bus 15:8, devfn 7:0 (the root table is indexed by bus, a context table by devfn). */
    private static final int SID_BUS_SHIFT = 8;
    private static final int SID_DEVFN_MASK = 0xFF;
    /** FEADDR/IEADDR: message address 31:2. */
    private static final long MSI_ADDRESS_MASK = 0xFFFF_FFFCL;

    /**
     * Fault reasons that are "qualified" (§7.1.3 Table 25; QEMU's {@code vtd_qualified_faults}):
     * not recorded when the context entry's FPD is set. Root-level and table-access faults are
     * always recorded (no context entry says otherwise).
     */
    private static boolean qualified(VtdFaultReason r) {
        return switch (r) {
            case CONTEXT_ENTRY_NOT_PRESENT, CONTEXT_ENTRY_INVALID, ADDRESS_BEYOND_MGAW, WRITE_NOT_PERMITTED,
                 READ_NOT_PERMITTED, PAGING_ENTRY_INVALID, PAGING_ENTRY_RESERVED, BLOCKED_BY_TRANSLATION_TYPE -> true;
            default -> false;
        };
    }

    /** A DMA request the unit blocked, as reported to listeners (recorded in a fault register or not). */
    public record BlockedAccess(RequesterId requester, long address, boolean write, VtdFaultReason reason,
                                boolean recorded, long atNs) { }

    /** One fault recording register's content, decoded (for reports and the CLI). */
    public record FaultRecord(int index, int sourceId, long pageAddress, boolean read, int reason) { }

    private final String name;
    private final int segment;
    private final long registerBase;
    private final VtdConfig config;
    private final long cap;
    private final long ecap;
    private final int hawBits;
    private final int mgawBits;
    private final long didReserved;
    private final PhysicalMemory memory;
    private final CpuCache cache;
    private final InterruptController interrupts;
    private final EventKernel kernel;
    /** Source of the unit's own interrupt messages: the host bridge of its segment. */
    private final RequesterId self;
    private final RegisterFile regs;
    private final Register gcmd;
    private final Register gsts;
    private final Register rtaddr;
    private final Register ccmd;
    private final Register fsts;
    private final Register fectl;
    private final Register fedata;
    private final Register feaddr;
    private final Register iqh;
    private final Register iqt;
    private final Register iqa;
    private final Register ics;
    private final Register iectl;
    private final Register iedata;
    private final Register ieaddr;
    private final Register iva;
    private final Register iotlbReg;
    private final Register[] frcdLo;
    private final Register[] frcdHi;
    private final ContextCache contextCache;
    private final Iotlb iotlb;
    private final List<Consumer<BlockedAccess>> listeners = new CopyOnWriteArrayList<>();

    private long rootTable;
    /** GSTS.TES; volatile for the lock-free check of the disabled case. */
    private volatile boolean translationEnabled;
    private boolean queueEnabled;
    private int nextRecord;
    private int firstPendingRecord;
    private boolean faultEventPending;
    private boolean invalidationEventPending;
    private long lastCaig;
    private long lastIaig;
    /** Steps of the walk in progress (root, context, paging entries read). */
    private int steps;
    /** The FPD bit of the last context entry fetched (valid for faults found after the fetch). */
    private boolean fetchedFpd;

    private long translations;
    private long iotlbHits;
    private long iotlbMisses;
    private long contextHits;
    private long contextMisses;
    private long pageWalks;
    private long walkSteps;
    private long faultsRecorded;
    private long faultsDropped;
    private long faultsSuppressed;
    private final long[] contextInvalidations = new long[4];
    private final long[] iotlbInvalidations = new long[4];
    private long queuedDescriptors;
    private long waitDescriptors;
    private long queueErrors;
    private long invalidationNs;
    private long faultEventMessages;
    private long invalidationEventMessages;
    private long messagesDropped;
    private long writeBufferFlushes;

    /**
     * @param name         for traces and reports ("dmar0")
     * @param segment      PCI segment of the devices it covers
     * @param registerBase where its register page sits (reports only; the map places it)
     * @param config       CAP/ECAP and timing
     * @param hawBits      host address width in bits (the DMAR's HAW + 1): address bits at and
     *                     above it in tables and pointers are reserved
     */
    public VtdUnit(String name, int segment, long registerBase, VtdConfig config, int hawBits, PhysicalMemory memory,
                   CpuCache cache, InterruptController interrupts, EventKernel kernel) {
        if (hawBits < 32 || hawBits > 52) {
            throw new IllegalArgumentException(name + ": host address width must be 32..52 bits, was " + hawBits);
        }
        this.name = name;
        this.segment = segment;
        this.registerBase = registerBase;
        this.config = config;
        this.cap = config.cap();
        this.ecap = config.ecap();
        this.hawBits = hawBits;
        this.mgawBits = VtdCapabilityLayout.mgawBits(cap);
        int dids = VtdCapabilityLayout.domainCount(cap);
        this.didReserved = VtdContextEntryLayout.HI_DID_MASK & ~((long) (dids - 1) << VtdContextEntryLayout.HI_DID_SHIFT);
        this.memory = memory;
        this.cache = cache;
        this.interrupts = interrupts;
        this.kernel = kernel;
        this.self = new RequesterId(segment, 0, 0, 0);
        this.contextCache = new ContextCache(config.contextCacheEntries());
        this.iotlb = new Iotlb(config.iotlbEntries(), config.iotlbWays());

        long haw = (1L << hawBits) - 1;
        regs = new RegisterFile(name);
        regs.add(new Register("VER", VER, 4, RegisterAccess.RO, VER_MASK, VERSION_1_0));
        regs.add(new Register("CAP", CAP, 8, RegisterAccess.RO, -1L, cap));
        regs.add(new Register("ECAP", ECAP, 8, RegisterAccess.RO, -1L, ecap));
        gcmd = regs.add(Register.of("GCMD", GCMD, 4, RegisterAccess.WO, GCMD_TE | GCMD_SRTP | GCMD_SFL | GCMD_WBF | GCMD_QIE));
        gsts = regs.add(Register.of("GSTS", GSTS, 4, RegisterAccess.RO, GSTS_MASK));
        rtaddr = regs.add(Register.of("RTADDR", RTADDR, 8, RegisterAccess.RW, RTADDR_RTA_MASK & haw));
        ccmd = regs.add(Register.of("CCMD", CCMD, 8, RegisterAccess.RW,
                CCMD_ICC | CCMD_CIRG_MASK | CCMD_CAIG_MASK | CCMD_FM_MASK | CCMD_SID_MASK | CCMD_DID_MASK));
        fsts = regs.add(Register.of("FSTS", FSTS, 4, RegisterAccess.RO, FSTS_FRI_MASK | FSTS_PPF | FSTS_RW1C));
        fectl = regs.add(new Register("FECTL", FECTL, 4, RegisterAccess.RW, ECTL_IM | ECTL_IP, ECTL_IM));
        fedata = regs.add(Register.of("FEDATA", FEDATA, 4, RegisterAccess.RW, MSI_DATA_MASK));
        feaddr = regs.add(Register.of("FEADDR", FEADDR, 4, RegisterAccess.RW, MSI_ADDRESS_MASK));
        // Upper address bits exist only for x2APIC (ECAP.EIM), which this unit does not offer.
        regs.add(Register.of("FEUADDR", FEUADDR, 4, RegisterAccess.RW, 0));
        if (config.queuedInvalidation()) {
            iqh = regs.add(Register.of("IQH", IQH, 8, RegisterAccess.RO, IQ_INDEX_MASK_128));
            iqt = regs.add(Register.of("IQT", IQT, 8, RegisterAccess.RW, IQ_INDEX_MASK_128));
            // IQA.DW (256-bit descriptors) needs scalable mode (ECAP.SMTS), absent: it is reserved.
            iqa = regs.add(Register.of("IQA", IQA, 8, RegisterAccess.RW, (IQA_ADDR_MASK & haw) | IQA_QS_MASK));
            ics = regs.add(Register.of("ICS", ICS, 4, RegisterAccess.RO, ICS_IWC));
            iectl = regs.add(new Register("IECTL", IECTL, 4, RegisterAccess.RW, ECTL_IM | ECTL_IP, ECTL_IM));
            iedata = regs.add(Register.of("IEDATA", IEDATA, 4, RegisterAccess.RW, MSI_DATA_MASK));
            ieaddr = regs.add(Register.of("IEADDR", IEADDR, 4, RegisterAccess.RW, MSI_ADDRESS_MASK));
            regs.add(Register.of("IEUADDR", IEUADDR, 4, RegisterAccess.RW, 0));
        } else {
            iqh = iqt = iqa = ics = iectl = iedata = ieaddr = null;
        }
        int iro = VtdCapabilityLayout.iro(ecap);
        iva = regs.add(Register.of("IVA", ivaOffset(iro), 8, RegisterAccess.RW, IVA_ADDR_MASK | IVA_IH | IVA_AM_MASK));
        iotlbReg = regs.add(Register.of("IOTLB", iotlbOffset(iro), 8, RegisterAccess.RW,
                IOTLB_IVT | IOTLB_IIRG_MASK | IOTLB_IAIG_MASK | IOTLB_DR | IOTLB_DW | IOTLB_DID_MASK));
        int fro = VtdCapabilityLayout.fro(cap);
        int records = VtdCapabilityLayout.faultRecordCount(cap);
        frcdLo = new Register[records];
        frcdHi = new Register[records];
        for (int i = 0; i < records; i++) {
            int at = frcdOffset(fro, i);
            frcdLo[i] = regs.add(Register.of("FRCD" + i + "_LO", at + VtdFaultRecordLayout.LO, 8, RegisterAccess.RO,
                    VtdFaultRecordLayout.LO_FI_MASK));
            frcdHi[i] = regs.add(Register.of("FRCD" + i + "_HI", at + VtdFaultRecordLayout.HI, 8, RegisterAccess.RO,
                    VtdFaultRecordLayout.HI_F | VtdFaultRecordLayout.HI_T_READ | VtdFaultRecordLayout.HI_FR_MASK
                            | VtdFaultRecordLayout.HI_SID_MASK));
            regs.onWrite(frcdHi[i], (r, now, written) -> faultRecordWritten(r, written));
        }

        regs.onWrite(gcmd, (r, now, written) -> globalCommand(written));
        regs.onWrite(ccmd, (r, now, written) -> contextCommand(now));
        regs.onWrite(iotlbReg, (r, now, written) -> iotlbCommand(now));
        regs.onWrite(fsts, (r, now, written) -> faultStatusWritten(written));
        regs.onRead(fsts, (r, stored) -> faultStatus(stored));
        regs.onWrite(fectl, (r, now, written) -> faultEventControlWritten(now));
        if (config.queuedInvalidation()) {
            regs.onWrite(iqt, (r, now, written) -> processQueue());
            regs.onWrite(ics, (r, now, written) -> completionStatusWritten(written));
            regs.onWrite(iectl, (r, now, written) -> invalidationEventControlWritten(now));
        }
    }

    public String name() { return name; }
    public int segment() { return segment; }
    public long registerBase() { return registerBase; }
    public VtdConfig config() { return config; }

    /** Device-side view of the register page (no side effects), for reports. */
    public synchronized long register(Register r) {
        return regs.get(r);
    }

    /** The registers, for reports and tests. */
    public List<Register> registers() {
        return regs.registers();
    }

    /** Called for every blocked request, recorded or not (attack reports, tests). */
    public void addBlockedAccessListener(Consumer<BlockedAccess> l) {
        listeners.add(l);
    }

    public void removeBlockedAccessListener(Consumer<BlockedAccess> l) {
        listeners.remove(l);
    }

    // ---------------------------------------------------------------- MMIO

    @Override
    public synchronized long read(long offset, int size) {
        return regs.read(offset, size);
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        regs.write(offset, size, value);
    }

    /** GCMD (§10.4.4): each command bit written acts, and its GSTS twin reports the result. */
    private void globalCommand(long cmd) {
        long status = regs.get(gsts);
        if ((cmd & GCMD_SRTP) != 0) {
            // One-shot: latch RTADDR. Caches are not flushed: software must invalidate globally after.
            rootTable = regs.get(rtaddr) & RTADDR_RTA_MASK;
            status |= GCMD_SRTP;
            trace("set root table", "root", hex(rootTable));
        }
        boolean te = (cmd & GCMD_TE) != 0;
        if (te != translationEnabled) {
            translationEnabled = te;
            status = te ? status | GCMD_TE : status & ~GCMD_TE;
            trace(te ? "translation enabled" : "translation disabled");
        }
        boolean qie = (cmd & GCMD_QIE) != 0 && config.queuedInvalidation();
        if (qie != queueEnabled) {
            queueEnabled = qie;
            status = qie ? status | GCMD_QIE : status & ~GCMD_QIE;
            // §10.4.22: IQH reads 0 whenever queued invalidation is disabled.
            regs.set(iqh, 0);
            trace(qie ? "queued invalidation enabled" : "queued invalidation disabled");
        }
        if ((cmd & GCMD_WBF) != 0) {
            // Nothing is buffered (writes reach memory at once), so the flush is over before GSTS.WBFS
            // can be read: it reads 0. CAP.RWBF is 0, so software need not ask at all.
            writeBufferFlushes++;
        }
        // SFL needs advanced fault logging (CAP.AFL = 0): ignored, FLS stays 0.
        regs.set(gsts, status);
        if (qie) {
            processQueue();
        }
    }

    // ---------------------------------------------------------------- translation

    @Override
    public boolean passesThrough(RequesterId requester) {
        return !translationEnabled || requester.segment() != segment;
    }

    @Override
    public Translation translate(RequesterId requester, long address, long length, Access access) {
        if (!translationEnabled || requester.segment() != segment || MsiMessageLayout.isInterruptAddress(address)) {
            // Disabled: the reset state passes requests through (read without the lock: the common
            // case of an untranslated machine pays no lock per request). Interrupt-range requests
            // are never remapped (§3.13): the bus handles them.
            return new Translation(address, length, 0);
        }
        synchronized (this) {
            return translateLocked(requester, address, length, access);
        }
    }

    private Translation translateLocked(RequesterId requester, long address, long length, Access access) {
        if (!translationEnabled) {
            return new Translation(address, length, 0); // disabled between the check and the lock
        }
        translations++;
        boolean write = access == Access.WRITE;
        int sid = requester.sourceId();
        steps = 0;
        fetchedFpd = false;
        ContextCache.Context ctx = contextCache.lookup(sid);
        if (ctx != null) {
            contextHits++;
        } else {
            contextMisses++;
            VtdFaultReason why = fetchContext(sid);
            if (why != null) {
                return blocked(requester, address, write, why);
            }
            ctx = contextCache.lookup(sid);
        }
        fetchedFpd = (ctx.lo() & VtdContextEntryLayout.LO_FPD) != 0;
        int tt = VtdContextEntryLayout.tt(ctx.lo());
        int aw = VtdContextEntryLayout.aw(ctx.hi());
        int widthBits = Math.min(mgawBits, VtdCapabilityLayout.bitsForAw(aw));
        if ((address >>> widthBits) != 0) {
            return blocked(requester, address, write, VtdFaultReason.ADDRESS_BEYOND_MGAW);
        }
        if (tt == VtdContextEntryLayout.TT_PASS_THROUGH) {
            return new Translation(address, length, cost());
        }
        int did = ctx.domainId();
        for (int level = 1; level <= LARGEST_LEAF_LEVEL; level++) {
            if (level > 1 && !pageSizeSupported(level)) {
                continue;
            }
            int shift = Iotlb.shiftOf(level);
            Iotlb.Entry e = iotlb.lookup(did, address, shift);
            if (e != null && (write ? e.write : e.read)) {
                iotlbHits++;
                return run(e.physicalBase, shift, address, length);
            }
        }
        iotlbMisses++;
        return walk(requester, ctx, address, length, write);
    }

    private boolean pageSizeSupported(int level) {
        return level == 1 || level == 2 && config.superpage2M() || level == 3 && config.superpage1G();
    }

    private long cost() {
        walkSteps += steps;
        return config.iotlbHitNs() + steps * config.walkStepNs();
    }

    private Translation run(long physicalBase, int shift, long address, long length) {
        long pageMask = (1L << shift) - 1;
        long physical = physicalBase | (address & pageMask);
        long left = (1L << shift) - (address & pageMask);
        return new Translation(physical, Math.min(length, left), cost());
    }

    /** Reads root and context entry for {@code sid} and caches the context; null when usable. */
    private VtdFaultReason fetchContext(int sid) {
        long rootAt = rootTable + VtdRootEntryLayout.offsetOf(sid >>> SID_BUS_SHIFT);
        MemorySegment root = tableRead(rootAt, VtdRootEntryLayout.SIZE);
        if (root == null) {
            return VtdFaultReason.ROOT_TABLE_INVALID;
        }
        long rlo = root.get(LE_LONG, VtdRootEntryLayout.LO);
        long rhi = root.get(LE_LONG, VtdRootEntryLayout.HI);
        if ((rlo & VtdRootEntryLayout.LO_P) == 0) {
            return VtdFaultReason.ROOT_ENTRY_NOT_PRESENT;
        }
        long rootReserved = VtdRootEntryLayout.LO_RESERVED
                | (VtdRootEntryLayout.LO_CTP_MASK & VtdRootEntryLayout.addressBitsAbove(hawBits));
        if ((rlo & rootReserved) != 0 || (rhi & VtdRootEntryLayout.HI_RESERVED) != 0) {
            return VtdFaultReason.ROOT_ENTRY_RESERVED;
        }
        long ctxAt = (rlo & VtdRootEntryLayout.LO_CTP_MASK) + VtdContextEntryLayout.offsetOf(sid & SID_DEVFN_MASK);
        MemorySegment ce = tableRead(ctxAt, VtdContextEntryLayout.SIZE);
        if (ce == null) {
            return VtdFaultReason.CONTEXT_TABLE_INVALID;
        }
        long lo = ce.get(LE_LONG, VtdContextEntryLayout.LO);
        long hi = ce.get(LE_LONG, VtdContextEntryLayout.HI);
        // FPD qualifies faults from here on, even for an entry that is not present (as QEMU reads it).
        fetchedFpd = (lo & VtdContextEntryLayout.LO_FPD) != 0;
        if ((lo & VtdContextEntryLayout.LO_P) == 0) {
            return VtdFaultReason.CONTEXT_ENTRY_NOT_PRESENT;
        }
        long loReserved = VtdContextEntryLayout.LO_RESERVED
                | (VtdContextEntryLayout.LO_SLPTPTR_MASK & VtdRootEntryLayout.addressBitsAbove(hawBits));
        if ((lo & loReserved) != 0 || (hi & (VtdContextEntryLayout.HI_RESERVED | didReserved)) != 0) {
            return VtdFaultReason.CONTEXT_ENTRY_RESERVED;
        }
        int aw = VtdContextEntryLayout.aw(hi);
        int tt = VtdContextEntryLayout.tt(lo);
        boolean ttSupported = tt == VtdContextEntryLayout.TT_MULTI_LEVEL
                || tt == VtdContextEntryLayout.TT_PASS_THROUGH && config.passThrough();
        if ((config.sagaw() & (1 << aw)) == 0 || !ttSupported) {
            return VtdFaultReason.CONTEXT_ENTRY_INVALID;
        }
        contextCache.insert(new ContextCache.Context(sid, lo, hi, VtdContextEntryLayout.domainId(hi)));
        return null;
    }

    /** The second-level walk (§3.7.1, §9.8); caches the leaf in the IOTLB. */
    private Translation walk(RequesterId requester, ContextCache.Context ctx, long address, long length, boolean write) {
        pageWalks++;
        int levels = VtdCapabilityLayout.levelsForAw(VtdContextEntryLayout.aw(ctx.hi()));
        long table = ctx.lo() & VtdContextEntryLayout.LO_SLPTPTR_MASK;
        boolean read = true;
        boolean writable = true;
        for (int level = levels; level >= 1; level--) {
            MemorySegment slot = tableRead(table + (long) VtdPageEntryLayout.indexOf(address, level) * VtdPageEntryLayout.SIZE,
                    VtdPageEntryLayout.SIZE);
            if (slot == null) {
                return blocked(requester, address, write, VtdFaultReason.PAGING_ENTRY_INVALID);
            }
            long e = slot.get(LE_LONG, 0);
            // Not present, then permission, then reserved bits: QEMU's order (vtd_iova_to_slpte).
            if (!VtdPageEntryLayout.present(e)) {
                return blocked(requester, address, write,
                        write ? VtdFaultReason.WRITE_NOT_PERMITTED : VtdFaultReason.READ_NOT_PERMITTED);
            }
            read &= (e & VtdPageEntryLayout.R) != 0;
            writable &= (e & VtdPageEntryLayout.W) != 0;
            if (write ? !writable : !read) {
                return blocked(requester, address, write,
                        write ? VtdFaultReason.WRITE_NOT_PERMITTED : VtdFaultReason.READ_NOT_PERMITTED);
            }
            long reserved = VtdPageEntryLayout.reservedBits(level, hawBits, config.superpage2M(), config.superpage1G(),
                    false, false);
            boolean leaf = level == 1 || (e & VtdPageEntryLayout.PS) != 0;
            if (leaf && level > 1) {
                reserved |= VtdPageEntryLayout.reservedSuperpageAddressBits(level);
            }
            if ((e & reserved) != 0) {
                return blocked(requester, address, write, VtdFaultReason.PAGING_ENTRY_RESERVED);
            }
            if (leaf) {
                int shift = Iotlb.shiftOf(level);
                long base = e & VtdPageEntryLayout.ADDRESS_MASK & ~((1L << shift) - 1);
                long physical = base | (address & ((1L << shift) - 1));
                if (MsiMessageLayout.isInterruptAddress(physical)) {
                    return blocked(requester, address, write, VtdFaultReason.INTERRUPT_ADDRESS);
                }
                iotlb.insert(ctx.domainId(), address, shift, base, read, writable);
                return run(base, shift, address, length);
            }
            table = e & VtdPageEntryLayout.ADDRESS_MASK;
        }
        throw new AssertionError("a level-1 entry is always a leaf");
    }

    /**
     * A table read by the unit: one step of cost. Coherent walks (ECAP.C) snoop the CPU cache;
     * others read memory as it is. Null when the bytes are not RAM.
     */
    private MemorySegment tableRead(long physical, int size) {
        steps++;
        return unitRead(physical, size, config.pageWalkCoherent());
    }

    /**
     * A read of memory by the unit itself. {@code snooped}: the read sees what the CPU wrote, as a
     * snoop would: on a write-back cache the range's dirty lines are written back first. Either way
     * the cache's observers learn of a device read, so a checker can tell a walk that read lines
     * software never cleaned.
     */
    private MemorySegment unitRead(long physical, int size, boolean snooped) {
        MemorySegment s = memory.ramSlice(physical, size);
        if (s != null) {
            if (snooped && !cache.coherent()) {
                cache.clean(physical, size);
            }
            cache.snoopDeviceRead(physical, size);
        }
        return s;
    }

    // ---------------------------------------------------------------- faults

    private Translation blocked(RequesterId requester, long address, boolean write, VtdFaultReason reason) {
        boolean suppressed = fetchedFpd && qualified(reason);
        boolean recorded = false;
        if (suppressed) {
            faultsSuppressed++;
        } else {
            recorded = recordFault(requester.sourceId(), address, write, reason);
        }
        if (kernel.trace().enabled()) {
            kernel.trace().instant(name, "fault " + reason.name(), kernel.now(), TraceRecorder.args(
                    "requester", requester.toString(), "address", hex(address), "access", write ? "write" : "read",
                    "reason", reason.code(), "recorded", recorded, "fpd", suppressed));
        }
        if (!listeners.isEmpty()) {
            BlockedAccess b = new BlockedAccess(requester, address, write, reason, recorded, kernel.now());
            for (Consumer<BlockedAccess> l : listeners) {
                l.accept(b);
            }
        }
        return Translation.fault(VtdFaultKinds.kindOf(reason), VtdFaultKinds.detailOf(reason), cost());
    }

    /** Primary fault logging (§7.2.1): the record at the next index, or overflow. */
    private boolean recordFault(int sourceId, long address, boolean write, VtdFaultReason reason) {
        long status = regs.get(fsts);
        if ((status & FSTS_PFO) != 0) {
            // While PFO is set no new fault is recorded (§10.4.9).
            faultsDropped++;
            return false;
        }
        int before = faultEventConditions();
        if (VtdFaultRecordLayout.isFault(regs.get(frcdHi[nextRecord]))) {
            regs.set(fsts, status | FSTS_PFO);
            faultsDropped++;
            faultEvent(before);
            return false;
        }
        if (!anyRecordPending()) {
            firstPendingRecord = nextRecord;
        }
        regs.set(frcdLo[nextRecord], address & VtdFaultRecordLayout.LO_FI_MASK);
        regs.set(frcdHi[nextRecord], VtdFaultRecordLayout.hi(sourceId, reason.code(), !write));
        nextRecord = (nextRecord + 1) % frcdHi.length;
        faultsRecorded++;
        faultEvent(before);
        return true;
    }

    private boolean anyRecordPending() {
        for (Register r : frcdHi) {
            if (VtdFaultRecordLayout.isFault(regs.get(r))) {
                return true;
            }
        }
        return false;
    }

    private int faultEventConditions() {
        return (int) (faultStatus(regs.get(fsts)) & FAULT_EVENT_CONDITIONS);
    }

    /** FSTS as read: stored RW1C bits, PPF while any record holds a fault, FRI of the first one. */
    private long faultStatus(long stored) {
        long s = stored & FSTS_RW1C;
        if (anyRecordPending()) {
            s |= FSTS_PPF | ((long) firstPendingRecord << FSTS_FRI_SHIFT);
        }
        return s;
    }

    /** A fault event (§7.3) when the conditions went from none to some: an MSI, or IP when masked. */
    private void faultEvent(int conditionsBefore) {
        if (conditionsBefore != 0 || faultEventConditions() == 0) {
            return;
        }
        if ((regs.get(fectl) & ECTL_IM) != 0) {
            faultEventPending = true;
            regs.set(fectl, regs.get(fectl) | ECTL_IP);
        } else {
            faultEventMessages++;
            sendMessage(regs.get(feaddr), (int) regs.get(fedata));
        }
    }

    private void faultRecordWritten(Register hi, long written) {
        if ((written & VtdFaultRecordLayout.HI_F) != 0) {
            regs.set(hi, regs.get(hi) & ~VtdFaultRecordLayout.HI_F);
            faultConditionsServiced();
        }
    }

    private void faultStatusWritten(long written) {
        long stored = regs.get(fsts);
        long cleared = written & FSTS_RW1C & stored;
        regs.set(fsts, stored & ~cleared);
        faultConditionsServiced();
        if ((cleared & FSTS_IQE) != 0) {
            processQueue(); // software fixed the queue: carry on from IQH
        }
    }

    /** §10.4.10: IP clears when software has serviced every fault condition. */
    private void faultConditionsServiced() {
        if (faultEventPending && faultEventConditions() == 0) {
            faultEventPending = false;
            regs.set(fectl, regs.get(fectl) & ~ECTL_IP);
        }
    }

    private void faultEventControlWritten(long now) {
        boolean masked = (now & ECTL_IM) != 0;
        if (!masked && faultEventPending) {
            faultEventPending = false;
            faultEventMessages++;
            sendMessage(regs.get(feaddr), (int) regs.get(fedata));
        }
        regs.set(fectl, (now & ECTL_IM) | (faultEventPending ? ECTL_IP : 0));
    }

    private void sendMessage(long address, int data) {
        if (MsiMessageLayout.isInterruptAddress(address)) {
            interrupts.deliver(self, address, data);
        } else {
            messagesDropped++; // FEADDR/IEADDR not programmed into the interrupt range
        }
    }

    // ---------------------------------------------------------------- invalidation

    private void contextCommand(long value) {
        if ((value & CCMD_ICC) != 0) {
            int g = (int) ((value & CCMD_CIRG_MASK) >>> CCMD_CIRG_SHIFT);
            int did = (int) (value & CCMD_DID_MASK);
            int sid = (int) ((value & CCMD_SID_MASK) >>> CCMD_SID_SHIFT);
            int fm = (int) ((value & CCMD_FM_MASK) >>> CCMD_FM_SHIFT);
            lastCaig = (long) invalidateContext(g, did, sid, fm, "register") << CCMD_CAIG_SHIFT;
        }
        // ICC self-clears (the invalidation is done); CAIG is written only by hardware.
        regs.set(ccmd, (value & ~(CCMD_ICC | CCMD_CAIG_MASK)) | lastCaig);
    }

    private void iotlbCommand(long value) {
        if ((value & IOTLB_IVT) != 0) {
            int g = (int) ((value & IOTLB_IIRG_MASK) >>> IOTLB_IIRG_SHIFT);
            int did = (int) ((value & IOTLB_DID_MASK) >>> IOTLB_DID_SHIFT);
            long ivaValue = regs.get(iva);
            lastIaig = (long) invalidateIotlb(g, did, ivaValue & IVA_ADDR_MASK, (int) (ivaValue & IVA_AM_MASK), "register")
                    << IOTLB_IAIG_SHIFT;
        }
        regs.set(iotlbReg, (value & ~(IOTLB_IVT | IOTLB_IAIG_MASK)) | lastIaig);
    }

    /** Returns the granularity performed (CAIG), 0 when the request was invalid and ignored. */
    private int invalidateContext(int granularity, int did, int sid, int fm, String via) {
        int n = switch (granularity) {
            case CC_GLOBAL -> contextCache.invalidateAll();
            case CC_DOMAIN -> contextCache.invalidateDomain(did);
            case CC_DEVICE -> contextCache.invalidateDevice(sid, fm);
            default -> -1;
        };
        if (n < 0) {
            return 0;
        }
        contextInvalidations[granularity]++;
        invalidationNs += config.invalidationNs();
        if (kernel.trace().enabled()) {
            kernel.trace().slice(name, "context-cache invalidation", kernel.now(), config.invalidationNs(), TraceRecorder.args(
                    "via", via, "granularity", granularity, "did", did, "sid", hex(sid), "dropped", n));
        }
        return granularity;
    }

    /**
     * Returns the granularity performed (IAIG), 0 when the request was invalid and ignored. A
     * page-selective request the unit cannot do (no CAP.PSI, or AM above CAP.MAMV) is done
     * domain-wide, a coarser granularity the spec allows (§6.5.1.2, §10.4.8.1).
     */
    private int invalidateIotlb(int granularity, int did, long address, int am, String via) {
        int done = granularity;
        if (granularity == IOTLB_PAGE && (!config.pageSelective() || am > config.mamv())) {
            done = IOTLB_DOMAIN;
        }
        int n = switch (done) {
            case IOTLB_GLOBAL -> iotlb.invalidateAll();
            case IOTLB_DOMAIN -> iotlb.invalidateDomain(did);
            case IOTLB_PAGE -> {
                long span = VtdPageEntryLayout.PAGE_SIZE << am;
                yield iotlb.invalidateRange(did, address & -span, span);
            }
            default -> -1;
        };
        if (n < 0) {
            return 0;
        }
        iotlbInvalidations[done]++;
        invalidationNs += config.invalidationNs();
        if (kernel.trace().enabled()) {
            kernel.trace().slice(name, "IOTLB invalidation", kernel.now(), config.invalidationNs(), TraceRecorder.args(
                    "via", via, "requested", granularity, "granularity", done, "did", did, "address", hex(address), "am", am,
                    "dropped", n));
        }
        return done;
    }

    /** Runs descriptors from IQH up to IQT (§6.5.2); stops at a bad one with FSTS.IQE. */
    private void processQueue() {
        if (!queueEnabled || (regs.get(fsts) & FSTS_IQE) != 0) {
            return;
        }
        long queue = regs.get(iqa);
        long base = queue & IQA_ADDR_MASK;
        int entries = queueEntries128(queue & IQA_QS_MASK);
        long head = regs.get(iqh) >>> IQ_INDEX_SHIFT_128;
        long tail = regs.get(iqt) >>> IQ_INDEX_SHIFT_128;
        if (tail >= entries || head >= entries) {
            queueError("IQT beyond the queue size " + entries, head);
            return;
        }
        while (head != tail) {
            // Descriptor fetches snoop whatever ECAP.C says: C covers the translation structures only
            // (§10.4.3), and Linux never flushes a descriptor it queues.
            MemorySegment d = unitRead(base + head * VtdInvalidationDescriptorLayout.SIZE,
                    VtdInvalidationDescriptorLayout.SIZE, true);
            String problem = d == null ? "descriptor not in RAM"
                    : execute(d.get(LE_LONG, VtdInvalidationDescriptorLayout.LO), d.get(LE_LONG, VtdInvalidationDescriptorLayout.HI));
            if (problem != null) {
                queueError(problem, head);
                return; // IQH keeps pointing at the descriptor that failed
            }
            queuedDescriptors++;
            head = (head + 1) % entries;
            regs.set(iqh, head << IQ_INDEX_SHIFT_128);
        }
    }

    private void queueError(String problem, long head) {
        int before = faultEventConditions();
        regs.set(fsts, regs.get(fsts) | FSTS_IQE);
        queueErrors++;
        if (kernel.trace().enabled()) {
            kernel.trace().instant(name, "invalidation queue error", kernel.now(), TraceRecorder.args(
                    "problem", problem, "index", head));
        }
        faultEvent(before);
    }

    /** Executes one descriptor; null when done, else what was wrong with it. */
    private String execute(long lo, long hi) {
        int type = VtdInvalidationDescriptorLayout.type(lo);
        int g = VtdInvalidationDescriptorLayout.granularity(lo);
        switch (type) {
            case VtdInvalidationDescriptorLayout.TYPE_CONTEXT_CACHE -> {
                if ((lo & VtdInvalidationDescriptorLayout.CC_LO_RESERVED) != 0 || hi != 0) {
                    return "reserved bits set in a context-cache descriptor";
                }
                int did = (int) ((lo & VtdInvalidationDescriptorLayout.CC_DID_MASK) >>> VtdInvalidationDescriptorLayout.CC_DID_SHIFT);
                int sid = (int) ((lo & VtdInvalidationDescriptorLayout.CC_SID_MASK) >>> VtdInvalidationDescriptorLayout.CC_SID_SHIFT);
                int fm = (int) ((lo & VtdInvalidationDescriptorLayout.CC_FM_MASK) >>> VtdInvalidationDescriptorLayout.CC_FM_SHIFT);
                return invalidateContext(g, did, sid, fm, "queue") == 0 ? "context-cache descriptor with granularity 0" : null;
            }
            case VtdInvalidationDescriptorLayout.TYPE_IOTLB -> {
                if ((lo & VtdInvalidationDescriptorLayout.IOTLB_LO_RESERVED) != 0
                        || (hi & VtdInvalidationDescriptorLayout.IOTLB_HI_RESERVED) != 0) {
                    return "reserved bits set in an IOTLB descriptor";
                }
                int did = (int) ((lo & VtdInvalidationDescriptorLayout.IOTLB_DID_MASK) >>> VtdInvalidationDescriptorLayout.IOTLB_DID_SHIFT);
                int am = (int) (hi & VtdInvalidationDescriptorLayout.IOTLB_HI_AM_MASK);
                return invalidateIotlb(g, did, hi & VtdInvalidationDescriptorLayout.IOTLB_HI_ADDR_MASK, am, "queue") == 0
                        ? "IOTLB descriptor with granularity 0" : null;
            }
            case VtdInvalidationDescriptorLayout.TYPE_INVALIDATION_WAIT -> {
                return invalidationWait(lo, hi);
            }
            default -> {
                // Device-IOTLB (3) needs ECAP.DT, interrupt-entry-cache (4) ECAP.IR: both absent.
                return "descriptor type " + type + " is not supported by this unit";
            }
        }
    }

    /** Invalidation wait (§6.5.2.8): everything before it is done; then status write and/or interrupt. */
    private String invalidationWait(long lo, long hi) {
        if ((lo & VtdInvalidationDescriptorLayout.WAIT_LO_RESERVED) != 0) {
            return "reserved bits set in an invalidation-wait descriptor";
        }
        waitDescriptors++;
        if ((lo & VtdInvalidationDescriptorLayout.WAIT_SW) != 0) {
            if ((hi & ~VtdInvalidationDescriptorLayout.WAIT_HI_ADDR_MASK) != 0) {
                return "invalidation-wait status address is not 4-byte aligned";
            }
            long at = hi & VtdInvalidationDescriptorLayout.WAIT_HI_ADDR_MASK;
            MemorySegment status = memory.ramSlice(at, Integer.BYTES);
            if (status == null) {
                return "invalidation-wait status address " + hex(at) + " is not RAM";
            }
            // A device write: to memory, then the cache learns of it, as for any DMA write (on a
            // non-coherent machine software invalidates the status line before polling it).
            status.set(LE_INT, 0, (int) (lo >>> VtdInvalidationDescriptorLayout.WAIT_STATUS_DATA_SHIFT));
            cache.snoopDeviceWrite(at, Integer.BYTES);
        }
        if ((lo & VtdInvalidationDescriptorLayout.WAIT_IF) != 0) {
            long before = regs.get(ics);
            regs.set(ics, ICS_IWC);
            if ((before & ICS_IWC) == 0) {
                invalidationEvent();
            }
        }
        return null;
    }

    private void invalidationEvent() {
        if ((regs.get(iectl) & ECTL_IM) != 0) {
            invalidationEventPending = true;
            regs.set(iectl, regs.get(iectl) | ECTL_IP);
        } else {
            invalidationEventMessages++;
            sendMessage(regs.get(ieaddr), (int) regs.get(iedata));
        }
    }

    private void completionStatusWritten(long written) {
        if ((written & ICS_IWC) != 0) {
            regs.set(ics, 0);
            if (invalidationEventPending) {
                invalidationEventPending = false; // §10.4.26: serviced before the message went out
                regs.set(iectl, regs.get(iectl) & ~ECTL_IP);
            }
        }
    }

    private void invalidationEventControlWritten(long now) {
        if ((now & ECTL_IM) == 0 && invalidationEventPending) {
            invalidationEventPending = false;
            invalidationEventMessages++;
            sendMessage(regs.get(ieaddr), (int) regs.get(iedata));
        }
        regs.set(iectl, (now & ECTL_IM) | (invalidationEventPending ? ECTL_IP : 0));
    }

    // ---------------------------------------------------------------- reports

    /**
     * A snapshot of the unit's counters, for reports.
     *
     * @param contextInvalidations performed, by granularity: [global, domain, device]
     * @param iotlbInvalidations   performed, by granularity: [global, domain, page]
     */
    public record Counters(long translations, long iotlbHits, long iotlbMisses, long contextCacheHits,
                           long contextCacheMisses, long pageWalks, long walkSteps, long faultsRecorded,
                           long faultsDropped, long faultsSuppressed, List<Long> contextInvalidations,
                           List<Long> iotlbInvalidations, long queuedDescriptors, long waitDescriptors,
                           long queueErrors, long invalidationNs, long faultEventMessages,
                           long invalidationEventMessages) { }

    public synchronized Counters counters() {
        return new Counters(translations, iotlbHits, iotlbMisses, contextHits, contextMisses, pageWalks, walkSteps,
                faultsRecorded, faultsDropped, faultsSuppressed,
                List.of(contextInvalidations[CC_GLOBAL], contextInvalidations[CC_DOMAIN], contextInvalidations[CC_DEVICE]),
                List.of(iotlbInvalidations[IOTLB_GLOBAL], iotlbInvalidations[IOTLB_DOMAIN], iotlbInvalidations[IOTLB_PAGE]),
                queuedDescriptors, waitDescriptors, queueErrors, invalidationNs, faultEventMessages,
                invalidationEventMessages);
    }

    /** The fault recording registers that hold a fault now (F set), in index order. */
    public synchronized List<FaultRecord> pendingFaultRecords() {
        java.util.ArrayList<FaultRecord> out = new java.util.ArrayList<>();
        for (int i = 0; i < frcdHi.length; i++) {
            long hi = regs.get(frcdHi[i]);
            if (VtdFaultRecordLayout.isFault(hi)) {
                out.add(new FaultRecord(i, VtdFaultRecordLayout.sourceId(hi), regs.get(frcdLo[i]),
                        VtdFaultRecordLayout.isRead(hi), VtdFaultRecordLayout.reason(hi)));
            }
        }
        return List.copyOf(out);
    }

    public synchronized boolean translationEnabled() { return translationEnabled; }
    public synchronized long rootTableAddress() { return rootTable; }
    public synchronized long translations() { return translations; }
    public synchronized long iotlbHits() { return iotlbHits; }
    public synchronized long iotlbMisses() { return iotlbMisses; }
    public synchronized long contextCacheHits() { return contextHits; }
    public synchronized long contextCacheMisses() { return contextMisses; }
    public synchronized long pageWalks() { return pageWalks; }
    public synchronized long walkSteps() { return walkSteps; }
    public synchronized long faultsRecorded() { return faultsRecorded; }
    /** Faults lost to overflow (PFO set, or the next record still full). */
    public synchronized long faultsDropped() { return faultsDropped; }
    /** Qualified faults not recorded because the context entry had FPD set. */
    public synchronized long faultsSuppressed() { return faultsSuppressed; }
    public synchronized int iotlbSize() { return iotlb.size(); }
    public synchronized int contextCacheSize() { return contextCache.size(); }

    /** Context-cache invalidations performed at {@code granularity} (1 global, 2 domain, 3 device). */
    public synchronized long contextInvalidations(int granularity) {
        return granularity >= 1 && granularity <= 3 ? contextInvalidations[granularity] : 0;
    }

    /** IOTLB invalidations performed at {@code granularity} (1 global, 2 domain, 3 page). */
    public synchronized long iotlbInvalidations(int granularity) {
        return granularity >= 1 && granularity <= 3 ? iotlbInvalidations[granularity] : 0;
    }

    public synchronized long queuedDescriptors() { return queuedDescriptors; }
    public synchronized long waitDescriptors() { return waitDescriptors; }
    public synchronized long queueErrors() { return queueErrors; }
    /** Modeled time spent on invalidations (each costs {@link VtdConfig#invalidationNs()}). */
    public synchronized long invalidationNs() { return invalidationNs; }
    public synchronized long faultEventMessages() { return faultEventMessages; }
    public synchronized long invalidationEventMessages() { return invalidationEventMessages; }
    /** Event messages not sent because their address register was outside the interrupt range. */
    public synchronized long messagesDropped() { return messagesDropped; }
    public synchronized long writeBufferFlushes() { return writeBufferFlushes; }
    public synchronized long unclaimedRegisterAccesses() { return regs.unclaimedAccesses(); }

    private void trace(String what, Object... args) {
        if (kernel.trace().enabled()) {
            kernel.trace().instant(name, what, kernel.now(), TraceRecorder.args(args));
        }
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    @Override
    public String toString() {
        return String.format("%s[segment %04x, registers %#x, %s]", name, segment, registerBase,
                translationEnabled ? "translating" : "pass-through (translation disabled)");
    }
}
