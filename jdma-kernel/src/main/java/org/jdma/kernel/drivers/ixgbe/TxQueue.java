package org.jdma.kernel.drivers.ixgbe;

import static org.jdma.spec.ixgbe.AdvancedTxDescriptorLayout.*;

import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.kernel.ring.RingMemory;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.RingHolds;
import org.jdma.kernel.driver.MmioWindow;
import org.jdma.kernel.net.PacketBuffer;
import org.jdma.platform.Cpu;
import org.jdma.spec.ixgbe.IxgbeRegisters;

/**
 * One transmit queue: its ring of advanced data descriptors in coherent memory and ixy's batch
 * send (reference: {@code ixgbe_tx_batch}), with frames over several buffers as Linux sends
 * them: each segment of a chain is one data descriptor naming the segment mapped for this device
 * with the streaming API, PAYLEN on each is the frame's length, EOP and RS are on the last only.
 * A frame goes on the ring whole or not at all; the ring is full when the next slot is the first
 * one not cleaned (one slot stays free). Clean-up is in batches: when the EOP descriptor of the
 * frame that holds the {@code cleanBatch}-th pending descriptor has DD, every descriptor up to it
 * is unmapped and each frame goes back to its pools; {@link #clean(Cpu, boolean)} with
 * {@code all} also takes a shorter tail, frame by frame. TDT is written once per batch.
 */
final class TxQueue {

    private static final int DCMD_LAST = DCMD_EOP | DCMD_IFCS | DCMD_RS;
    private static final int DCMD_MORE = DCMD_IFCS;

    private final int queue;
    private final int size;
    private final CoherentAllocation ring;
    /** The ring as the CPU reaches it (resolved once). */
    private final RingMemory memory;
    private final DeviceDmaApi dma;
    private final MmioWindow registers;
    private final int cleanBatch;
    /** The frame each EOP descriptor ends (its first buffer); null on the other descriptors. */
    private final PacketBuffer[] frames;
    private final long[] mapped;
    private final int[] mappedLength;
    /** For each descriptor, the slot of its frame's EOP descriptor. */
    private final int[] eopOf;
    /** What each descriptor names, held while it is in flight (null when the DMA API cannot check). */
    private final RingHolds holds;
    /** This queue's one producer and consumer stage their holds here (null when nothing is checked). */
    private final RingHolds.Staging staging;
    private long[] segmentAddresses = new long[8];

    /** One step on a mapped segment: its device address and length. */
    @FunctionalInterface
    interface SegmentStep {
        void run(DeviceDmaApi dma, long address, int length);
    }

    /**
     * The clean-up's unmap of a sent segment. Package-private so that a test can build a broken
     * driver (one that forgets to unmap) and see the checker name it; nothing else changes it.
     */
    SegmentStep unmap = (d, address, length) -> d.unmapSingle(address, length, DmaDirection.TO_DEVICE);
    /** Runs after a segment is mapped, before its descriptor is written: nothing (a test adds a wrong sync). */
    SegmentStep afterMap = (d, address, length) -> { };
    /**
     * A send or clean-up is in progress. Either may wait (a strict unmap's invalidation lets the
     * machine run), and a NAPI poll of this queue may run meanwhile; it must not move the indexes
     * under the waiting one, so a re-entered clean-up or send does nothing.
     */
    private boolean busy;
    private long sequence;
    private int next;
    private int clean;
    long mapFailures;

    TxQueue(int queue, int size, CoherentAllocation ring, Cpu cpu, DeviceDmaApi dma, MmioWindow registers, int cleanBatch) {
        this.queue = queue;
        this.size = size;
        this.ring = ring;
        this.memory = RingMemory.of(cpu, ring);
        this.dma = dma;
        this.registers = registers;
        this.cleanBatch = cleanBatch;
        this.frames = new PacketBuffer[size];
        this.mapped = new long[size];
        this.mappedLength = new int[size];
        this.eopOf = new int[size];
        RingHolds h = new RingHolds(dma.inFlight(), size, 1,
                tag -> tag < 0 ? "transmit ring " + queue : "transmit descriptor " + tag + " of queue " + queue);
        this.holds = h.checks() ? h : null;
        this.staging = holds == null ? null : holds.staging();
        if (holds != null) {
            holds.holdRing(ring.dmaAddress(), ring.size());
        }
    }

    CoherentAllocation ring() {
        return ring;
    }

    /** Descriptors of the ring: a frame may have at most {@code size() - 1} segments. */
    int size() {
        return size;
    }

    /** Where descriptor {@code i} starts in the ring. */
    private static long offset(int i) {
        return (long) i * SIZE;
    }

    /** The device address descriptor {@code slot} names (for tests of what holds it). */
    long mappedAddress(int slot) {
        return mapped[slot];
    }

    /** Descriptors handed to the device and not cleaned yet. */
    int pending() {
        return (next - clean) & (size - 1);
    }

    private boolean done(int eop) {
        return (memory.readAcquire32(offset(eop) + OLINFO_STATUS) & STA_DD) != 0;
    }

    /** Descriptors from the clean index through {@code eop}. */
    private int through(int eop) {
        return ((eop - clean) & (size - 1)) + 1;
    }

    /**
     * Reclaims sent descriptors: in batches of at least {@code cleanBatch} (extended to the end of
     * the frame they reach) whose EOP descriptor has DD, and with {@code all} also each remaining
     * frame whose EOP descriptor has DD. Returns how many descriptors.
     */
    int clean(boolean all) {
        if (busy) {
            return 0; // a NAPI poll that ran while this queue's sender waited: the sender cleans (Linux sends with softirqs off)
        }
        busy = true;
        try {
            return reclaim(all);
        } finally {
            busy = false;
        }
    }

    private int reclaim(boolean all) {
        int cleaned = 0;
        while (pending() > 0) {
            int n = Math.min(cleanBatch, pending());
            if (n < cleanBatch && !all) {
                break;
            }
            n = through(eopOf[(clean + n - 1) & (size - 1)]);
            if (!done((clean + n - 1) & (size - 1))) {
                if (!all) {
                    break;
                }
                n = 0;
                while (n < pending() && done(eopOf[(clean + n) & (size - 1)])) {
                    n = through(eopOf[(clean + n) & (size - 1)]);
                }
                if (n == 0) {
                    break;
                }
            }
            release(n);
            cleaned += n;
        }
        return cleaned;
    }

    /** The {@code n} descriptors from the clean index are done: reap, move the clean index, release, unmap, free. */
    private void release(int n) {
        int first = clean;
        if (holds != null) {
            for (int k = 0; k < n; k++) {
                staging.reaped((first + k) & (size - 1));
            }
        }
        clean = (first + n) & (size - 1);
        if (holds != null) {
            staging.releaseReaped();
        }
        for (int k = 0; k < n; k++) {
            int i = (first + k) & (size - 1);
            unmap.run(dma, mapped[i], mappedLength[i]);
            if (frames[i] != null) {
                frames[i].free();
                frames[i] = null;
            }
        }
    }

    /**
     * ixy's tx_batch: clean, then queue as many of the frames {@code bufs[0..count)} as fit whole
     * (each chain's segments on consecutive descriptors); one tail write.
     */
    int send(PacketBuffer[] bufs, int count) {
        if (busy) {
            return 0; // re-entered while this queue waits (an unmap's invalidation lets the machine run): nothing sent
        }
        busy = true;
        try {
            return queue(bufs, count);
        } finally {
            busy = false;
        }
    }

    private int queue(PacketBuffer[] bufs, int count) {
        reclaim(false);
        int sent = 0;
        while (sent < count) {
            PacketBuffer frame = bufs[sent];
            int segments = frame.segments();
            if (segments > size - 1 - pending() || !mapSegments(frame, segments)) {
                break;
            }
            int length = frame.frameLength();
            int first = next;
            int eop = (first + segments - 1) & (size - 1);
            int k = 0;
            for (PacketBuffer b = frame; b != null; b = b.next(), k++) {
                int i = (first + k) & (size - 1);
                long address = segmentAddresses[k];
                int bytes = Math.max(1, b.size());
                if (holds != null) {
                    staging.ranges().add("buffer address", address, bytes, DmaDirection.TO_DEVICE);
                    staging.stage(0, sequence);
                    staging.commit(0, i);
                }
                afterMap.run(dma, address, bytes);
                sequence++;
                mapped[i] = address;
                mappedLength[i] = bytes;
                eopOf[i] = eop;
                frames[i] = i == eop ? frame : null;
                memory.write64(offset(i) + BUFFER_ADDR, address);
                memory.write32(offset(i) + CMD_TYPE_LEN, dataCmdTypeLen(b.size(), i == eop ? DCMD_LAST : DCMD_MORE));
                memory.writeRelease32(offset(i) + OLINFO_STATUS, olinfo(length));
            }
            next = (eop + 1) & (size - 1);
            sent++;
        }
        if (sent > 0) {
            registers.write32(IxgbeRegisters.tdt(queue), next);
        }
        return sent;
    }

    /** Maps each segment of {@code frame} into {@link #segmentAddresses}; on a refusal unmaps those done and returns false. */
    private boolean mapSegments(PacketBuffer frame, int segments) {
        if (segmentAddresses.length < segments) {
            segmentAddresses = new long[Math.max(segments, 2 * segmentAddresses.length)];
        }
        int k = 0;
        for (PacketBuffer b = frame; b != null; b = b.next(), k++) {
            long address = dma.mapSingle(b.physical(), Math.max(1, b.size()), DmaDirection.TO_DEVICE);
            if (dma.mappingError(address)) {
                mapFailures++;
                PacketBuffer u = frame;
                for (int j = 0; j < k; j++, u = u.next()) {
                    dma.unmapSingle(segmentAddresses[j], Math.max(1, u.size()), DmaDirection.TO_DEVICE);
                }
                return false;
            }
            segmentAddresses[k] = address;
        }
        return true;
    }

    /** After the queue stopped: unmaps and frees what is still on the ring, sent or not. */
    void drain() {
        if (holds != null) {
            holds.releaseAll(true);
            staging.releaseAll();
        }
        while (clean != next) {
            int i = clean;
            dma.unmapSingle(mapped[i], mappedLength[i], DmaDirection.TO_DEVICE);
            if (frames[i] != null) {
                frames[i].free();
                frames[i] = null;
            }
            clean = (i + 1) & (size - 1);
        }
    }
}
