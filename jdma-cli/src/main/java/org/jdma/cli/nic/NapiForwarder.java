package org.jdma.cli.nic;

import java.util.function.LongSupplier;
import org.jdma.kernel.net.NetDevice;
import org.jdma.kernel.net.PacketBuffer;
import org.jdma.kernel.net.PacketReceiver;
import org.jdma.kernel.net.app.CpuCost;
import org.jdma.kernel.net.app.CpuCostModel;
import org.jdma.kernel.net.app.CpuWork;
import org.jdma.kernel.net.app.KernelCounters;

/**
 * ixy-fwd's body as a NAPI receiver: each batch a poll hands over is sent on {@code out}'s queue,
 * what the transmit ring refused is freed. The kernel work between the start and the end of each
 * poll (descriptor clean-up, mapping, IOMMU) is charged by the cost model, as the poll loop does
 * for a polling application: a poll costs one batch call ({@link CpuCostModel#batchCycles()}, also
 * when it only cleaned the transmit ring) plus its packets' cycles and the DMA-API and IOMMU work
 * it did, and the machine time it spent waiting (MMIO, invalidation waits) is its wait. The charge
 * is CPU time the poll keeps its CPU ({@link PacketReceiver#pollEnded}'s result), so the queue's
 * next poll, its re-arm and any other softirq on that CPU come after it.
 */
final class NapiForwarder implements PacketReceiver {

    /** A poll's own work before it receives anything: one batch call (the cost model's per-poll cycles). */
    private static final CpuWork POLL = CpuWork.batch(0, 0);

    private final NetDevice in;
    private final NetDevice out;
    private final int outQueue;
    private final KernelCounters counters;
    private final CpuCostModel model;
    private final boolean translated;
    private final LongSupplier clock;
    private long startNs;
    private CpuWork atStart = CpuWork.ZERO;
    private CpuWork handled = CpuWork.ZERO;
    private CpuWork work = CpuWork.ZERO;
    private CpuCost cost = CpuCost.ZERO;
    /** The last poll's charge while its CPU time runs: from {@link #pendingFromNs}, {@link #pendingNs} long (null when spent). */
    private CpuCost pending;
    private long pendingFromNs;
    private long pendingNs;
    /** Fractions of a nanosecond charged but not yet spent (the clock has whole ns). */
    private double carryNs;
    private long forwarded;
    private long refused;

    NapiForwarder(NetDevice in, NetDevice out, int outQueue, KernelCounters counters, CpuCostModel model, boolean translated,
                  LongSupplier clock) {
        this.in = in;
        this.out = out;
        this.outQueue = outQueue;
        this.counters = counters;
        this.model = model;
        this.translated = translated;
        this.clock = clock;
    }

    @Override
    public void pollStarted(int queue) {
        spendPending();
        atStart = counters.read();
        startNs = clock.getAsLong();
        handled = POLL;
    }

    @Override
    public void receive(int queue, PacketBuffer[] buffers, int count) {
        int sent = out.txBatch(outQueue, buffers, count);
        for (int i = sent; i < count; i++) {
            buffers[i].free();
        }
        forwarded += sent;
        refused += count - sent;
        handled = CpuWork.batch(count, sent);
    }

    /** Charges the poll by the cost model and returns that CPU time (whole ns, fractions carried to the next poll). */
    @Override
    public long pollEnded(int queue, int taken, int budget, int txCleaned) {
        CpuWork done = handled.plus(counters.read().minus(atStart));
        CpuCost charged = model.cost(done, translated);
        work = work.plus(done);
        cost = cost.plus(CpuCost.ZERO.withWait(clock.getAsLong() - startNs));
        double ns = charged.busyNs() + carryNs;
        long whole = (long) ns;
        carryNs = ns - whole;
        pending = charged;
        pendingFromNs = clock.getAsLong();
        pendingNs = whole;
        return whole;
    }

    /** The last poll's charge is spent by now (its CPU time is over before the next poll starts). */
    private void spendPending() {
        if (pending != null) {
            cost = cost.plus(pending);
            pending = null;
        }
    }

    boolean takesFrom(NetDevice device) {
        return in == device;
    }

    long forwarded() {
        return forwarded;
    }

    long refused() {
        return refused;
    }

    CpuWork work() {
        return work;
    }

    /**
     * What the polls cost up to now: the last poll's charge only as far as its CPU time has passed,
     * so that busy time over an interval never exceeds the interval.
     */
    CpuCost cost() {
        if (pending == null) {
            return cost;
        }
        long spent = clock.getAsLong() - pendingFromNs;
        if (spent >= pendingNs) {
            spendPending();
            return cost;
        }
        return cost.plus(pending.times((double) spent / pendingNs));
    }
}
