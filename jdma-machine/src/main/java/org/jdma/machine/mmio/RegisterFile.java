package org.jdma.machine.mmio;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

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
    /** {@link #registers} as an array: {@link #indexOf} runs on every device-side access. */
    private Register[] byIndex = new Register[0];
    /**
     * For each byte offset of the window, 1 + the index of the register covering it (0: none).
     * Arrays rather than maps keyed by offset and by register: every MMIO access goes through here,
     * and hashing a record (name included) per access showed up in profiles.
     */
    private int[] slotByOffset = new int[0];
    private long[] values = new long[0];
    /** Each register's existing bits, beside its value: {@link #set(int, long)} needs no other load. */
    private long[] masks = new long[0];
    private WriteHook[] writeHooks = new WriteHook[0];
    private ReadHook[] readHooks = new ReadHook[0];
    private long unclaimedAccesses;

    public RegisterFile(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public Register add(Register r) {
        int end = r.offset() + r.width();
        if (r.offset() < 0 || end < 0) {
            throw new IllegalArgumentException(name + ": register " + r.name() + " has a negative offset " + r.offset());
        }
        for (int b = r.offset(); b < end && b < slotByOffset.length; b++) {
            if (slotByOffset[b] != 0) {
                throw new IllegalArgumentException(name + ": register " + r.name() + " overlaps "
                        + registers.get(slotByOffset[b] - 1).name());
            }
        }
        if (end > slotByOffset.length) {
            slotByOffset = Arrays.copyOf(slotByOffset, end);
        }
        int index = registers.size();
        registers.add(r);
        byIndex = Arrays.copyOf(byIndex, index + 1);
        byIndex[index] = r;
        values = Arrays.copyOf(values, index + 1);
        masks = Arrays.copyOf(masks, index + 1);
        masks[index] = r.mask();
        writeHooks = Arrays.copyOf(writeHooks, index + 1);
        readHooks = Arrays.copyOf(readHooks, index + 1);
        Arrays.fill(slotByOffset, r.offset(), end, index + 1);
        values[index] = r.reset();
        return r;
    }

    /**
     * The slot of {@code r} in this file, for {@link #get(int)}, {@link #set(int, long)} and
     * {@link #add(int, long)}: a device model that touches registers on every frame or command looks
     * each one up once, when it is built, instead of by offset on every access.
     *
     * @throws IllegalArgumentException when {@code r} was not added here
     */
    public int slotOf(Register r) {
        return indexOf(r);
    }

    /** {@link #get(Register)} of the register in {@code slot} (from {@link #slotOf}). */
    public long get(int slot) {
        return values[slot];
    }

    /** {@link #set(Register, long)} of the register in {@code slot}. */
    public void set(int slot, long value) {
        values[slot] = value & masks[slot];
    }

    /** {@link #add(Register, long)} of the register in {@code slot}. */
    public void add(int slot, long delta) {
        values[slot] = values[slot] + delta & masks[slot];
    }

    /** Index of {@code r} in this file; throws when it was not added here. */
    private int indexOf(Register r) {
        int off = r.offset();
        if (off >= 0 && off < slotByOffset.length && slotByOffset[off] != 0) {
            int i = slotByOffset[off] - 1;
            Register held = byIndex[i];
            if (held == r || held.equals(r)) { // identity first: the record's equals compares every field
                return i;
            }
        }
        throw new IllegalArgumentException(name + ": register " + r.name() + " at offset " + off + " is not in this file");
    }

    /** Index of the register covering byte {@code offset}, or -1. */
    private int indexAt(long offset) {
        return offset >= 0 && offset < slotByOffset.length ? slotByOffset[(int) offset] - 1 : -1;
    }

    public void onWrite(Register r, WriteHook hook) {
        writeHooks[indexOf(r)] = hook;
    }

    public void onRead(Register r, ReadHook hook) {
        readHooks[indexOf(r)] = hook;
    }

    public List<Register> registers() {
        return Collections.unmodifiableList(registers);
    }

    /** The stored value (device-side view, no side effects). */
    public long get(Register r) {
        return values[indexOf(r)];
    }

    /** Device-side update; ignores the access kind but keeps reserved bits zero. */
    public void set(Register r, long value) {
        values[indexOf(r)] = value & r.mask();
    }

    /** Device-side {@code set(r, get(r) + delta)} with one lookup (a statistics counter counting, wrapping at its bits). */
    public void add(Register r, long delta) {
        int i = indexOf(r);
        values[i] = values[i] + delta & r.mask();
    }

    public void reset() {
        for (int i = 0; i < registers.size(); i++) {
            values[i] = registers.get(i).reset();
        }
    }

    public long unclaimedAccesses() {
        return unclaimedAccesses;
    }

    @Override
    public long read(long offset, int size) {
        int i = indexAt(offset);
        Register r = i >= 0 ? byIndex[i] : null;
        if (r == null || !validSize(size) || offset + size > r.offset() + r.width()) {
            unclaimedAccesses++;
            return 0;
        }
        long v = values[i];
        ReadHook hook = readHooks[i];
        if (hook != null) {
            v = hook.read(r, v) & r.mask();
        }
        switch (r.access()) {
            case WO -> v = 0;
            case RC -> values[i] = 0L;
            default -> { }
        }
        int shift = (int) (offset - r.offset()) * 8;
        long bits = size == 8 ? -1L : (1L << (size * 8)) - 1;
        return (v >>> shift) & bits;
    }

    @Override
    public void write(long offset, int size, long value) {
        int i = indexAt(offset);
        Register r = i >= 0 ? byIndex[i] : null;
        if (r == null || !validSize(size) || offset + size > r.offset() + r.width()) {
            unclaimedAccesses++;
            return;
        }
        int shift = (int) (offset - r.offset()) * 8;
        long bits = (size == 8 ? -1L : (1L << (size * 8)) - 1) << shift;
        long incoming = (value << shift) & bits & r.mask();
        long old = values[i];
        long next = switch (r.access()) {
            case RO, RC -> old;
            case RW, WO -> (old & ~bits) | incoming;
            case RW1C -> old & ~incoming;
        };
        values[i] = next & r.mask();
        WriteHook hook = writeHooks[i];
        if (hook != null) {
            hook.written(r, next & r.mask(), incoming);
        }
    }

    private static boolean validSize(int size) {
        return size == 1 || size == 2 || size == 4 || size == 8;
    }
}
