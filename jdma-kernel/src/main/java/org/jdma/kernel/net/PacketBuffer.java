package org.jdma.kernel.net;

import java.util.Objects;

/**
 * One packet's buffer: a fixed-size entry of a {@link PagePool}'s memory and how many bytes of it
 * hold the packet (ixy's {@code pkt_buf}; its metadata lives here instead of in the buffer's
 * headroom). The bytes are reached through the CPU the caller runs on, so the cache and the
 * checker see every access.
 */
public final class PacketBuffer {

    private final PagePool pool;
    private final int chunk;
    private final int offsetInChunk;
    private final long physical;
    private final long dmaAddress;
    private int size;
    /** The pool holds it (not the device, not the application). */
    boolean free;
    /** The pool's mapping gives these bytes to the device (no syncForCpu since). */
    boolean deviceOwned = true;

    PacketBuffer(PagePool pool, int chunk, int offsetInChunk, long physical, long dmaAddress) {
        this.pool = pool;
        this.chunk = chunk;
        this.offsetInChunk = offsetInChunk;
        this.physical = physical;
        this.dmaAddress = dmaAddress;
    }

    public PagePool pool() {
        return pool;
    }

    /** Where the CPU reaches the buffer. */
    public long physical() {
        return physical;
    }

    /** The address the pool's device uses for the buffer (its mapping made once). */
    public long dmaAddress() {
        return dmaAddress;
    }

    /** Bytes the buffer can hold. */
    public int capacity() {
        return pool.entrySize();
    }

    /** Bytes of packet in the buffer. */
    public int size() {
        return size;
    }

    /** Sets the packet's length (before sending what the application wrote). */
    public void setSize(int bytes) {
        Objects.checkFromIndexSize(0, bytes, capacity() + 1);
        this.size = bytes;
    }

    int chunk() {
        return chunk;
    }

    int offsetInChunk() {
        return offsetInChunk;
    }

    /** Copies {@code length} packet bytes from {@code offset} into {@code dst} at {@code dstOffset}. */
    public void read(int offset, byte[] dst, int dstOffset, int length) {
        Objects.checkFromIndexSize(offset, length, capacity());
        pool.cpu().read(physical + offset, java.lang.foreign.MemorySegment.ofArray(dst), dstOffset, length);
    }

    /** Copies {@code length} bytes of {@code src} from {@code srcOffset} into the buffer at {@code offset}. */
    public void write(int offset, byte[] src, int srcOffset, int length) {
        Objects.checkFromIndexSize(offset, length, capacity());
        pool.cpu().write(physical + offset, java.lang.foreign.MemorySegment.ofArray(src), srcOffset, length);
    }

    /** Writes {@code frame} at the start and sets the size to its length. */
    public void put(byte[] frame) {
        setSize(frame.length);
        write(0, frame, 0, frame.length);
    }

    public int readByte(int offset) {
        Objects.checkIndex(offset, capacity());
        return pool.cpu().read8(physical + offset);
    }

    public void writeByte(int offset, int value) {
        Objects.checkIndex(offset, capacity());
        pool.cpu().write8(physical + offset, value);
    }

    /** The packet's bytes. */
    public byte[] toByteArray() {
        byte[] b = new byte[size];
        read(0, b, 0, size);
        return b;
    }

    /** Gives the buffer back to its pool (ixy's {@code pkt_buf_free}); the caller must not touch it again. */
    public void free() {
        pool.recycle(this);
    }

    @Override
    public String toString() {
        return String.format("%s buffer phys %#x dma %#x size %d", pool.name(), physical, dmaAddress, size);
    }
}
