package org.jdma.machine.legacy.isadma;

import org.jdma.machine.time.EventKernel;

/**
 * A CPU running code that uses the memory bus at a known rate, in modeled time: bursts of
 * {@code burstCycles} back-to-back memory cycles, each followed by {@code idleNs} of work inside
 * the CPU that leaves the bus idle. A cycle it wants to start while the DMA controller has raised
 * HRQ or owns the bus waits until the bus is released (the 8086 grants HOLD at the end of its
 * cycle and starts no new one until HOLD drops); the wait is its stall. It makes the bus-sharing
 * claims measurable: cycles done against cycles it would have done on a free bus.
 *
 * <p>Thread use: the event thread.
 */
public final class CpuBusWorkload {

    /**
     * @param burstCycles memory cycles in each burst, at least 1
     * @param idleNs      the internal work between bursts, ns (the bus is idle then)
     */
    public record Shape(int burstCycles, long idleNs) {
        public Shape {
            if (burstCycles < 1 || idleNs < 0) {
                throw new IllegalArgumentException("CPU workload: " + burstCycles + " cycles per burst (at least 1), idle "
                        + idleNs + " ns (not negative)");
            }
        }
    }

    private final EventKernel kernel;
    private final IsaBusArbiter arbiter;
    private final Shape shape;
    private final long cycleNs;
    private boolean running;
    private boolean waiting;
    private long waitStart;
    private long cycleEnd;
    private int inBurst;
    private long idleStart = -1;
    private long idleEnd = -1;
    private long cycles;
    private long stallNs;
    private long stalls;
    private long longestStallNs;
    private long startedAt;
    private long stoppedAt = -1;

    CpuBusWorkload(EventKernel kernel, IsaBusArbiter arbiter, Shape shape, long cycleNs) {
        this.kernel = kernel;
        this.arbiter = arbiter;
        this.shape = shape;
        this.cycleNs = cycleNs;
    }

    /** Starts issuing cycles now. */
    public void start() {
        running = true;
        startedAt = kernel.now();
        tryCycle();
    }

    /** Stops after the cycle in progress; counters stay. */
    public void stop() {
        running = false;
        stoppedAt = kernel.now();
        if (waiting) {
            stallEnds();
        }
    }

    private void tryCycle() {
        if (!running) {
            return;
        }
        if (arbiter.cpuMustWait()) {
            waiting = true;
            waitStart = kernel.now();
            return;
        }
        long now = kernel.now();
        cycleEnd = now + cycleNs;
        cycles++;
        if (++inBurst == shape.burstCycles()) {
            inBurst = 0;
            idleStart = cycleEnd;
            idleEnd = cycleEnd + shape.idleNs();
            kernel.scheduleAt(idleEnd, "cpu workload", this::tryCycle);
        } else {
            kernel.scheduleAt(cycleEnd, "cpu workload", this::tryCycle);
        }
    }

    /** The DMA controller gave the bus back: a waiting cycle starts now. */
    void busReleased() {
        if (waiting) {
            stallEnds();
            tryCycle();
        }
    }

    private void stallEnds() {
        waiting = false;
        long s = kernel.now() - waitStart;
        stallNs += s;
        stalls++;
        longestStallNs = Math.max(longestStallNs, s);
    }

    /** When the CPU's bus cycle in progress at {@code now} ends ({@code now} when it is in none). */
    long busyUntil(long now) {
        return running && cycleEnd > now ? cycleEnd : now;
    }

    /** The first moment at or after {@code now} when the CPU leaves the bus idle. */
    long nextIdleStart(long now) {
        if (!running || idleStart <= now && now < idleEnd) {
            return now;
        }
        if (waiting) {
            return now; // a stalled CPU is not using the bus
        }
        int left = inBurst == 0 ? 0 : shape.burstCycles() - inBurst;
        return Math.max(now, cycleEnd) + left * cycleNs;
    }

    /**
     * Where the idle time that {@code at} falls in ends: {@code at} itself when the CPU is on the
     * bus or about to be, Long.MAX_VALUE when it is stopped.
     */
    long idleEndsAfter(long at) {
        if (!running) {
            return Long.MAX_VALUE;
        }
        if (idleStart <= at && at < idleEnd) {
            return idleEnd;
        }
        return at;
    }

    public Shape shape() { return shape; }

    /** When the workload started, ns. */
    public long startedAt() { return startedAt; }

    /** Memory cycles completed. */
    public long cycles() { return cycles; }

    /** Modeled time spent waiting for the bus, ns. */
    public long stallNs() { return stallNs; }

    /** Times a cycle had to wait. */
    public long stalls() { return stalls; }

    /** The longest single wait, ns. */
    public long longestStallNs() { return longestStallNs; }

    /** Cycles a free bus would have allowed between start and stop (or now). */
    public long cyclesOnAFreeBus() {
        long end = stoppedAt >= 0 ? stoppedAt : kernel.now();
        long burstNs = shape.burstCycles() * cycleNs + shape.idleNs();
        long elapsed = end - startedAt;
        long full = elapsed / burstNs;
        long rest = Math.min(shape.burstCycles(), (elapsed % burstNs + cycleNs - 1) / cycleNs);
        return full * shape.burstCycles() + rest;
    }
}
