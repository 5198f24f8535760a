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
 * for a polling application, and the machine time the poll spent waiting (MMIO, invalidation
 * waits) is its wait; the charge is counted, not waited (softirqs take no modeled CPU time).
 */
final class NapiForwarder implements PacketReceiver {

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
        atStart = counters.read();
        startNs = clock.getAsLong();
        handled = CpuWork.ZERO;
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

    @Override
    public void pollEnded(int queue, int taken, int budget, int txCleaned) {
        CpuWork done = handled.plus(counters.read().minus(atStart));
        work = work.plus(done);
        cost = cost.plus(model.cost(done, translated).withWait(clock.getAsLong() - startNs));
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

    CpuCost cost() {
        return cost;
    }
}
