package org.jdma.kernel.block;

import java.util.Objects;
import java.util.function.Consumer;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.kernel.mm.DmaBuffer;

/**
 * One I/O: an operation on {@code blocks} logical blocks from {@code lba}, with its data (for a read
 * or write) in a scatter list of physical memory whose total length is {@code blocks} times the
 * device's block size, and a callback. The device fills in the outcome before the callback runs.
 * A request is submitted once.
 */
public final class BlockRequest {

    private final BlockOp op;
    private final long lba;
    private final int blocks;
    private final ScatterList data;
    private final Consumer<BlockRequest> callback;
    private volatile boolean done;
    private BlockStatus status;
    private int deviceStatus;
    private long submittedNs;
    private long completedNs;

    private BlockRequest(BlockOp op, long lba, int blocks, ScatterList data, Consumer<BlockRequest> callback) {
        this.op = Objects.requireNonNull(op, "op");
        if (lba < 0 || blocks < 0 || (blocks == 0 && (op == BlockOp.READ || op == BlockOp.WRITE || op == BlockOp.DISCARD))) {
            throw new IllegalArgumentException(String.format("%s of %d blocks at LBA %d", op, blocks, lba));
        }
        if ((op == BlockOp.READ || op == BlockOp.WRITE) && (data == null || data.size() == 0)) {
            throw new IllegalArgumentException(op + " needs data");
        }
        this.lba = lba;
        this.blocks = blocks;
        this.data = data;
        this.callback = callback == null ? r -> { } : callback;
    }

    /** A read of {@code blocks} blocks at {@code lba} into {@code data}. */
    public static BlockRequest read(long lba, int blocks, ScatterList data, Consumer<BlockRequest> callback) {
        return new BlockRequest(BlockOp.READ, lba, blocks, data, callback);
    }

    /** A write of {@code blocks} blocks at {@code lba} from {@code data}. */
    public static BlockRequest write(long lba, int blocks, ScatterList data, Consumer<BlockRequest> callback) {
        return new BlockRequest(BlockOp.WRITE, lba, blocks, data, callback);
    }

    /** A read into (or write from) the first {@code blocks * blockSize} bytes of {@code buffer}. */
    public static BlockRequest of(BlockOp op, long lba, int blocks, int blockSize, DmaBuffer buffer, Consumer<BlockRequest> callback) {
        return new BlockRequest(op, lba, blocks, new ScatterList().add(buffer.physicalAddress(), (long) blocks * blockSize), callback);
    }

    public static BlockRequest flush(Consumer<BlockRequest> callback) {
        return new BlockRequest(BlockOp.FLUSH, 0, 0, null, callback);
    }

    /** Discard (trim) {@code blocks} blocks at {@code lba}. */
    public static BlockRequest discard(long lba, int blocks, Consumer<BlockRequest> callback) {
        return new BlockRequest(BlockOp.DISCARD, lba, blocks, null, callback);
    }

    public BlockOp op() { return op; }

    public long lba() { return lba; }

    public int blocks() { return blocks; }

    /** The data (read and write), else null. */
    public ScatterList data() { return data; }

    public boolean isDone() { return done; }

    /** The outcome; null until done. */
    public BlockStatus status() { return status; }

    /** The device's own status code (NVMe: {@code SCT << 8 | SC}), 0 when it gave none. */
    public int deviceStatus() { return deviceStatus; }

    public long submittedNs() { return submittedNs; }

    public long completedNs() { return completedNs; }

    /** Completion latency in virtual ns (submit to completion). */
    public long latencyNs() { return completedNs - submittedNs; }

    /** For a device: the request was handed to the hardware at {@code nowNs}. */
    public void started(long nowNs) {
        if (submittedNs != 0 || done) {
            throw new IllegalStateException("request submitted twice: " + this);
        }
        submittedNs = nowNs;
    }

    /** For a device: the outcome, then the callback. Once; a second completion is a driver bug. */
    public void complete(BlockStatus s, int device, long nowNs) {
        if (done) {
            throw new IllegalStateException("request completed twice: " + this + ", now " + s);
        }
        status = Objects.requireNonNull(s, "status");
        deviceStatus = device;
        completedNs = nowNs;
        done = true;
        callback.accept(this);
    }

    @Override
    public String toString() {
        return String.format("BlockRequest[%s LBA %d +%d%s]", op, lba, blocks, done ? " " + status : "");
    }
}
