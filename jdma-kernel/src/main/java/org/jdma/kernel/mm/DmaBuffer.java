package org.jdma.kernel.mm;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdma.platform.Cpu;

/**
 * A physically contiguous DMA buffer: a block of frames from the frame allocator, zeroed when
 * it was allocated.
 *
 * <p>{@link #physicalAddress()} is the real address of the first frame; {@link #address()} is the
 * kernel virtual address of the same bytes through the {@link DirectMap}. {@link #length()} is the
 * size asked for; the block behind it ({@link #blockSize()}) is a power of two of frames.
 *
 * <p>{@link #close()} gives the frames back, unless a {@link DmaUseTracker} of the buffer's
 * {@link DmaMemory} still sees a use (an in-flight descriptor, a live mapping): then it throws
 * {@link IllegalStateException} and the buffer stays allocated. Closing twice is a no-op; reading or
 * writing a closed buffer throws {@link IllegalStateException}.
 *
 * <p>The read and write helpers are CPU accesses through {@link Cpu} (and so through the CPU
 * cache). They do no cache maintenance: on a non-coherent machine the mapping layer's sync calls
 * must bracket device access (the CPU must not touch the contents while a device writes them).
 */
public final class DmaBuffer implements AutoCloseable {

    private final DmaMemory memory;
    private final long physical;
    private final long size;
    private final int order;
    private final long align;
    private final long physicalLimit;
    private final AtomicBoolean freed = new AtomicBoolean();

    DmaBuffer(DmaMemory memory, long physical, long size, int order, long align, long physicalLimit) {
        this.memory = memory;
        this.physical = physical;
        this.size = size;
        this.order = order;
        this.align = align;
        this.physicalLimit = physicalLimit;
    }

    /** Kernel virtual address (direct map). */
    public long address() {
        return DirectMap.virtualOf(physical);
    }

    /** Physical address of the first byte: the address of the first frame of the block. */
    public long physicalAddress() {
        return physical;
    }

    /** Frame number of the first frame ({@code physicalAddress() >>> 12}). */
    public long frame() {
        return physical >>> FrameAllocator.FRAME_SHIFT;
    }

    /** Bytes asked for. */
    public long length() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The alignment asked for. */
    public long alignment() {
        return align;
    }

    /** The highest physical address the buffer's block was allowed to reach (unsigned; -1 = none). */
    public long physicalLimit() {
        return physicalLimit;
    }

    /** The allocator order of the block behind the buffer. */
    public int order() {
        return order;
    }

    /** Bytes in the block behind the buffer (a power of two of frames, at least {@link #length()}). */
    public long blockSize() {
        return (long) FrameAllocator.FRAME_SIZE << order;
    }

    public boolean isFreed() {
        return freed.get();
    }

    // ---- CPU access -------------------------------------------------------------------------

    public void write(long offset, byte[] src) {
        write(offset, src, 0, src.length);
    }

    public void write(long offset, byte[] src, int srcOffset, int length) {
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        cpu(offset, length).write(physical + offset, MemorySegment.ofArray(src), srcOffset, length);
    }

    public void read(long offset, byte[] dst) {
        read(offset, dst, 0, dst.length);
    }

    public void read(long offset, byte[] dst, int dstOffset, int length) {
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        cpu(offset, length).read(physical + offset, MemorySegment.ofArray(dst), dstOffset, length);
    }

    /** The whole buffer's contents. */
    public byte[] toByteArray() {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("buffer of " + size + " bytes does not fit a byte array");
        }
        byte[] out = new byte[(int) size];
        read(0, out);
        return out;
    }

    public int readByte(long offset) {
        return cpu(offset, 1).read8(physical + offset);
    }

    public void writeByte(long offset, int value) {
        cpu(offset, 1).write8(physical + offset, value);
    }

    public long readLong(long offset) {
        return cpu(offset, Long.BYTES).read64(physical + offset);
    }

    public void writeLong(long offset, long value) {
        cpu(offset, Long.BYTES).write64(physical + offset, value);
    }

    /** Stores {@code value} into every byte of [offset, offset + length). */
    public void fill(long offset, long length, byte value) {
        cpu(offset, length).fill(physical + offset, length, value);
    }

    private Cpu cpu(long offset, long length) {
        if (freed.get()) {
            throw new IllegalStateException(String.format("DMA buffer at %#x was freed", physical));
        }
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IndexOutOfBoundsException(String.format(
                    "access [%d, +%d) is outside the DMA buffer at %#x of %d bytes", offset, length, physical, size));
        }
        return memory.cpu();
    }

    // ---- lifetime ---------------------------------------------------------------------------

    /**
     * Gives the frames back to the allocator.
     *
     * @throws MemoryInUseException naming the range and the use when a live DMA mapping (any
     *         path: single, page, scatterlist, bounced, through an IOMMU) or a descriptor in flight
     *         still refers to any byte of the block; the buffer then stays allocated
     */
    @Override
    public void close() {
        if (freed.get()) {
            return;
        }
        memory.requireUnmapped(physical, blockSize(), "DMA buffer");
        Optional<String> use = memory.useOf(physical, Math.max(size, 1));
        if (use.isPresent()) {
            throw new MemoryInUseException("DMA buffer", physical, size, null, use.get());
        }
        if (freed.compareAndSet(false, true)) {
            memory.frames().free(physical, order);
            memory.forget(this);
        }
    }

    @Override
    public String toString() {
        return String.format("DmaBuffer[phys=%#x, length=%d, order=%d%s]", physical, size, order, freed.get() ? ", freed" : "");
    }
}
