package org.jdma.machine.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.*;

import java.util.List;
import java.util.function.Consumer;
import org.jdma.machine.bus.Access;
import org.jdma.machine.bus.AddressTranslator;
import org.jdma.machine.bus.InterruptRequest;
import org.jdma.machine.cache.CpuCache;
import org.jdma.machine.irq.InterruptController;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.mmio.MmioHandler;
import org.jdma.machine.mmio.Register;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.msi.MsiMessageLayout;
import org.jdma.spec.pci.RequesterId;
import org.jdma.spec.vtd.VtdFaultReason;

/**
 * One DMA remapping hardware unit (a DRHD): its register page, legacy-mode translation of the
 * requests of the devices it covers, its context cache and IOTLB, register-based and queued
 * invalidation, and primary fault logging with the fault-event interrupt (VT-d spec §3, §6, §7,
 * §9, §10). It is both the {@link MmioHandler} at the DRHD's register base and the
 * {@link AddressTranslator} of every covered device's DMA port.
 *
 * <p>The unit is built from one part per structure or job: the register page
 * ({@link VtdRegisterPage}), translation ({@link DmaRemapper}) over the context cache
 * ({@link ContextCache}) and the IOTLB ({@link Iotlb}), fault recording ({@link FaultRecorder}) with
 * the fault event ({@link EventInterrupt}), register-based invalidation ({@link CacheInvalidator})
 * and the invalidation queue ({@link InvalidationQueue}). This class wires them to the registers,
 * runs the global command protocol (GCMD/GSTS) and is the one lock around all of them.
 *
 * <p>Commands complete at the register write: a GCMD command's status bit, CCMD.ICC and
 * IOTLB.IVT are final when software first polls them: their modeled cost is counted
 * ({@link #invalidationNs()}), not waited. The invalidation queue runs up to IQT when IQT is
 * written, except that a wait descriptor completes only once the invalidations before it have
 * taken their modeled time ({@link InvalidationQueue}).
 *
 * <p>Table walks read physical memory directly, as a device does, never through a DMA port's
 * translation. With ECAP.C (page-walk coherency) the walk snoops the CPU cache first (dirty lines
 * of a write-back cache are written back); without it the walk sees memory as it is, so table
 * lines software left dirty in a write-back cache are stale to the unit. Each entry read costs
 * {@link VtdConfig#walkStepNs()}. Invalidation descriptors are always fetched snooped.
 *
 * <p>Thread use: a device thread (a copy engine in threaded mode) may translate while the CPU
 * thread writes registers and invalidates; every entry point is synchronized on the unit, so a
 * translation sees the tables and caches either before or after an invalidation, never half of
 * one. A fault found on a device thread is recorded in its fault recording register and raises
 * the fault event there, under the lock, at once; what belongs to the machine thread is handed to
 * it through the event kernel's inbox ({@link EventKernel#post}): the fault-event MSI (the
 * interrupt controller posts a message that comes from a device thread), the trace record, the JFR
 * event and the blocked-access listeners ({@link UnitTrace#report}). The machine thread handles
 * them at its next step, at the virtual time of that step.
 */
public final class VtdUnit implements MmioHandler, AddressTranslator {

    /** A DMA request the unit blocked, as reported to listeners (recorded in a fault register or not). */
    public record BlockedAccess(RequesterId requester, long address, boolean write, VtdFaultReason reason,
                                boolean recorded, long atNs) { }

    /** One fault recording register's content, decoded (for reports and the CLI). */
    public record FaultRecord(int index, int sourceId, long pageAddress, boolean read, int reason) { }

    private final String name;
    private final int segment;
    private final long registerBase;
    private final VtdConfig config;
    private final UnitTrace trace;
    private final VtdRegisterPage regs;
    private final ContextCache contextCache;
    private final Iotlb iotlb;
    private final FaultRecorder faults;
    private final DmaRemapper remapper;
    private final CacheInvalidator invalidator;
    /** Null when the unit has no queued invalidation (ECAP.QI = 0). */
    private final InvalidationQueue queue;

    /** Null when the unit has no interrupt remapping (ECAP.IR = 0). */
    private final InterruptRemapper interruptRemapper;

    /** GSTS.TES; volatile for the lock-free check of the disabled case. */
    private volatile boolean translationEnabled;
    /** GSTS.IRES; volatile for the lock-free check on every interrupt request. */
    private volatile boolean interruptRemappingEnabled;
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
        this.trace = new UnitTrace(name, kernel);
        this.regs = new VtdRegisterPage(name, config, hawBits);
        // The unit's own interrupt messages come from the host bridge of its segment.
        RequesterId self = new RequesterId(segment, 0, 0, 0);
        this.contextCache = new ContextCache(config.contextCacheEntries());
        this.iotlb = new Iotlb(config.iotlbEntries(), config.iotlbWays());
        this.faults = new FaultRecorder(regs,
                new EventInterrupt(regs, regs.fectl, regs.fedata, regs.feaddr, interrupts, self), trace);
        UnitMemory unitMemory = new UnitMemory(memory, cache);
        this.remapper = new DmaRemapper(name, config, hawBits, contextCache, iotlb, unitMemory, faults);
        this.invalidator = new CacheInvalidator(regs, config, contextCache, iotlb, trace);
        this.interruptRemapper = config.interruptRemapping() ? new InterruptRemapper(config, unitMemory, faults) : null;
        this.queue = config.queuedInvalidation()
                ? new InvalidationQueue(regs, unitMemory, invalidator, interruptRemapper, faults,
                        new EventInterrupt(regs, regs.iectl, regs.iedata, regs.ieaddr, interrupts, self), trace, kernel,
                        config.invalidationNs(), this)
                : null;
        wireRegisters();
    }

    /** What each register write (and the FSTS read) does, and which part does it. */
    private void wireRegisters() {
        for (Register hi : regs.frcdHi) {
            regs.file.onWrite(hi, (r, now, written) -> faults.recordWritten(r, written));
        }
        regs.file.onWrite(regs.gcmd, (r, now, written) -> globalCommand(written));
        regs.file.onWrite(regs.ccmd, (r, now, written) -> invalidator.contextCommandWritten(now));
        regs.file.onWrite(regs.iotlb, (r, now, written) -> invalidator.iotlbCommandWritten(now));
        regs.file.onWrite(regs.fsts, (r, now, written) -> {
            if (faults.statusWritten(written) && queue != null) {
                queue.process(); // software fixed the queue: carry on from IQH
            }
        });
        regs.file.onRead(regs.fsts, (r, stored) -> faults.statusAsRead(stored));
        regs.file.onWrite(regs.fectl, (r, now, written) -> faults.event().controlWritten(now));
        if (queue != null) {
            regs.file.onWrite(regs.iqt, (r, now, written) -> queue.process());
            regs.file.onWrite(regs.ics, (r, now, written) -> queue.completionStatusWritten(written));
            regs.file.onWrite(regs.iectl, (r, now, written) -> queue.event().controlWritten(now));
        }
    }

    /**
     * Puts the unit back in its power-on state, as a platform reset does: every register at its
     * reset value, translation, queued invalidation and interrupt remapping off, no root or
     * interrupt table latched, the context cache, IOTLB and interrupt entry cache empty, no fault
     * recorded or event held. Listeners stay, and so do the counters (they count over the unit's
     * life, like the machine's other statistics). Memory is not touched: tables live in RAM.
     */
    public synchronized void reset() {
        regs.file.reset();
        translationEnabled = false;
        interruptRemappingEnabled = false;
        contextCache.invalidateAll();
        iotlb.reset();
        faults.reset();
        remapper.reset();
        invalidator.reset();
        if (queue != null) {
            queue.reset();
        }
        if (interruptRemapper != null) {
            interruptRemapper.reset();
        }
        trace.instant("reset");
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
        return regs.file.registers();
    }

    /** Called for every blocked request, recorded or not (attack reports, tests), on the machine thread. */
    public void addBlockedAccessListener(Consumer<BlockedAccess> l) {
        faults.addListener(l);
    }

    public void removeBlockedAccessListener(Consumer<BlockedAccess> l) {
        faults.removeListener(l);
    }

    // ---------------------------------------------------------------- MMIO

    @Override
    public synchronized long read(long offset, int size) {
        return regs.file.read(offset, size);
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        regs.file.write(offset, size, value);
    }

    /** GCMD (§10.4.4): each command bit written acts, and its GSTS twin reports the result. */
    private void globalCommand(long cmd) {
        long status = regs.get(regs.gsts);
        if ((cmd & GCMD_SRTP) != 0) {
            // One-shot: latch RTADDR. Caches are not flushed: software must invalidate globally after.
            remapper.rootTable(regs.get(regs.rtaddr) & RTADDR_RTA_MASK);
            status |= GCMD_SRTP;
            trace.instant("set root table", "root", UnitTrace.hex(remapper.rootTable()));
        }
        boolean te = (cmd & GCMD_TE) != 0;
        if (te != translationEnabled) {
            translationEnabled = te;
            status = te ? status | GCMD_TE : status & ~GCMD_TE;
            trace.instant(te ? "translation enabled" : "translation disabled");
        }
        boolean qie = (cmd & GCMD_QIE) != 0 && queue != null;
        if (queue != null && qie != queue.enabled()) {
            status = qie ? status | GCMD_QIE : status & ~GCMD_QIE;
            queue.enable(qie);
        }
        if ((cmd & GCMD_WBF) != 0) {
            // Nothing is buffered (writes reach memory at once), so the flush is over before GSTS.WBFS
            // can be read: it reads 0. CAP.RWBF is 0, so software need not ask at all.
            writeBufferFlushes++;
        }
        if (interruptRemapper != null) {
            status = interruptRemappingCommand(cmd, status);
        }
        // SFL needs advanced fault logging (CAP.AFL = 0): ignored, FLS stays 0.
        regs.set(regs.gsts, status);
        if (qie) {
            queue.process();
        }
    }

    /**
     * The interrupt-remapping bits of a GCMD write (§10.4.4): SIRTP latches IRTA and sets IRTPS;
     * IRE and CFI are persistent, mirrored in IRES and CFIS. Returns the new GSTS.
     */
    private long interruptRemappingCommand(long cmd, long status) {
        if ((cmd & GCMD_SIRTP) != 0) {
            interruptRemapper.table(regs.get(regs.irta));
            status |= GCMD_SIRTP;
            trace.instant("set interrupt remapping table", "table", UnitTrace.hex(interruptRemapper.tableBase()),
                    "entries", interruptRemapper.tableEntries());
        }
        boolean cfi = (cmd & GCMD_CFI) != 0;
        interruptRemapper.compatibilityAllowed(cfi);
        status = cfi ? status | GCMD_CFI : status & ~GCMD_CFI;
        boolean ire = (cmd & GCMD_IRE) != 0;
        if (ire != interruptRemappingEnabled) {
            interruptRemappingEnabled = ire;
            trace.instant(ire ? "interrupt remapping enabled" : "interrupt remapping disabled");
        }
        return ire ? status | GCMD_IRE : status & ~GCMD_IRE;
    }

    // ---------------------------------------------------------------- interrupt remapping

    @Override
    public boolean remapsInterrupts(RequesterId requester) {
        return interruptRemappingEnabled && requester.segment() == segment;
    }

    /**
     * A covered device's write into the interrupt range, decoded (§5.1): remapped through the
     * table, passed (compatibility format with CFIS set, or remapping disabled), or refused with a
     * recorded interrupt-remapping fault. The unit's own fault and invalidation events are not
     * requests of a covered device and never come here: Linux programs them in compatibility
     * format even with CFI clear, which works on hardware only because they bypass remapping.
     */
    @Override
    public InterruptRequest remapInterrupt(RequesterId requester, long address, int data) {
        if (!remapsInterrupts(requester)) {
            return InterruptRequest.deliver(address, data);
        }
        synchronized (this) {
            if (!interruptRemappingEnabled) {
                return InterruptRequest.deliver(address, data);
            }
            return interruptRemapper.remap(requester, address, data);
        }
    }

    public synchronized boolean interruptRemappingEnabled() { return interruptRemappingEnabled; }

    /** Interrupt requests remapped through the table, compatibility requests passed (CFIS), and blocked. */
    public synchronized long[] interruptCounters() {
        return interruptRemapper == null ? new long[3]
                : new long[] {interruptRemapper.remapped(), interruptRemapper.compatibilityPassed(), interruptRemapper.blocked()};
    }

    /** Interrupts posted into posted-interrupt descriptors, and the notification events sent for them. */
    public synchronized long[] postedInterruptCounters() {
        return interruptRemapper == null ? new long[2]
                : new long[] {interruptRemapper.postedInterrupts(), interruptRemapper.notifications()};
    }

    /** Entries in the interrupt entry cache now. */
    public synchronized int interruptEntryCacheSize() {
        return interruptRemapper == null ? 0 : interruptRemapper.cached();
    }

    /** IEC invalidations performed (global and index-selective). */
    public synchronized long interruptEntryCacheInvalidations() {
        return interruptRemapper == null ? 0 : interruptRemapper.invalidations();
    }

    // ---------------------------------------------------------------- translation

    @Override
    public boolean passesThrough(RequesterId requester) {
        return !translationEnabled || requester.segment() != segment;
    }

    @Override
    public Translation translate(RequesterId requester, long address, long length, Access access) {
        AddressTranslator.Result out = new AddressTranslator.Result();
        translateInto(requester, address, length, access, out);
        return out.toTranslation();
    }

    @Override
    public void translateInto(RequesterId requester, long address, long length, Access access, AddressTranslator.Result out) {
        if (!translationEnabled || requester.segment() != segment || MsiMessageLayout.isInterruptAddress(address)) {
            // Disabled: the reset state passes requests through (read without the lock: the common
            // case of an untranslated machine pays no lock per request). Interrupt-range requests
            // are never remapped (§3.13): the bus handles them.
            out.allow(address, length, 0);
            return;
        }
        synchronized (this) {
            if (!translationEnabled) {
                out.allow(address, length, 0); // disabled between the check and the lock
                return;
            }
            remapper.translate(requester, address, length, access, out);
        }
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
        return new Counters(translations(), iotlbHits(), iotlbMisses(), contextCacheHits(), contextCacheMisses(),
                pageWalks(), walkSteps(), faultsRecorded(), faultsDropped(), faultsSuppressed(),
                List.of(contextInvalidations(CC_GLOBAL), contextInvalidations(CC_DOMAIN), contextInvalidations(CC_DEVICE)),
                List.of(iotlbInvalidations(IOTLB_GLOBAL), iotlbInvalidations(IOTLB_DOMAIN), iotlbInvalidations(IOTLB_PAGE)),
                queuedDescriptors(), waitDescriptors(), queueErrors(), invalidationNs(), faultEventMessages(),
                invalidationEventMessages());
    }

    /** The fault recording registers that hold a fault now (F set), in index order. */
    public synchronized List<FaultRecord> pendingFaultRecords() {
        return faults.pendingRecords();
    }

    public synchronized boolean translationEnabled() { return translationEnabled; }
    public synchronized long rootTableAddress() { return remapper.rootTable(); }
    public synchronized long translations() { return remapper.translations(); }
    public synchronized long iotlbHits() { return remapper.iotlbHits(); }
    public synchronized long iotlbMisses() { return remapper.iotlbMisses(); }
    public synchronized long contextCacheHits() { return remapper.contextHits(); }
    public synchronized long contextCacheMisses() { return remapper.contextMisses(); }
    public synchronized long pageWalks() { return remapper.pageWalks(); }
    public synchronized long walkSteps() { return remapper.walkSteps(); }
    public synchronized long faultsRecorded() { return faults.recorded(); }
    /** Faults lost to overflow (PFO set, or the next record still full). */
    public synchronized long faultsDropped() { return faults.dropped(); }
    /** Qualified faults not recorded because the context entry had FPD set. */
    public synchronized long faultsSuppressed() { return faults.suppressed(); }
    public synchronized int iotlbSize() { return iotlb.size(); }
    public synchronized int contextCacheSize() { return contextCache.size(); }

    /** Context-cache invalidations performed at {@code granularity} (1 global, 2 domain, 3 device). */
    public synchronized long contextInvalidations(int granularity) {
        return invalidator.contextInvalidations(granularity);
    }

    /** IOTLB invalidations performed at {@code granularity} (1 global, 2 domain, 3 page). */
    public synchronized long iotlbInvalidations(int granularity) {
        return invalidator.iotlbInvalidations(granularity);
    }

    public synchronized long queuedDescriptors() { return queue == null ? 0 : queue.queuedDescriptors(); }
    public synchronized long waitDescriptors() { return queue == null ? 0 : queue.waitDescriptors(); }
    public synchronized long queueErrors() { return queue == null ? 0 : queue.queueErrors(); }
    /** Modeled time spent on invalidations (each costs {@link VtdConfig#invalidationNs()}). */
    public synchronized long invalidationNs() { return invalidator.invalidationNs(); }
    public synchronized long faultEventMessages() { return faults.event().messages(); }
    public synchronized long invalidationEventMessages() { return queue == null ? 0 : queue.event().messages(); }

    /** Event messages not sent because their address register was outside the interrupt range. */
    public synchronized long messagesDropped() {
        return faults.event().dropped() + (queue == null ? 0 : queue.event().dropped());
    }

    public synchronized long writeBufferFlushes() { return writeBufferFlushes; }
    public synchronized long unclaimedRegisterAccesses() { return regs.file.unclaimedAccesses(); }

    @Override
    public String toString() {
        return String.format("%s[segment %04x, registers %#x, %s]", name, segment, registerBase,
                translationEnabled ? "translating" : "pass-through (translation disabled)");
    }
}
