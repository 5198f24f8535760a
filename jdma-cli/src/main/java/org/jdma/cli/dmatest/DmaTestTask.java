package org.jdma.cli.dmatest;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jdma.cli.dmatest.DmaTestPatterns.ByteError;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dmaengine.DmaChannel;
import org.jdma.kernel.dmaengine.DmaCookie;
import org.jdma.kernel.dmaengine.DmaTransfer;
import org.jdma.kernel.dmaengine.DmaTxResult;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.platform.Cpu;

/**
 * One channel's share of a dmatest run (Linux dmatest runs a thread per channel, "dma0chan0-copy0"):
 * its own channel, source and destination buffers and random stream, and what it counted. A copy
 * is two steps so that several tasks can have their copies in flight at once: {@link #start}
 * (random length and offsets, dmatest's patterns written into both whole buffers, both mapped for
 * the channel's device, one MEMCPY submitted and issued) and {@link #finish} (wait, unmap, every
 * byte of both buffers checked). A task touches only its own channel and memory, so it could run
 * on a CPU of its own.
 */
public final class DmaTestTask implements AutoCloseable {

    /** A copy that went wrong: what the channel or the byte check said. */
    public record Failure(String task, int iteration, long length, long srcOff, long dstOff, String what, List<ByteError> errors) {
        @Override
        public String toString() {
            return String.format("%s #%d: len %d src_off %#x dst_off %#x: %s", task, iteration, length, srcOff, dstOff, what);
        }
    }

    private final DmaChannel channel;
    private final Cpu cpu;
    private final long size;
    private final long align;
    private final DmaBuffer src;
    private final DmaBuffer dst;
    private final DmaTestPatterns patterns;
    private final MemorySegment srcImage;
    private final MemorySegment dstImage;
    private final SplittableRandom random;
    private final List<Failure> failures = new ArrayList<>();

    private int iteration;
    private long len;
    private long srcOff;
    private long dstOff;
    private long srcDevice;
    private long dstDevice;
    private DmaCookie cookie;
    private String mapFailure;

    private int copies;
    private long bytesCopied;
    private long byteErrors;

    /**
     * @param channel  the channel, held by this task until {@link #close()}
     * @param patterns dmatest's patterns for buffers of {@code patterns.size()} bytes (shared, read-only)
     * @param seed     the task's own random stream
     */
    public DmaTestTask(DmaChannel channel, DmaMemory memory, Cpu cpu, DmaTestPatterns patterns, long seed, Arena arena) {
        this.channel = channel;
        this.cpu = cpu;
        this.size = patterns.size();
        this.align = Math.max(1, channel.alignment());
        this.patterns = patterns;
        this.src = memory.allocate(size, 4096);
        this.dst = memory.allocate(size, 4096);
        this.srcImage = arena.allocate(size);
        this.dstImage = arena.allocate(size);
        this.random = new SplittableRandom(seed);
    }

    /** "memcpy0chan0-copy0", as dmatest names its threads. */
    public String name() {
        return channel.name() + "-copy0";
    }

    public DmaChannel channel() {
        return channel;
    }

    /**
     * dmatest's iteration up to the submit: a random length in [align, size] and offsets, both
     * whole buffers filled with the patterns, mapped as dmatest maps them (source TO_DEVICE,
     * destination BIDIRECTIONAL "to force writeback/invalidate"), one MEMCPY submitted and issued.
     */
    public void start(int i) {
        if (cookie != null || mapFailure != null) {
            throw new IllegalStateException(name() + ": copy #" + iteration + " is still in flight");
        }
        iteration = i;
        len = Math.max(align, (random.nextLong(size) + 1) / align * align);
        len = Math.min(len, size / align * align);
        srcOff = random.nextLong(size - len + 1) / align * align;
        dstOff = random.nextLong(size - len + 1) / align * align;
        patterns.initSource(srcImage, srcOff, len);
        patterns.initDestination(dstImage, dstOff, len);
        cpu.write(src.physicalAddress(), srcImage, 0, size);
        cpu.write(dst.physicalAddress(), dstImage, 0, size);

        DeviceDmaApi dma = channel.dma();
        srcDevice = dma.mapSingle(src.physicalAddress(), size, DmaDirection.TO_DEVICE);
        dstDevice = dma.mapSingle(dst.physicalAddress(), size, DmaDirection.BIDIRECTIONAL);
        if (dma.mappingError(srcDevice) || dma.mappingError(dstDevice)) {
            mapFailure = dma.mappingError(srcDevice) ? "src mapping error" : "dst mapping error";
            return;
        }
        cookie = channel.submit(new DmaTransfer.Memcpy(dstDevice + dstOff, srcDevice + srcOff, len));
        channel.issuePending();
    }

    /** Waits for the copy {@link #start} submitted, unmaps both buffers and checks every byte of both. */
    public void finish() {
        String failure = mapFailure;
        if (cookie != null) {
            DmaTxResult r = channel.syncWait(cookie);
            if (r.isSuccess()) {
                bytesCopied += len;
            } else {
                failure = "completion error status: " + r.detail();
            }
        } else if (failure == null) {
            throw new IllegalStateException(name() + ": no copy was started");
        }
        DeviceDmaApi dma = channel.dma();
        if (!dma.mappingError(srcDevice)) {
            dma.unmapSingle(srcDevice, size, DmaDirection.TO_DEVICE);
        }
        if (!dma.mappingError(dstDevice)) {
            dma.unmapSingle(dstDevice, size, DmaDirection.BIDIRECTIONAL);
        }
        cookie = null;
        mapFailure = null;
        copies++;
        verify(failure);
    }

    private void verify(String copyFailure) {
        cpu.read(src.physicalAddress(), srcImage, 0, size);
        cpu.read(dst.physicalAddress(), dstImage, 0, size);
        DmaTestPatterns.Check check = patterns.check(srcImage, dstImage, srcOff, dstOff, len);
        byteErrors += check.wrongBytes();
        String failure = check.failure(copyFailure);
        if (failure != null) {
            failures.add(new Failure(name(), iteration, len, srcOff, dstOff, failure, check.errors()));
        }
    }

    /** Copies finished (with or without error). */
    public int copies() {
        return copies;
    }

    /** Bytes of copies the channel reported done. */
    public long bytesCopied() {
        return bytesCopied;
    }

    /** Bytes the check found wrong, in either buffer. */
    public long byteErrors() {
        return byteErrors;
    }

    /** Copies that failed, in order. */
    public List<Failure> failures() {
        return List.copyOf(failures);
    }

    /** Releases the channel and frees both buffers. */
    @Override
    public void close() {
        channel.close();
        src.close();
        dst.close();
    }
}
