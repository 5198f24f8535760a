package org.jdma.kernel.ring;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.platform.Cpu;
import org.jdma.platform.RamWindow;

/**
 * The memory a descriptor ring shares with its device: one coherent allocation that the CPU
 * reaches through {@link Cpu} at {@link #physical()} and the device at {@link #dmaAddress()}.
 * Offsets are from the start of the allocation.
 *
 * <p>Accessors say which memory ordering they give, as in JCTools and Linux:
 * <ul>
 *   <li>plain ({@link #write}, {@link #read}, {@link #write8}, {@link #read64}, ...): no ordering;
 *       the driver fills a slot with them;</li>
 *   <li>{@link #publishRelease()}: every store before it is visible to the device before any store
 *       after it (Linux {@code wmb()} before the doorbell's MMIO write, or {@code dma_wmb()}
 *       before a descriptor's ownership bit);</li>
 *   <li>{@code readAcquire*}: loads after it see everything the device wrote before the value read
 *       (Linux {@code dma_rmb()} after reading a DD bit, a status byte or a phase tag);</li>
 *   <li>{@code writeRelease*}: a store ordered after every earlier store (an ownership flag).</li>
 * </ul>
 *
 * <p>Bad offsets are {@link IndexOutOfBoundsException}s naming the offset and the ring's size.
 */
public final class RingMemory {

    /** The memory, resolved once: the CPU's accesses without a region lookup each ({@link Cpu#window}). */
    private final RamWindow window;
    private final long physical;
    private final long dmaAddress;
    private final long bytes;

    /**
     * @param physical   where the CPU reaches the memory
     * @param dmaAddress what the device is told for the same bytes
     * @param bytes      size of the memory
     */
    public RingMemory(Cpu cpu, long physical, long dmaAddress, long bytes) {
        Objects.requireNonNull(cpu, "cpu");
        if (bytes <= 0) {
            throw new IllegalArgumentException("ring memory size must be positive, was " + bytes);
        }
        this.window = cpu.window(physical, bytes);
        this.physical = physical;
        this.dmaAddress = dmaAddress;
        this.bytes = bytes;
    }

    /** The ring memory of a coherent allocation (its whole size). */
    public static RingMemory of(Cpu cpu, CoherentAllocation memory) {
        return new RingMemory(cpu, memory.physical(), memory.dmaAddress(), memory.size());
    }

    public long physical() {
        return physical;
    }

    public long dmaAddress() {
        return dmaAddress;
    }

    /** The device address of the byte at {@code offset}. */
    public long dmaAddressOf(long offset) {
        check(offset, 0);
        return dmaAddress + offset;
    }

    public long bytes() {
        return bytes;
    }

    // ---- plain accesses ---------------------------------------------------------------------------

    public void write(long offset, MemorySegment src, long srcOffset, long length) {
        check(offset, length);
        window.write(offset, src, srcOffset, length);
    }

    public void read(long offset, MemorySegment dst, long dstOffset, long length) {
        check(offset, length);
        window.read(offset, dst, dstOffset, length);
    }

    public void fill(long offset, long length, byte value) {
        check(offset, length);
        window.fill(offset, length, value);
    }

    public int read8(long offset) {
        check(offset, 1);
        return window.read8(offset);
    }

    public void write8(long offset, int value) {
        check(offset, 1);
        window.write8(offset, value);
    }

    public int read16(long offset) {
        check(offset, 2);
        return window.read16(offset);
    }

    public void write16(long offset, int value) {
        check(offset, 2);
        window.write16(offset, value);
    }

    public int read32(long offset) {
        check(offset, 4);
        return window.read32(offset);
    }

    public void write32(long offset, int value) {
        check(offset, 4);
        window.write32(offset, value);
    }

    public long read64(long offset) {
        check(offset, 8);
        return window.read64(offset);
    }

    public void write64(long offset, long value) {
        check(offset, 8);
        window.write64(offset, value);
    }

    // ---- ordered accesses -------------------------------------------------------------------------

    /** A byte, with acquire: later loads see what the device wrote before it. */
    public int readAcquire8(long offset) {
        check(offset, 1);
        return window.read8Acquire(offset);
    }

    /** An aligned 32-bit word, with acquire. */
    public int readAcquire32(long offset) {
        check(offset, 4);
        return window.read32Acquire(offset);
    }

    /** An aligned 64-bit word, with acquire. */
    public long readAcquire64(long offset) {
        check(offset, 8);
        return window.read64Acquire(offset);
    }

    /** An aligned 32-bit word, after every earlier store. */
    public void writeRelease32(long offset, int value) {
        check(offset, 4);
        window.write32Release(offset, value);
    }

    /** An aligned 64-bit word, after every earlier store. */
    public void writeRelease64(long offset, long value) {
        check(offset, 8);
        window.write64Release(offset, value);
    }

    /**
     * Orders every store made so far before every store made after (a release fence): what a
     * producer does once, after filling a batch of slots and before telling the device.
     */
    public static void publishRelease() {
        VarHandle.releaseFence();
    }

    private void check(long offset, long length) {
        if (offset < 0 || length < 0 || offset > bytes - length) {
            throw new IndexOutOfBoundsException(String.format("ring memory access [%#x, +%d) is outside its %d bytes at %#x",
                    offset, length, bytes, physical));
        }
    }

    @Override
    public String toString() {
        return String.format("RingMemory[phys %#x, dma %#x, %d bytes]", physical, dmaAddress, bytes);
    }
}
