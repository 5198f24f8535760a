package org.jdma.kernel.net.app;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.jdma.kernel.net.NetDevice;
import org.jdma.kernel.net.PacketBuffer;

/**
 * ixy-pktgen's loop body: a batch of buffers from the queue's pool, each holding {@code template}
 * (written once per buffer, as ixy prefills its pool) with a big-endian sequence number at
 * {@code sequenceOffset} written per packet, sent on the queue. Buffers the ring refused wait for
 * the next poll (ixy busy-waits until a batch is sent), so no number is skipped. Paced to
 * {@code packetsPerSecond} when that is above zero, else as fast as the CPU goes.
 */
public final class PacketGenerator implements PollLoop.Step {

    /** ixy-pktgen's batch. */
    public static final int BATCH = 64;

    private final NetDevice device;
    private final int queue;
    private final byte[] template;
    private final int sequenceOffset;
    private final int sequenceBytes;
    private final long count;
    private final double packetsPerSecond;
    private final java.util.function.LongSupplier clockNs;
    private final PacketBuffer[] batch;
    private final ArrayDeque<PacketBuffer> pending = new ArrayDeque<>();
    private final Set<Long> prefilled = new HashSet<>();
    private final long startNs;
    private long sequence;
    private long sent;

    /**
     * @param sequenceBytes bytes of the sequence number (1..8), at {@code sequenceOffset}
     * @param count         packets to send, then stop
     * @param packetsPerSecond pacing (0: none)
     * @param clockNs       the machine's clock, for pacing
     */
    public PacketGenerator(NetDevice device, int queue, byte[] template, int sequenceOffset, int sequenceBytes, long count,
                           double packetsPerSecond, java.util.function.LongSupplier clockNs) {
        this.device = Objects.requireNonNull(device, "device");
        this.template = template.clone();
        if (queue < 0 || queue >= device.queues()) {
            throw new IllegalArgumentException("queue " + queue + " outside 0.." + (device.queues() - 1));
        }
        if (sequenceBytes < 1 || sequenceBytes > 8 || sequenceOffset < 0 || sequenceOffset + sequenceBytes > template.length) {
            throw new IllegalArgumentException(String.format("sequence number of %d bytes at %d does not fit a %d-byte frame",
                    sequenceBytes, sequenceOffset, template.length));
        }
        if (count < 1 || packetsPerSecond < 0) {
            throw new IllegalArgumentException("count must be >= 1 and packetsPerSecond >= 0: " + count + ", " + packetsPerSecond);
        }
        this.queue = queue;
        this.sequenceOffset = sequenceOffset;
        this.sequenceBytes = sequenceBytes;
        this.count = count;
        this.packetsPerSecond = packetsPerSecond;
        this.clockNs = Objects.requireNonNull(clockNs, "clockNs");
        this.batch = new PacketBuffer[BATCH];
        this.startNs = clockNs.getAsLong();
    }

    @Override
    public CpuWork poll() {
        int n = 0;
        while (n < BATCH && !pending.isEmpty()) {
            batch[n++] = pending.poll();
        }
        long allowed = Math.min(count, paced()) - sequence;
        while (n < BATCH && allowed > 0) {
            PacketBuffer b = device.allocate(queue);
            if (b == null) {
                break; // the pool is out: sent buffers come back when the ring is cleaned
            }
            fill(b);
            batch[n++] = b;
            allowed--;
        }
        if (n == 0) {
            return CpuWork.IDLE_POLL;
        }
        int s = device.txBatch(queue, batch, n);
        for (int i = s; i < n; i++) {
            pending.add(batch[i]);
        }
        sent += s;
        return CpuWork.batch(0, s);
    }

    private long paced() {
        if (packetsPerSecond == 0) {
            return Long.MAX_VALUE;
        }
        return (long) ((clockNs.getAsLong() - startNs) * packetsPerSecond / 1e9) + 1;
    }

    private void fill(PacketBuffer b) {
        if (prefilled.add(b.physical())) {
            b.put(template);
        } else {
            b.setSize(template.length);
        }
        long v = sequence++;
        for (int i = sequenceBytes - 1; i >= 0; i--) {
            b.writeByte(sequenceOffset + i, (int) (v & 0xFF));
            v >>>= 8;
        }
    }

    @Override
    public long notBeforeNs() {
        if (packetsPerSecond == 0 || sequence >= count) {
            return 0;
        }
        return startNs + (long) Math.ceil(sequence * 1e9 / packetsPerSecond);
    }

    /** Packets the ring took. */
    public long sent() {
        return sent;
    }

    /** Whether every packet has been handed to the ring. */
    public boolean done() {
        return sent >= count;
    }
}
