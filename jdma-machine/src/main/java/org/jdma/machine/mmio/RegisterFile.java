package org.jdma.machine.mmio;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A table of named registers implementing {@link MmioHandler}. The device model supplies hooks:
 * a write hook runs after a software write has been applied (to start work when a doorbell is
 * rung), a read hook may compute a value on read (live counters).
 *
 * <p>Device-side updates use {@link #set(Register, long)} (which ignores the access kind: hardware
 * may change read-only status bits).
 */
public final class RegisterFile implements MmioHandler {

    /** Called after a software write to a register, with the value now held and the value written. */
    @FunctionalInterface
    public interface WriteHook {
        void written(Register register, long newValue, long writtenValue);
    }

    /** Supplies the value of a register whose content is computed when it is read. */
    @FunctionalInterface
    public interface ReadHook {
        long read(Register register, long storedValue);
    }

    private final String name;
    private final List<Register> registers = new ArrayList<>();
    private final Map<Integer, Register> byOffset = new HashMap<>();
    private final Map<Register, Long> values = new HashMap<>();
    private final Map<Register, WriteHook> writeHooks = new HashMap<>();
    private final Map<Register, ReadHook> readHooks = new HashMap<>();
    private long unclaimedAccesses;

    public RegisterFile(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public Register add(Register r) {
        for (int b = 0; b < r.width(); b++) {
            if (byOffset.containsKey(r.offset() + b)) {
                throw new IllegalArgumentException(name + ": register " + r.name() + " overlaps "
                        + byOffset.get(r.offset() + b).name());
            }
        }
        for (int b = 0; b < r.width(); b++) {
            byOffset.put(r.offset() + b, r);
        }
        registers.add(r);
        values.put(r, r.reset());
        return r;
    }

    public void onWrite(Register r, WriteHook hook) {
        writeHooks.put(r, hook);
    }

    public void onRead(Register r, ReadHook hook) {
        readHooks.put(r, hook);
    }

    public List<Register> registers() {
        return Collections.unmodifiableList(registers);
    }

    /** The stored value (device-side view, no side effects). */
    public long get(Register r) {
        return values.get(r);
    }

    /** Device-side update; ignores the access kind but keeps reserved bits zero. */
    public void set(Register r, long value) {
        values.put(r, value & r.mask());
    }

    public void reset() {
        for (Register r : registers) {
            values.put(r, r.reset());
        }
    }

    public long unclaimedAccesses() {
        return unclaimedAccesses;
    }

    @Override
    public long read(long offset, int size) {
        Register r = offset >= 0 && offset <= Integer.MAX_VALUE ? byOffset.get((int) offset) : null;
        if (r == null || !validSize(size) || offset + size > r.offset() + r.width()) {
            unclaimedAccesses++;
            return 0;
        }
        long v = values.get(r);
        ReadHook hook = readHooks.get(r);
        if (hook != null) {
            v = hook.read(r, v) & r.mask();
        }
        switch (r.access()) {
            case WO -> v = 0;
            case RC -> values.put(r, 0L);
            default -> { }
        }
        int shift = (int) (offset - r.offset()) * 8;
        long bits = size == 8 ? -1L : (1L << (size * 8)) - 1;
        return (v >>> shift) & bits;
    }

    @Override
    public void write(long offset, int size, long value) {
        Register r = offset >= 0 && offset <= Integer.MAX_VALUE ? byOffset.get((int) offset) : null;
        if (r == null || !validSize(size) || offset + size > r.offset() + r.width()) {
            unclaimedAccesses++;
            return;
        }
        int shift = (int) (offset - r.offset()) * 8;
        long bits = (size == 8 ? -1L : (1L << (size * 8)) - 1) << shift;
        long incoming = (value << shift) & bits & r.mask();
        long old = values.get(r);
        long next = switch (r.access()) {
            case RO, RC -> old;
            case RW, WO -> (old & ~bits) | incoming;
            case RW1C -> old & ~incoming;
        };
        values.put(r, next & r.mask());
        WriteHook hook = writeHooks.get(r);
        if (hook != null) {
            hook.written(r, next & r.mask(), incoming);
        }
    }

    private static boolean validSize(int size) {
        return size == 1 || size == 2 || size == 4 || size == 8;
    }
}
