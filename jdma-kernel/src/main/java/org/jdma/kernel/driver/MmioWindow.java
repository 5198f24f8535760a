package org.jdma.kernel.driver;

import org.jdma.platform.Cpu;

/**
 * One memory BAR of a device, as its driver reaches it (Linux {@code pci_iomap} and
 * {@code ioread32}/{@code iowrite32}): registers by offset from the BAR's start, each access one
 * uncached CPU load or store of 1, 2, 4 or 8 bytes, little-endian. Every access is checked: it
 * must be naturally aligned and lie inside the window, else an {@link IllegalArgumentException}
 * names the device, the BAR, the offset and the width (a driver bug, never sent to the bus).
 *
 * <p>Reads stall the CPU as the machine models MMIO reads; writes are posted.
 */
public final class MmioWindow {

    private final Cpu cpu;
    private final String owner;
    private final int bar;
    private final long base;
    private final long size;

    MmioWindow(Cpu cpu, String owner, int bar, long base, long size) {
        this.cpu = cpu;
        this.owner = owner;
        this.bar = bar;
        this.base = base;
        this.size = size;
    }

    /** The BAR number. */
    public int bar() {
        return bar;
    }

    /** Bytes in the window. */
    public long size() {
        return size;
    }

    /** The bus address firmware assigned to the BAR (for reports; accesses take offsets). */
    public long busAddress() {
        return base;
    }

    public int read8(long offset) {
        return cpu.read8(at(offset, 1)) & 0xFF;
    }

    public int read16(long offset) {
        return cpu.read16(at(offset, 2)) & 0xFFFF;
    }

    public int read32(long offset) {
        return cpu.read32(at(offset, 4));
    }

    public long read64(long offset) {
        return cpu.read64(at(offset, 8));
    }

    public void write8(long offset, int value) {
        cpu.write8(at(offset, 1), value);
    }

    public void write16(long offset, int value) {
        cpu.write16(at(offset, 2), value);
    }

    public void write32(long offset, int value) {
        cpu.write32(at(offset, 4), value);
    }

    public void write64(long offset, long value) {
        cpu.write64(at(offset, 8), value);
    }

    private long at(long offset, int width) {
        if (offset < 0 || offset > size - width) {
            throw new IllegalArgumentException(String.format("%s BAR%d: %d-byte access at offset %#x is outside the %#x-byte window",
                    owner, bar, width, offset, size));
        }
        if ((offset & (width - 1)) != 0) {
            throw new IllegalArgumentException(String.format("%s BAR%d: %d-byte access at offset %#x is not naturally aligned",
                    owner, bar, width, offset));
        }
        return base + offset;
    }

    @Override
    public String toString() {
        return String.format("%s BAR%d [%#x, +%#x)", owner, bar, base, size);
    }
}
