package org.jdma.kernel.net.app;

import java.util.Objects;
import org.jdma.kernel.net.NetDevice;
import org.jdma.kernel.net.PacketBuffer;

/**
 * ixy-fwd's loop body for one direction: take a batch from {@code in}'s queue, send it on
 * {@code out}'s queue, free what the transmit ring refused (dropped, not retried). Frames are
 * forwarded unchanged (ixy touches one byte; here the far end checks the bytes).
 */
public final class Forwarder implements PollLoop.Step {

    /** ixy-fwd's batch. */
    public static final int BATCH = 32;

    private final NetDevice in;
    private final int inQueue;
    private final NetDevice out;
    private final int outQueue;
    private final PacketBuffer[] batch;
    private long forwarded;
    private long refused;

    /** Forwards {@code in}'s queue {@code inQueue} to {@code out}'s queue {@code outQueue} in batches of {@code batchSize}. */
    public Forwarder(NetDevice in, int inQueue, NetDevice out, int outQueue, int batchSize) {
        this.in = Objects.requireNonNull(in, "in");
        this.out = Objects.requireNonNull(out, "out");
        if (inQueue < 0 || inQueue >= in.queues() || outQueue < 0 || outQueue >= out.queues()) {
            throw new IllegalArgumentException(String.format("queues %d (of %s's %d) and %d (of %s's %d)", inQueue, in.name(),
                    in.queues(), outQueue, out.name(), out.queues()));
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch must be >= 1, was " + batchSize);
        }
        this.inQueue = inQueue;
        this.outQueue = outQueue;
        this.batch = new PacketBuffer[batchSize];
    }

    @Override
    public CpuWork poll() {
        int n = in.rxBatch(inQueue, batch, batch.length);
        if (n == 0) {
            return CpuWork.IDLE_POLL;
        }
        int sent = out.txBatch(outQueue, batch, n);
        for (int i = sent; i < n; i++) {
            batch[i].free(); // the whole frame: free() returns every segment of a chain to its pool
        }
        forwarded += sent;
        refused += n - sent;
        return CpuWork.batch(n, sent);
    }

    /** After an idle poll: its receive ring was empty, so every poll until the card writes one finds nothing. */
    @Override
    public boolean idleUntilMachineRuns() {
        return in.rxFoundEmpty(inQueue);
    }

    /** Whether this forwarder takes its frames from {@code device}. */
    public boolean takesFrom(NetDevice device) {
        return in == device;
    }

    /** Frames sent on {@code out}. */
    public long forwarded() {
        return forwarded;
    }

    /** Frames received that the transmit ring had no room for (freed). */
    public long refused() {
        return refused;
    }
}
