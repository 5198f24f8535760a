package org.jdma.kernel.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.*;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.kernel.iommu.IommuFaultListener;
import org.jdma.platform.Clock;
import org.jdma.platform.irq.Interrupts;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.pci.RequesterId;
import org.jdma.spec.vtd.VtdCapabilityLayout;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.vtd.VtdFaultRecordLayout;

/**
 * The driver's side of primary fault logging (VT-d §7.2.1, §7.3): the fault event MSI programmed
 * into FEDATA/FEADDR/FEUADDR and unmasked; on each event the fault recording registers read from
 * FSTS.FRI on, each record decoded into an {@link IommuFault} (generic kind and the VT-d reason,
 * {@link VtdFaultDecoder}), its F bit cleared, and the fault logged and reported to the listeners;
 * then PFO counted and cleared (faults the unit dropped because every record was full are lost,
 * as on hardware). Linux {@code dmar_fault}.
 *
 * <p>Threads: the log and its counters are guarded by the log's monitor; the handler itself runs
 * under the driver's lock.
 */
final class VtdFaultHandler {

    private static final int FRCD_HI_UPPER_DWORD = VtdFaultRecordLayout.HI + 4;

    private final UnitRegisters regs;
    private final Clock clock;
    private final long cap;
    private final int segment;
    private final List<IommuFaultListener> listeners = new CopyOnWriteArrayList<>();
    private final List<IommuFault> faultLog = new ArrayList<>();
    private final Map<VtdFaultReason, Long> faultsByReason = new EnumMap<>(VtdFaultReason.class);
    private int vector = -1;
    private long faults;
    private long overflows;

    VtdFaultHandler(UnitRegisters regs, Clock clock, long cap, int segment) {
        this.regs = regs;
        this.clock = clock;
        this.cap = cap;
        this.segment = segment;
    }

    /** Allocates a vector for the fault event, routes it to {@code handler}, programs and unmasks the MSI. */
    void enable(Interrupts interrupts, Runnable handler) {
        vector = interrupts.allocateVector();
        interrupts.register(vector, v -> handler.run());
        MsiMessage msg = interrupts.messageFor(vector);
        regs.write32(FEDATA, msg.data());
        regs.write32(FEADDR, (int) msg.address());
        regs.write32(FEUADDR, (int) (msg.address() >>> 32));
        regs.write32(FECTL, 0); // clear IM: fault events raise the MSI
    }

    /** Masks the fault event and returns its vector. */
    void disable(Interrupts interrupts) {
        regs.write32(FECTL, ECTL_IM);
        if (vector >= 0) {
            interrupts.freeVector(vector);
            vector = -1;
        }
    }

    /** The handler is running (its register reads may run a nested fault event); guarded by the driver's lock. */
    private boolean handling;
    /** A fault event arrived while it ran: read FSTS again before returning. */
    private boolean again;

    int vector() {
        return vector;
    }

    void addListener(IommuFaultListener l) {
        listeners.add(Objects.requireNonNull(l, "listener"));
    }

    void removeListener(IommuFaultListener l) {
        listeners.remove(l);
    }

    /**
     * Reads every pending record from FRI on, reports each, then counts and clears PFO; returns the
     * records read. A fault event that arrives while the handler runs (each register read lets the
     * machine's event loop run, and with it the next fault-event interrupt) does not run a second
     * handler over the same records, which would report a record twice: it makes this one read
     * FSTS again when it is done, as Linux's {@code dmar_fault}, which runs with interrupts off,
     * meets the next event after it returns.
     */
    int handle() {
        if (handling) {
            again = true;
            return 0;
        }
        handling = true;
        try {
            int handled = 0;
            do {
                again = false;
                handled += handleOnce();
            } while (again);
            return handled;
        } finally {
            handling = false;
        }
    }

    private int handleOnce() {
        int fsts = regs.read32(FSTS);
        int handled = 0;
        if ((fsts & FSTS_PPF) != 0) {
            int records = VtdCapabilityLayout.faultRecordCount(cap);
            int fro = VtdCapabilityLayout.fro(cap);
            int index = (fsts & FSTS_FRI_MASK) >>> FSTS_FRI_SHIFT;
            for (int n = 0; n < records; n++) {
                int off = frcdOffset(fro, index);
                long hi = regs.read64(off + VtdFaultRecordLayout.HI);
                if (!VtdFaultRecordLayout.isFault(hi)) {
                    break;
                }
                long lo = regs.read64(off + VtdFaultRecordLayout.LO);
                regs.write32(off + FRCD_HI_UPPER_DWORD, (int) (VtdFaultRecordLayout.HI_F >>> 32));
                report(lo, hi);
                handled++;
                index = (index + 1) % records;
            }
        }
        // Read FSTS again: an overflow may have happened while the records were being read, and
        // the clear below would otherwise erase it unseen.
        int after = regs.read32(FSTS);
        if (((fsts | after) & FSTS_PFO) != 0) {
            synchronized (faultLog) {
                overflows++;
            }
        }
        regs.write32(FSTS, FSTS_PFO | ((fsts | after) & (FSTS_AFO | FSTS_APF)));
        return handled;
    }

    private void report(long lo, long hi) {
        int sid = VtdFaultRecordLayout.sourceId(hi);
        RequesterId device = new RequesterId(segment, sid >>> 8, (sid >>> 3) & 0x1F, sid & 0x7);
        int code = VtdFaultRecordLayout.reason(hi);
        boolean interrupt = VtdFaultReason.ofCode(code).map(VtdFaultReason::interruptRemapping).orElse(false);
        // An interrupt-remapping record holds the interrupt index in FI bits 63:48, not a page.
        IommuFault f = interrupt
                ? new IommuFault(regs.base(), device, IommuFault.INTERRUPT_RANGE, false, VtdFaultDecoder.kindOf(code),
                        VtdFaultDecoder.detailOf(code), clock.now(), VtdFaultRecordLayout.interruptIndex(lo))
                : new IommuFault(regs.base(), device, lo & VtdFaultRecordLayout.LO_FI_MASK, VtdFaultRecordLayout.isRead(hi),
                        VtdFaultDecoder.kindOf(code), VtdFaultDecoder.detailOf(code), clock.now());
        synchronized (faultLog) {
            faults++;
            faultLog.add(f);
            VtdFaultReason.ofCode(code).ifPresent(r -> faultsByReason.merge(r, 1L, Long::sum));
        }
        for (IommuFaultListener l : listeners) {
            l.onFault(f);
        }
    }

    /** Faults read so far, oldest first. */
    List<IommuFault> faults() {
        synchronized (faultLog) {
            return List.copyOf(faultLog);
        }
    }

    long count(VtdFaultReason reason) {
        synchronized (faultLog) {
            return faultsByReason.getOrDefault(reason, 0L);
        }
    }

    /** Faults read, and overflows seen, as one consistent pair. */
    long[] counts() {
        synchronized (faultLog) {
            return new long[] {faults, overflows};
        }
    }
}
