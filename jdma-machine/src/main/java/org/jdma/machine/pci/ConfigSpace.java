package org.jdma.machine.pci;

import java.util.Arrays;
import org.jdma.spec.pci.PciConfigLayout;

/**
 * The 4 KiB configuration space of one PCI function as bytes with an access kind per bit (PCI
 * Local Bus Specification 3.0 §6.1: "read-only", "read/write", "write 1 to clear"; reserved and
 * unimplemented bits read 0 and ignore writes). Each bit is one of
 * <ul>
 *   <li>read-only: software writes leave it; the function itself may change it ({@link #set});</li>
 *   <li>read-write: holds what software wrote;</li>
 *   <li>write-1-to-clear: a 1 written clears it, a 0 leaves it; the function sets it.</li>
 * </ul>
 * Declarations ({@link #readOnly}, {@link #readWrite}, {@link #writeOneToClear}) fix the kinds and
 * the reset value; {@link #reset} puts every byte back to the value it was declared with.
 *
 * <p>Software accesses ({@link #read}, {@link #write}) are 1, 2 or 4 bytes, naturally aligned,
 * within the 4 KiB; the caller (the ECAM decoder) filters anything else. Little-endian.
 *
 * <p>Thread use: configuration cycles come from the CPU; a device on its own thread may set status
 * bits (a master abort) meanwhile, so every access and change is synchronized.
 */
public final class ConfigSpace {

    private final byte[] bytes = new byte[PciConfigLayout.CONFIG_SPACE_SIZE];
    private final byte[] resetValue = new byte[PciConfigLayout.CONFIG_SPACE_SIZE];
    private final byte[] writable = new byte[PciConfigLayout.CONFIG_SPACE_SIZE];
    private final byte[] clearable = new byte[PciConfigLayout.CONFIG_SPACE_SIZE];

    /** Declares [offset, offset + size) read-only with {@code value} (its reset value too). */
    public void readOnly(int offset, int size, long value) {
        declare(offset, size, value, 0, 0);
    }

    /** Declares the bits of {@code writableMask} read-write, the rest read-only, reset to {@code value}. */
    public void readWrite(int offset, int size, long value, long writableMask) {
        declare(offset, size, value, writableMask, 0);
    }

    /** Declares the bits of {@code mask} write-1-to-clear (reset 0), keeping the other bits' kinds. */
    public void writeOneToClear(int offset, int size, long mask) {
        check(offset, size);
        for (int i = 0; i < size; i++) {
            int m = (int) (mask >>> (8 * i)) & 0xFF;
            clearable[offset + i] |= (byte) m;
            writable[offset + i] &= (byte) ~m;
            resetValue[offset + i] &= (byte) ~m;
            bytes[offset + i] &= (byte) ~m;
        }
    }

    private void declare(int offset, int size, long value, long writableMask, long clearableMask) {
        check(offset, size);
        for (int i = 0; i < size; i++) {
            byte v = (byte) (value >>> (8 * i));
            bytes[offset + i] = v;
            resetValue[offset + i] = v;
            writable[offset + i] = (byte) (writableMask >>> (8 * i));
            clearable[offset + i] = (byte) (clearableMask >>> (8 * i));
        }
    }

    private static void check(int offset, int size) {
        if (offset < 0 || size < 1 || size > 8 || offset + size > PciConfigLayout.CONFIG_SPACE_SIZE) {
            throw new IllegalArgumentException(String.format("config space field [%#x, +%d) is outside 0..0xfff", offset, size));
        }
    }

    /** A software read: {@code size} bytes at {@code offset}, little-endian. */
    public synchronized long read(int offset, int size) {
        return get(offset, size);
    }

    /**
     * A software write: read-write bits take the value written, write-1-to-clear bits set in the
     * value are cleared, every other bit keeps its value.
     */
    public synchronized void write(int offset, int size, long value) {
        for (int i = 0; i < size; i++) {
            int o = offset + i;
            int v = (int) (value >>> (8 * i)) & 0xFF;
            int old = bytes[o] & 0xFF;
            int w = writable[o] & 0xFF;
            int next = (old & ~w) | (v & w);
            next &= ~(v & clearable[o] & 0xFF);
            bytes[o] = (byte) next;
        }
    }

    /** The function's own read of a field, whatever its access kind. */
    public synchronized long get(int offset, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (bytes[offset + i] & 0xFF);
        }
        return v;
    }

    /** The function's own update of a field, whatever its access kind (status bits, pending bits). */
    public synchronized void set(int offset, int size, long value) {
        for (int i = 0; i < size; i++) {
            bytes[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    /** Sets {@code bits} of a field (hardware setting status or pending bits). */
    public synchronized void setBits(int offset, int size, long bits) {
        set(offset, size, get(offset, size) | bits);
    }

    /** Clears {@code bits} of a field, as the function does. */
    public synchronized void clearBits(int offset, int size, long bits) {
        set(offset, size, get(offset, size) & ~bits);
    }

    /** The bits of a field software can write (read-write), as declared. */
    public long writableMask(int offset, int size) {
        return gather(writable, offset, size);
    }

    /** The bits of a field that are write-1-to-clear, as declared. */
    public long clearableMask(int offset, int size) {
        return gather(clearable, offset, size);
    }

    /** The value a field takes at reset. */
    public long resetValue(int offset, int size) {
        return gather(resetValue, offset, size);
    }

    private static long gather(byte[] a, int offset, int size) {
        check(offset, size);
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (a[offset + i] & 0xFF);
        }
        return v;
    }

    /** Returns every byte to its declared reset value. */
    public synchronized void reset() {
        System.arraycopy(resetValue, 0, bytes, 0, bytes.length);
    }

    /** Changes the reset value (and current value) of a field without changing its access kinds. */
    void redeclareValue(int offset, int size, long value) {
        check(offset, size);
        for (int i = 0; i < size; i++) {
            byte v = (byte) (value >>> (8 * i));
            resetValue[offset + i] = v;
            bytes[offset + i] = v;
        }
    }

    @Override
    public String toString() {
        return "ConfigSpace" + Arrays.toString(Arrays.copyOf(bytes, PciConfigLayout.HEADER_SIZE));
    }
}
