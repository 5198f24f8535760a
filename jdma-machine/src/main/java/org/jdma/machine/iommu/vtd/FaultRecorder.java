package org.jdma.machine.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.FSTS_FRI_SHIFT;
import static org.jdma.spec.vtd.VtdRegisterLayout.FSTS_IQE;
import static org.jdma.spec.vtd.VtdRegisterLayout.FSTS_PFO;
import static org.jdma.spec.vtd.VtdRegisterLayout.FSTS_PPF;
import static org.jdma.spec.vtd.VtdRegisterLayout.FSTS_RW1C;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jdma.machine.bus.AddressTranslator.Translation;
import org.jdma.machine.bus.InterruptRequest;
import org.jdma.machine.jfr.IommuFaultEvent;
import org.jdma.machine.mmio.Register;
import org.jdma.spec.pci.RequesterId;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.vtd.VtdFaultRecordLayout;

/**
 * Primary fault logging (VT-d §7.2.1) and the fault status: each blocked request is recorded in
 * the next fault recording register, unless its context entry's FPD suppresses a qualified fault
 * (§7.1.3), or the log overflows (FSTS.PFO set, or the next record still holds a fault: the fault
 * is lost and PFO set). FSTS reads PPF while any record holds a fault and FRI as the first of them.
 * A fault event (§7.3) is raised when the fault conditions (PFO, PPF, IQE) go from none to some,
 * and its held message is dropped when software has serviced every condition (§10.4.10).
 *
 * <p>Every blocked request, recorded or not, is traced and reported to the listeners, and answered
 * with the generic kind of its reason ({@link VtdFaultKinds}). The record and the fault event are
 * made at once, under the unit's lock, on whatever thread translated; the trace, the JFR event and
 * the listeners run on the machine thread ({@link UnitTrace#report}), so a listener never runs on
 * a device thread.
 *
 * <p>Not thread-safe: the owning {@link VtdUnit} serialises every access.
 */
final class FaultRecorder {

    /** FSTS bits whose rise makes a fault event (§7.3): PFO, PPF, IQE (AFO/APF/ICE/ITE never set here). */
    private static final int FAULT_EVENT_CONDITIONS = FSTS_PFO | FSTS_PPF | FSTS_IQE;

    private final VtdRegisterPage regs;
    private final EventInterrupt event;
    private final UnitTrace trace;
    private final List<Consumer<VtdUnit.BlockedAccess>> listeners = new CopyOnWriteArrayList<>();
    private int nextRecord;
    private int firstPendingRecord;
    /** Records holding a fault (F set): FSTS.PPF, which every FSTS read reports, without a scan. */
    private int pendingRecords;
    private long recorded;
    private long dropped;
    private long suppressed;

    FaultRecorder(VtdRegisterPage regs, EventInterrupt event, UnitTrace trace) {
        this.regs = regs;
        this.event = event;
        this.trace = trace;
    }

    /** Power-on state: recording starts at register 0 again (the registers are reset by the page); counters are kept. */
    void reset() {
        nextRecord = 0;
        firstPendingRecord = 0;
        pendingRecords = 0;
        event.reset();
    }

    /**
     * Fault reasons that are "qualified" (§7.1.3 Table 25; QEMU's {@code vtd_qualified_faults}):
     * not recorded when the context entry's FPD is set. Root-level and table-access faults are
     * always recorded (no context entry says otherwise).
     */
    static boolean qualified(VtdFaultReason r) {
        return switch (r) {
            case CONTEXT_ENTRY_NOT_PRESENT, CONTEXT_ENTRY_INVALID, ADDRESS_BEYOND_MGAW, WRITE_NOT_PERMITTED,
                 READ_NOT_PERMITTED, PAGING_ENTRY_INVALID, PAGING_ENTRY_RESERVED, BLOCKED_BY_TRANSLATION_TYPE -> true;
            // Interrupt remapping (§7.1.1): the IRTE's FPD qualifies the faults found in the entry.
            case IR_ENTRY_NOT_PRESENT, IR_ENTRY_RESERVED, IR_SOURCE_INVALID -> true;
            default -> false;
        };
    }

    /**
     * Blocks a request: records the fault (unless {@code fpd} suppresses it), traces it, tells the
     * listeners, and returns the refusal the bus sees.
     *
     * @param fpd    the FPD bit of the context entry fetched for the request (false before one was)
     * @param costNs what the lookup cost up to the fault
     */
    Translation block(RequesterId requester, long address, boolean write, VtdFaultReason reason, boolean fpd, long costNs) {
        boolean isSuppressed = fpd && qualified(reason);
        boolean isRecorded = false;
        if (isSuppressed) {
            suppressed++;
        } else {
            isRecorded = record(requester.sourceId(), address & VtdFaultRecordLayout.LO_FI_MASK, write, reason);
        }
        boolean recordedNow = isRecorded;
        trace.report(() -> reportBlocked(requester, address, write, reason, recordedNow, isSuppressed));
        return Translation.fault(VtdFaultKinds.kindOf(reason), VtdFaultKinds.detailOf(reason), costNs);
    }

    /**
     * Blocks an interrupt request (interrupt remapping, §7.1.1): records the fault with the
     * interrupt index in FI (unless the entry's FPD suppresses it), traces it, tells the listeners
     * (the request's address as the blocked access, a write), and returns the refusal the bus sees.
     */
    InterruptRequest blockInterrupt(RequesterId requester, long address, int index, VtdFaultReason reason, boolean fpd) {
        boolean isSuppressed = fpd && qualified(reason);
        boolean isRecorded = false;
        if (isSuppressed) {
            suppressed++;
        } else {
            isRecorded = record(requester.sourceId(), VtdFaultRecordLayout.loInterrupt(index), true, reason);
        }
        boolean recordedNow = isRecorded;
        trace.report(() -> {
            IommuFaultEvent.emit(trace.name(), requester, address, true, true, reason.name(), reason.code(), recordedNow, trace.now());
            if (trace.enabled()) {
                trace.instant("interrupt fault " + reason.name(), "requester", requester.toString(), "address", UnitTrace.hex(address),
                        "index", index, "reason", reason.code(), "recorded", recordedNow, "fpd", isSuppressed);
            }
            tellListeners(requester, address, true, reason, recordedNow);
        });
        return InterruptRequest.refuse(VtdFaultKinds.kindOf(reason), VtdFaultKinds.detailOf(reason));
    }

    /** The JFR event, the trace record and the listeners of a blocked memory request (on the machine thread). */
    private void reportBlocked(RequesterId requester, long address, boolean write, VtdFaultReason reason, boolean isRecorded,
                               boolean isSuppressed) {
        IommuFaultEvent.emit(trace.name(), requester, address, write, false, reason.name(), reason.code(), isRecorded, trace.now());
        if (trace.enabled()) {
            trace.instant("fault " + reason.name(), "requester", requester.toString(), "address", UnitTrace.hex(address),
                    "access", write ? "write" : "read", "reason", reason.code(), "recorded", isRecorded, "fpd", isSuppressed);
        }
        tellListeners(requester, address, write, reason, isRecorded);
    }

    private void tellListeners(RequesterId requester, long address, boolean write, VtdFaultReason reason, boolean isRecorded) {
        if (!listeners.isEmpty()) {
            VtdUnit.BlockedAccess b = new VtdUnit.BlockedAccess(requester, address, write, reason, isRecorded, trace.now());
            for (Consumer<VtdUnit.BlockedAccess> l : listeners) {
                l.accept(b);
            }
        }
    }

    /** Primary fault logging (§7.2.1): the record at the next index (lower half {@code lo}), or overflow. */
    private boolean record(int sourceId, long lo, boolean write, VtdFaultReason reason) {
        long status = regs.get(regs.fsts);
        if ((status & FSTS_PFO) != 0) {
            // While PFO is set no new fault is recorded (§10.4.9).
            dropped++;
            return false;
        }
        int before = conditions();
        if (VtdFaultRecordLayout.isFault(regs.get(regs.frcdHi[nextRecord]))) {
            regs.set(regs.fsts, status | FSTS_PFO);
            dropped++;
            raiseIfFirst(before);
            return false;
        }
        if (!anyRecordPending()) {
            firstPendingRecord = nextRecord;
        }
        regs.set(regs.frcdLo[nextRecord], lo);
        regs.set(regs.frcdHi[nextRecord], VtdFaultRecordLayout.hi(sourceId, reason.code(), !write));
        pendingRecords++;
        nextRecord = (nextRecord + 1) % regs.frcdHi.length;
        recorded++;
        raiseIfFirst(before);
        return true;
    }

    private boolean anyRecordPending() {
        return pendingRecords > 0;
    }

    private int conditions() {
        return (int) (statusAsRead(regs.get(regs.fsts)) & FAULT_EVENT_CONDITIONS);
    }

    /** FSTS as read: stored RW1C bits, PPF while any record holds a fault, FRI of the first one. */
    long statusAsRead(long stored) {
        long s = stored & FSTS_RW1C;
        if (anyRecordPending()) {
            s |= FSTS_PPF | ((long) firstPendingRecord << FSTS_FRI_SHIFT);
        }
        return s;
    }

    /** A fault event (§7.3) when the conditions went from none to some. */
    private void raiseIfFirst(int conditionsBefore) {
        if (conditionsBefore == 0 && conditions() != 0) {
            event.raise();
        }
    }

    /** Software wrote a record's upper half: F is RW1C. */
    void recordWritten(Register hi, long written) {
        if ((written & VtdFaultRecordLayout.HI_F) != 0) {
            long held = regs.get(hi);
            if (VtdFaultRecordLayout.isFault(held)) {
                pendingRecords--;
            }
            regs.set(hi, held & ~VtdFaultRecordLayout.HI_F);
            conditionsServiced();
        }
    }

    /** Software wrote FSTS (RW1C bits); true when that cleared IQE, so the invalidation queue may resume. */
    boolean statusWritten(long written) {
        long stored = regs.get(regs.fsts);
        long cleared = written & FSTS_RW1C & stored;
        regs.set(regs.fsts, stored & ~cleared);
        conditionsServiced();
        return (cleared & FSTS_IQE) != 0;
    }

    /** §10.4.10: IP clears when software has serviced every fault condition. */
    private void conditionsServiced() {
        if (event.pending() && conditions() == 0) {
            event.serviced();
        }
    }

    /**
     * The invalidation queue stopped at a bad descriptor (§6.5.2.10): FSTS.IQE, a fault condition.
     *
     * @param problem what was wrong, for the trace
     * @param index   the queue index of the descriptor
     */
    void queueError(String problem, long index) {
        int before = conditions();
        regs.set(regs.fsts, regs.get(regs.fsts) | FSTS_IQE);
        trace.instant("invalidation queue error", "problem", problem, "index", index);
        raiseIfFirst(before);
    }

    /** Whether FSTS.IQE is set (the queue stays stopped until software clears it). */
    boolean queueErrorPending() {
        return (regs.get(regs.fsts) & FSTS_IQE) != 0;
    }

    /** The fault recording registers that hold a fault now (F set), in index order. */
    List<VtdUnit.FaultRecord> pendingRecords() {
        List<VtdUnit.FaultRecord> out = new ArrayList<>();
        for (int i = 0; i < regs.frcdHi.length; i++) {
            long hi = regs.get(regs.frcdHi[i]);
            if (VtdFaultRecordLayout.isFault(hi)) {
                out.add(new VtdUnit.FaultRecord(i, VtdFaultRecordLayout.sourceId(hi), regs.get(regs.frcdLo[i]),
                        VtdFaultRecordLayout.isRead(hi), VtdFaultRecordLayout.reason(hi)));
            }
        }
        return List.copyOf(out);
    }

    void addListener(Consumer<VtdUnit.BlockedAccess> l) {
        listeners.add(l);
    }

    void removeListener(Consumer<VtdUnit.BlockedAccess> l) {
        listeners.remove(l);
    }

    long recorded() { return recorded; }
    long dropped() { return dropped; }
    long suppressed() { return suppressed; }
    EventInterrupt event() { return event; }
}
