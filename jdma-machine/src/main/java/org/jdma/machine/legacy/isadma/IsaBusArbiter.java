package org.jdma.machine.legacy.isadma;

import org.jdma.machine.cpu.MachineCpus;
import org.jdma.machine.cpu.MemoryBusGate;
import org.jdma.machine.time.EventKernel;
import org.jdma.machine.time.TraceRecorder;

/**
 * Who owns the memory bus, CPU or DMA, in modeled time: HRQ from the controllers, HLDA at the end
 * of the CPU's bus cycle (or, with transparent timing, only in a clock the CPU leaves idle), and
 * the release. While DMA owns the bus the arbiter is the CPUs' {@link MemoryBusGate}: a CPU RAM
 * access waits until the release and the wait is counted on that CPU; an optional
 * {@link CpuBusWorkload} stands for code that uses the bus at a known rate.
 *
 * <p>It records ownership on the trace track {@value #TRACK} (a slice per grant; HRQ, HLDA and
 * the release as instants) and keeps the counters every run reports: grants, held time, the
 * longest hold.
 *
 * <p>Thread use: the event thread (CPU accesses wait by running the event kernel).
 */
public final class IsaBusArbiter implements MemoryBusGate {

    /** The trace track of bus ownership. */
    public static final String TRACK = "isa-bus";

    private final EventKernel kernel;
    private final MachineCpus cpus;
    private final IsaBusTiming timing;
    private CpuBusWorkload workload;
    private boolean hrq;
    private boolean dmaOwns;
    private boolean waitingCpu;
    private long hrqAt;
    private long holdStart;
    private long grants;
    private long heldNs;
    private long longestHoldNs;
    private long firstGrantAt = -1;
    private long lastReleaseAt = -1;

    IsaBusArbiter(EventKernel kernel, MachineCpus cpus, IsaBusTiming timing) {
        this.kernel = kernel;
        this.cpus = cpus;
        this.timing = timing;
    }

    /** Runs {@code shape} as the CPU's use of the bus from now on (one workload at a time). */
    public CpuBusWorkload startWorkload(CpuBusWorkload.Shape shape) {
        if (workload != null) {
            workload.stop();
        }
        workload = new CpuBusWorkload(kernel, this, shape, timing.cpuBusCycleNs());
        workload.start();
        return workload;
    }

    /** The workload running, or null. */
    public CpuBusWorkload workload() {
        return workload;
    }

    /** Whether a CPU cycle must not start now: DMA owns the bus, or (unless transparent) HRQ is up. */
    boolean cpuMustWait() {
        return dmaOwns || hrq && !timing.transparent();
    }

    boolean dmaOwns() {
        return dmaOwns;
    }

    /** HRQ: the controller asks for the bus. @return when HLDA comes */
    long requestBus() {
        long now = kernel.now();
        hrq = true;
        hrqAt = now;
        instant("HRQ");
        long earliest = now + timing.ns(1); // S0: HLDA is sampled a clock after HRQ at the earliest
        if (workload == null) {
            return earliest;
        }
        return timing.transparent() ? workload.nextIdleStart(earliest) : Math.max(earliest, workload.busyUntil(now));
    }

    /** Where the idle time the CPU leaves at {@code at} ends (transparent timing); unbounded without a workload. */
    long idleEndsAfter(long at) {
        return workload == null ? Long.MAX_VALUE : workload.idleEndsAfter(at);
    }

    /** The first idle clock of the CPU at or after {@code at}. */
    long nextIdleStart(long at) {
        return workload == null ? at : workload.nextIdleStart(at);
    }

    /** HLDA: the bus is DMA's from now. */
    void hold() {
        long now = kernel.now();
        dmaOwns = true;
        holdStart = now;
        grants++;
        if (firstGrantAt < 0) {
            firstGrantAt = now;
        }
        instant("HLDA");
        cpus.memoryBusGate(this);
    }

    /** HRQ dropped: the bus is the CPU's again. */
    void release() {
        long now = kernel.now();
        if (dmaOwns) {
            long held = now - holdStart;
            heldNs += held;
            longestHoldNs = Math.max(longestHoldNs, held);
            lastReleaseAt = now;
            TraceRecorder t = kernel.trace();
            if (t.enabled()) {
                t.slice(TRACK, "DMA", holdStart, held, TraceRecorder.args("hrq_ns", hrqAt));
            }
        }
        dmaOwns = false;
        hrq = false;
        cpus.memoryBusGate(null);
        if (workload != null) {
            workload.busReleased();
        }
    }

    @Override
    public long awaitBus() {
        if (!dmaOwns || waitingCpu) {
            return 0; // a handler run while a CPU waits does not wait again
        }
        long start = kernel.now();
        waitingCpu = true;
        try {
            kernel.runUntil(() -> !dmaOwns);
        } finally {
            waitingCpu = false;
        }
        return kernel.now() - start;
    }

    void instant(String what) {
        TraceRecorder t = kernel.trace();
        if (t.enabled()) {
            t.instant(TRACK, what, kernel.now(), TraceRecorder.args());
        }
    }

    void instant(String what, int channel) {
        TraceRecorder t = kernel.trace();
        if (t.enabled()) {
            t.instant(TRACK, what, kernel.now(), TraceRecorder.args("channel", channel));
        }
    }

    public IsaBusTiming timing() { return timing; }

    /** Bus grants (HLDA) so far. */
    public long grants() { return grants; }

    /** Modeled time DMA owned the bus, ns. */
    public long heldNs() { return heldNs; }

    /** The longest single grant, ns. */
    public long longestHoldNs() { return longestHoldNs; }

    /** When the first grant began, or -1. */
    public long firstGrantAt() { return firstGrantAt; }

    /** When the last grant ended, or -1. */
    public long lastReleaseAt() { return lastReleaseAt; }
}
