package org.jdma.kernel.net;

import java.util.Objects;

/**
 * One packet's buffer: a fixed-size entry of a {@link PagePool}'s memory and how many bytes of it
 * hold the packet (ixy's {@code pkt_buf}; its metadata lives here instead of in the buffer's
 * headroom). The bytes are reached through the CPU the caller runs on, so the cache and the
 * checker see every access.
 *
 * <p>A frame larger than one buffer is a chain (Linux's skb fragments, DPDK's mbuf chain): the
 * first buffer stands for the frame ({@link #frameLength()}, {@link #segments()}, the RSS hash),
 * {@link #next()} leads to the following segments, each with its own {@link #size()}. Freeing the
 * first buffer frees the whole chain, each segment to its own pool.
 */
public final class PacketBuffer {

    private final PagePool pool;
    private final int chunk;
    private final int offsetInChunk;
    private final long physical;
    private final long dmaAddress;
    private int size;
    private PacketBuffer next;
    private int rssHash;
    private int rssType;
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

    /** The next segment of this frame, or null when this buffer is its last. */
    public PacketBuffer next() {
        return next;
    }

    /** Buffers from this one to the end of its chain (1 for a frame in one buffer). */
    public int segments() {
        int n = 1;
        for (PacketBuffer b = next; b != null; b = b.next) {
            n++;
        }
        return n;
    }

    /** Bytes of the frame from this buffer to the end of its chain: the sum of the segments' sizes. */
    public int frameLength() {
        int n = size;
        for (PacketBuffer b = next; b != null; b = b.next) {
            n += b.size;
        }
        return n;
    }

    /**
     * Appends {@code tail} (one buffer or the first of a chain) after the last segment of this
     * chain; returns this buffer.
     *
     * @throws IllegalArgumentException when {@code tail} is already in this chain
     * @throws IllegalStateException    when {@code tail} is free (back in its pool)
     */
    public PacketBuffer append(PacketBuffer tail) {
        Objects.requireNonNull(tail, "tail");
        if (tail.free) {
            throw new IllegalStateException(tail + " is free: it cannot be part of a frame");
        }
        PacketBuffer last = this;
        while (true) {
            if (last == tail) {
                throw new IllegalArgumentException(tail + " is already in this chain");
            }
            if (last.next == null) {
                break;
            }
            last = last.next;
        }
        for (PacketBuffer b = tail; b != null; b = b.next) {
            if (b == this) {
                throw new IllegalArgumentException(tail + "'s chain leads back to " + this);
            }
        }
        last.next = tail;
        return this;
    }

    /** The RSS hash the device computed for this frame (0 when it computed none). */
    public int rssHash() {
        return rssHash;
    }

    /** The device's RSS type of the hash (which fields it hashed; 0: none). */
    public int rssType() {
        return rssType;
    }

    /** Records the device's RSS hash and type (the driver, from the frame's receive descriptor). */
    public void setRss(int hash, int type) {
        this.rssHash = hash;
        this.rssType = type;
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

    /** The packet's bytes in this buffer. */
    public byte[] toByteArray() {
        byte[] b = new byte[size];
        read(0, b, 0, size);
        return b;
    }

    /** The whole frame's bytes: this buffer's, then each following segment's. */
    public byte[] frameBytes() {
        byte[] f = new byte[frameLength()];
        int at = 0;
        for (PacketBuffer b = this; b != null; b = b.next) {
            b.read(0, f, at, b.size);
            at += b.size;
        }
        return f;
    }

    /**
     * Gives the buffer, and every segment chained after it, back to its pool (ixy's
     * {@code pkt_buf_free}); the caller must not touch them again.
     */
    public void free() {
        PacketBuffer b = this;
        while (b != null) {
            PacketBuffer following = b.next;
            b.next = null;
            b.rssHash = 0;
            b.rssType = 0;
            b.pool.recycle(b);
            b = following;
        }
    }

    @Override
    public String toString() {
        return String.format("%s buffer phys %#x dma %#x size %d", pool.name(), physical, dmaAddress, size);
    }
}
