package org.jdma.machine.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.*;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jdma.machine.memory.RamRegion;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.vtd.VtdInvalidationDescriptorLayout;

/**
 * Queued invalidation (VT-d §6.5.2): software writes 128-bit descriptors into a ring in memory
 * (IQA) and moves the tail (IQT); the unit runs them from the head (IQH): context-cache, IOTLB
 * and interrupt-entry-cache descriptors through the {@link CacheInvalidator} (their entries are
 * dropped at once), invalidation-wait descriptors with a status write and/or the invalidation
 * completion event. A descriptor it cannot run (reserved bits, an unsupported type, granularity
 * 0, a status address that is not RAM) stops the queue with FSTS.IQE, IQH left pointing at it,
 * until software clears IQE.
 *
 * <p>Each invalidation keeps the unit busy for {@link VtdConfig#invalidationNs()} of virtual time,
 * one after another. A wait descriptor completes only when the unit is no longer busy (§6.5.2.8:
 * it reports that everything before it is done): until then IQH points at it, and the queue goes
 * on by itself at that time. So software polling a wait's status spends the invalidations' time,
 * as a driver spinning on it does on hardware.
 *
 * <p>Not thread-safe: the owning {@link VtdUnit} serialises every access.
 */
final class InvalidationQueue {

    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final VtdRegisterPage regs;
    private final UnitMemory memory;
    private final CacheInvalidator invalidator;
    /** Null without interrupt remapping: IEC descriptors are then an unsupported type. */
    private final InterruptRemapper interruptRemapper;
    private final FaultRecorder faults;
    private final EventInterrupt event;
    private final UnitTrace trace;
    private final EventKernel kernel;
    private final long invalidationNs;
    /** The owning unit, whose lock the queue's own later steps take. */
    private final Object unitLock;
    /** GSTS.QIES. */
    private boolean enabled;
    /** Virtual time until which the invalidations taken so far keep the unit busy. */
    private long busyUntil;
    /** Whether a later step of the queue (at {@link #busyUntil}) is scheduled. */
    private boolean stepScheduled;
    private final Runnable step;
    private long queuedDescriptors;
    private long waitDescriptors;
    private long queueErrors;

    InvalidationQueue(VtdRegisterPage regs, UnitMemory memory, CacheInvalidator invalidator, InterruptRemapper interruptRemapper,
                      FaultRecorder faults, EventInterrupt event, UnitTrace trace, EventKernel kernel, long invalidationNs,
                      Object unitLock) {
        this.regs = regs;
        this.kernel = kernel;
        this.invalidationNs = invalidationNs;
        this.unitLock = unitLock;
        this.step = () -> {
            synchronized (unitLock) {
                stepScheduled = false;
                process();
            }
        };
        this.memory = memory;
        this.invalidator = invalidator;
        this.interruptRemapper = interruptRemapper;
        this.faults = faults;
        this.event = event;
        this.trace = trace;
    }

    boolean enabled() {
        return enabled;
    }

    /** Power-on state: disabled, no event held (the registers are reset by the page); counters are kept. */
    void reset() {
        enabled = false;
        busyUntil = 0; // a step still scheduled finds the queue disabled
        event.reset();
    }

    /** GCMD.QIE changed: §10.4.22, IQH reads 0 whenever queued invalidation is disabled. */
    void enable(boolean on) {
        enabled = on;
        regs.set(regs.iqh, 0);
        trace.instant(on ? "queued invalidation enabled" : "queued invalidation disabled");
    }

    /** Runs descriptors from IQH up to IQT (§6.5.2); stops at a bad one with FSTS.IQE. */
    void process() {
        if (!enabled || faults.queueErrorPending()) {
            return;
        }
        long queue = regs.get(regs.iqa);
        long base = queue & IQA_ADDR_MASK;
        int entries = queueEntries128(queue & IQA_QS_MASK);
        long head = regs.get(regs.iqh) >>> IQ_INDEX_SHIFT_128;
        long tail = regs.get(regs.iqt) >>> IQ_INDEX_SHIFT_128;
        if (tail >= entries || head >= entries) {
            error("IQT beyond the queue size " + entries, head);
            return;
        }
        while (head != tail) {
            // Descriptor fetches snoop whatever ECAP.C says: C covers the translation structures only
            // (§10.4.3), and Linux never flushes a descriptor it queues.
            long at = base + head * VtdInvalidationDescriptorLayout.SIZE;
            RamRegion d = memory.readRegion(at, VtdInvalidationDescriptorLayout.SIZE, true);
            String problem;
            if (d == null) {
                problem = "descriptor not in RAM";
            } else {
                long lo = d.memory().get(LE_LONG, at - d.base() + VtdInvalidationDescriptorLayout.LO);
                long hi = d.memory().get(LE_LONG, at - d.base() + VtdInvalidationDescriptorLayout.HI);
                int type = VtdInvalidationDescriptorLayout.type(lo);
                if (type == VtdInvalidationDescriptorLayout.TYPE_INVALIDATION_WAIT && busyUntil > kernel.now()) {
                    stepAtBusyEnd();
                    return; // IQH points at the wait until the invalidations before it are done
                }
                problem = execute(lo, hi);
                if (problem == null && type != VtdInvalidationDescriptorLayout.TYPE_INVALIDATION_WAIT) {
                    busyUntil = Math.max(busyUntil, kernel.now()) + invalidationNs;
                }
            }
            if (problem != null) {
                error(problem, head);
                return; // IQH keeps pointing at the descriptor that failed
            }
            queuedDescriptors++;
            head = (head + 1) % entries;
            regs.set(regs.iqh, head << IQ_INDEX_SHIFT_128);
        }
    }

    /** Schedules the queue's next step for when the unit is no longer busy (once). */
    private void stepAtBusyEnd() {
        if (stepScheduled) {
            return;
        }
        stepScheduled = true;
        kernel.schedule(busyUntil - kernel.now(), "invalidation queue", step);
    }

    private void error(String problem, long head) {
        queueErrors++;
        faults.queueError(problem, head);
    }

    /** Executes one descriptor (§6.5.2.1-6.5.2.8); null when done, else what was wrong with it. */
    private String execute(long lo, long hi) {
        int type = VtdInvalidationDescriptorLayout.type(lo);
        int g = VtdInvalidationDescriptorLayout.granularity(lo);
        return switch (type) {
            case VtdInvalidationDescriptorLayout.TYPE_CONTEXT_CACHE -> contextCache(lo, hi, g);
            case VtdInvalidationDescriptorLayout.TYPE_IOTLB -> iotlb(lo, hi, g);
            case VtdInvalidationDescriptorLayout.TYPE_INVALIDATION_WAIT -> invalidationWait(lo, hi);
            case VtdInvalidationDescriptorLayout.TYPE_INTERRUPT_ENTRY_CACHE -> interruptRemapper == null
                    ? "descriptor type " + type + " (interrupt entry cache) needs ECAP.IR" : interruptEntryCache(lo, hi);
            // Device-IOTLB (3) needs ECAP.DT, absent.
            default -> "descriptor type " + type + " is not supported by this unit";
        };
    }

    /** Context-cache invalidate descriptor (§6.5.2.1). */
    private String contextCache(long lo, long hi, int g) {
        if ((lo & VtdInvalidationDescriptorLayout.CC_LO_RESERVED) != 0 || hi != 0) {
            return "reserved bits set in a context-cache descriptor";
        }
        int did = (int) ((lo & VtdInvalidationDescriptorLayout.CC_DID_MASK) >>> VtdInvalidationDescriptorLayout.CC_DID_SHIFT);
        int sid = (int) ((lo & VtdInvalidationDescriptorLayout.CC_SID_MASK) >>> VtdInvalidationDescriptorLayout.CC_SID_SHIFT);
        int fm = (int) ((lo & VtdInvalidationDescriptorLayout.CC_FM_MASK) >>> VtdInvalidationDescriptorLayout.CC_FM_SHIFT);
        return invalidator.invalidateContext(g, did, sid, fm, "queue") == 0 ? "context-cache descriptor with granularity 0" : null;
    }

    /** IOTLB invalidate descriptor (§6.5.2.3). */
    private String iotlb(long lo, long hi, int g) {
        if ((lo & VtdInvalidationDescriptorLayout.IOTLB_LO_RESERVED) != 0
                || (hi & VtdInvalidationDescriptorLayout.IOTLB_HI_RESERVED) != 0) {
            return "reserved bits set in an IOTLB descriptor";
        }
        int did = (int) ((lo & VtdInvalidationDescriptorLayout.IOTLB_DID_MASK) >>> VtdInvalidationDescriptorLayout.IOTLB_DID_SHIFT);
        int am = (int) (hi & VtdInvalidationDescriptorLayout.IOTLB_HI_AM_MASK);
        return invalidator.invalidateIotlb(g, did, hi & VtdInvalidationDescriptorLayout.IOTLB_HI_ADDR_MASK, am, "queue") == 0
                ? "IOTLB descriptor with granularity 0" : null;
    }

    /** Interrupt entry cache invalidate descriptor (§6.5.2.7): global, or 2^IM entries from IIDX. */
    private String interruptEntryCache(long lo, long hi) {
        if ((lo & VtdInvalidationDescriptorLayout.IEC_LO_RESERVED) != 0 || hi != 0) {
            return "reserved bits set in an interrupt-entry-cache descriptor";
        }
        int im = VtdInvalidationDescriptorLayout.iecMask(lo);
        if ((lo & VtdInvalidationDescriptorLayout.IEC_G_INDEX) == 0) {
            interruptRemapper.invalidateAll();
        } else if (im > VtdConfig.MAX_HANDLE_MASK) {
            return "interrupt-entry-cache descriptor with IM " + im + " above ECAP.MHMV " + VtdConfig.MAX_HANDLE_MASK;
        } else {
            interruptRemapper.invalidate(VtdInvalidationDescriptorLayout.iecIndex(lo), im);
        }
        trace.instant("interrupt entry cache invalidation", "global", (lo & VtdInvalidationDescriptorLayout.IEC_G_INDEX) == 0,
                "index", VtdInvalidationDescriptorLayout.iecIndex(lo), "im", im);
        return null;
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
            if (!memory.writeInt(at, (int) (lo >>> VtdInvalidationDescriptorLayout.WAIT_STATUS_DATA_SHIFT))) {
                return "invalidation-wait status address " + UnitTrace.hex(at) + " is not RAM";
            }
        }
        if ((lo & VtdInvalidationDescriptorLayout.WAIT_IF) != 0) {
            long before = regs.get(regs.ics);
            regs.set(regs.ics, ICS_IWC);
            if ((before & ICS_IWC) == 0) {
                event.raise();
            }
        }
        return null;
    }

    /** ICS written: IWC is RW1C; clearing it services a held completion event (§10.4.26). */
    void completionStatusWritten(long written) {
        if ((written & ICS_IWC) != 0) {
            regs.set(regs.ics, 0);
            event.serviced();
        }
    }

    EventInterrupt event() { return event; }
    long queuedDescriptors() { return queuedDescriptors; }
    long waitDescriptors() { return waitDescriptors; }
    long queueErrors() { return queueErrors; }
}
