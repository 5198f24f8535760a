package org.jdma.cli.soak;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.block.BlockOp;
import org.jdma.kernel.block.BlockRequest;
import org.jdma.kernel.block.BlockStatus;
import org.jdma.kernel.drivers.nvme.NvmeDriver;
import org.jdma.kernel.mm.DmaBuffer;

/**
 * The NVMe share: {@code nvmeDepth} requests kept in flight, each a random read or write of one
 * slot that no other request in flight touches. Every slot's expected CRC-32 is kept (a fresh
 * namespace reads zeros): each read is checked when it completes, and at the end every slot
 * written is read back. A request a controller reset fails with RESET is retried with the same
 * data after the reset, so what the slot holds stays known.
 */
final class NvmeWork {

    /** Pause between a lane's completion and its next request, ns (keeps the simulation's work per modeled ms moderate). */
    static final long THINK_NS = 200_000;

    private final Kernel kernel;
    private final SoakConfig config;
    private final NvmeDriver nvme;
    private final int blocksPerIo;
    private final long[] expected;
    private final BitSet busy;
    private final BitSet written;
    private final List<Lane> lanes = new ArrayList<>();
    private final List<Lane> waiting = new ArrayList<>();
    private final SplittableRandom random;
    private boolean running;
    private boolean resetting;
    private int outstanding;
    private boolean corrupted;

    long reads;
    long writes;
    long bytesMoved;
    long bytesVerified;
    long mismatches;
    long errors;
    long retriedAfterReset;
    long resets;

    /** One request slot in flight: its buffer, the slot it addresses and the data it carries. */
    private static final class Lane {
        final int index;
        final DmaBuffer buffer;
        final byte[] data;
        boolean write;
        int slot;
        long crc;

        Lane(int index, DmaBuffer buffer, int bytes) {
            this.index = index;
            this.buffer = buffer;
            this.data = new byte[bytes];
        }
    }

    NvmeWork(Kernel kernel, SoakConfig config, long namespaceBytes) {
        this.kernel = kernel;
        this.config = config;
        this.nvme = kernel.driver(NvmeDriver.class);
        this.blocksPerIo = config.nvmeBlockBytes() / nvme.blockSize();
        int slots = (int) (namespaceBytes / config.nvmeBlockBytes());
        this.expected = new long[slots];
        java.util.Arrays.fill(expected, crc(new byte[config.nvmeBlockBytes()]));
        this.busy = new BitSet(slots);
        this.written = new BitSet(slots);
        this.random = new SplittableRandom(config.seed() ^ 0x4E564D45L);
        for (int i = 0; i < config.nvmeDepth(); i++) {
            lanes.add(new Lane(i, kernel.memory().allocate(config.nvmeBlockBytes(), 4096), config.nvmeBlockBytes()));
        }
    }

    void start() {
        running = true;
        lanes.forEach(this::next);
    }

    /** A new request for {@code l}: a free slot, read or write, fresh data for a write. */
    private void next(Lane l) {
        if (!running) {
            return;
        }
        if (resetting) {
            waiting.add(l);
            return;
        }
        int slot;
        do {
            slot = random.nextInt(expected.length);
        } while (busy.get(slot));
        busy.set(slot);
        l.slot = slot;
        l.write = random.nextBoolean();
        if (l.write) {
            random.nextBytes(l.data);
            l.crc = crc(l.data);
        }
        submit(l);
    }

    private void submit(Lane l) {
        if (l.write) {
            l.buffer.write(0, l.data);
        }
        BlockRequest r = BlockRequest.of(l.write ? BlockOp.WRITE : BlockOp.READ, (long) l.slot * blocksPerIo, blocksPerIo,
                nvme.blockSize(), l.buffer, done -> completed(l, done));
        outstanding++;
        int queue = l.index % nvme.queues();
        if (!nvme.submit(queue, r)) {
            throw new IllegalStateException("NVMe queue " + queue + " refused a request with " + nvme.outstanding(queue)
                    + " outstanding");
        }
    }

    private void completed(Lane l, BlockRequest done) {
        outstanding--;
        if (done.status() == BlockStatus.RESET) {
            retriedAfterReset++;
            waitingRetry(l);
            return;
        }
        busy.clear(l.slot);
        if (done.status() != BlockStatus.OK) {
            errors++;
            expected[l.slot] = -1; // unknown now; the error already fails the run
        } else if (l.write) {
            writes++;
            bytesMoved += l.data.length;
            expected[l.slot] = l.crc;
            written.set(l.slot);
        } else {
            reads++;
            bytesMoved += l.data.length;
            check(l);
        }
        kernel.platform().clock().schedule(THINK_NS, "soak nvme lane " + l.index, () -> next(l));
    }

    private void waitingRetry(Lane l) {
        l.slot = -1 - l.slot; // still busy; marks the lane as a retry of the same request
        waiting.add(l);
    }

    private void check(Lane l) {
        byte[] got = l.buffer.toByteArray();
        if (config.sabotaged(Sabotage.CORRUPT_NVME_READ) && !corrupted) {
            corrupted = true;
            got[0] ^= 0x10;
        }
        bytesVerified += got.length;
        if (expected[l.slot] != -1 && crc(got) != expected[l.slot]) {
            mismatches++;
        }
    }

    /** Resets the controller through the driver core; requests it fails are retried after it. */
    void reset() {
        resetting = true;
        try {
            kernel.drivers().reset(nvme.name());
        } finally {
            resetting = false;
        }
        resets++;
        List<Lane> again = new ArrayList<>(waiting);
        waiting.clear();
        for (Lane l : again) {
            if (l.slot < 0) {
                l.slot = -1 - l.slot;
                submit(l);
            } else {
                next(l);
            }
        }
    }

    /** Stops starting requests and lets those in flight finish. */
    void stop() {
        running = false;
        waiting.clear();
        kernel.platform().clock().runUntil(() -> outstanding == 0, 10_000_000_000L);
        kernel.platform().clock().runFor(THINK_NS); // lanes scheduled to start find the run stopped
    }

    /** Reads back every slot written and compares it with what was written last. */
    void verifyAll() {
        Lane l = lanes.getFirst();
        for (int slot = written.nextSetBit(0); slot >= 0; slot = written.nextSetBit(slot + 1)) {
            BlockRequest r = BlockRequest.of(BlockOp.READ, (long) slot * blocksPerIo, blocksPerIo, nvme.blockSize(), l.buffer, null);
            if (!nvme.submit(0, r) || !kernel.platform().clock().runUntil(r::isDone, 10_000_000_000L) || r.status() != BlockStatus.OK) {
                errors++;
                continue;
            }
            l.slot = slot;
            reads++;
            check(l);
        }
    }

    int outstanding() {
        return outstanding;
    }

    void report(SoakReport r) {
        r.figure("nvme          %,d reads, %,d writes, %,d bytes moved, %,d bytes verified, %d resets (%d requests retried "
                + "after one), %,d of %,d slots written", reads, writes, bytesMoved, bytesVerified, resets, retriedAfterReset,
                written.cardinality(), expected.length);
        r.check("nvme: reads that did not return what was written", 0, mismatches);
        r.check("nvme: requests that failed", 0, errors);
        r.check("nvme: requests still outstanding", 0, outstanding);
    }

    void close() {
        lanes.forEach(l -> l.buffer.close());
    }

    private static long crc(byte[] data) {
        CRC32 c = new CRC32();
        c.update(data);
        return c.getValue();
    }
}
