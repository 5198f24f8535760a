package org.jdma.machine.cache;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Loads and stores of guest RAM straight on its region's memory, little-endian (the machine is
 * x86 whatever the host is): what the coherent cache does when no range has a memory type and
 * nobody observes, and what a CPU access or a RAM window comes down to then.
 */
public final class DirectRam {

    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final VarHandle BYTE_ATOMIC = ValueLayout.JAVA_BYTE.varHandle();
    static final VarHandle INT_ATOMIC = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    static final VarHandle LONG_ATOMIC = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    private DirectRam() {
    }

    /** A plain load of {@code size} (1, 2, 4 or 8) bytes at {@code offset}, zero-extended. */
    public static long load(MemorySegment m, long offset, int size) {
        return switch (size) {
            case 1 -> m.get(ValueLayout.JAVA_BYTE, offset) & 0xFFL;
            case 2 -> m.get(SHORT, offset) & 0xFFFFL;
            case 4 -> m.get(INT, offset) & 0xFFFF_FFFFL;
            default -> m.get(LONG, offset);
        };
    }

    /** A plain store of the low {@code size} (1, 2, 4 or 8) bytes of {@code value} at {@code offset}. */
    public static void store(MemorySegment m, long offset, int size, long value) {
        switch (size) {
            case 1 -> m.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
            case 2 -> m.set(SHORT, offset, (short) value);
            case 4 -> m.set(INT, offset, (int) value);
            default -> m.set(LONG, offset, value);
        }
    }

    public static int load8Acquire(MemorySegment m, long offset) {
        return (byte) BYTE_ATOMIC.getAcquire(m, offset) & 0xFF;
    }

    public static int load32Acquire(MemorySegment m, long offset) {
        return (int) INT_ATOMIC.getAcquire(m, offset);
    }

    public static long load64Acquire(MemorySegment m, long offset) {
        return (long) LONG_ATOMIC.getAcquire(m, offset);
    }

    public static void store32Release(MemorySegment m, long offset, int value) {
        INT_ATOMIC.setRelease(m, offset, value);
    }

    public static void store64Release(MemorySegment m, long offset, long value) {
        LONG_ATOMIC.setRelease(m, offset, value);
    }
}
