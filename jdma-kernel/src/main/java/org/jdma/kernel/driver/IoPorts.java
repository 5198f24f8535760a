package org.jdma.kernel.driver;

import org.jdma.platform.Cpu;

/**
 * One port range of a legacy device, as its driver reaches it (Linux {@code inb}/{@code outb}
 * after {@code request_region}): ports by offset from the range's first port, accesses of 8, 16
 * or 32 bits, little-endian across consecutive ports (Intel SDM Vol. 1 §19.3). Every access is
 * checked to lie inside the range, else an {@link IllegalArgumentException} names the device, the
 * offset and the port (a driver bug, never sent to the bus).
 *
 * <p>Each access, read or write, stalls the CPU for the machine's modeled I/O cycle.
 */
public final class IoPorts {

    private final Cpu cpu;
    private final String owner;
    private final PortRange range;

    IoPorts(Cpu cpu, String owner, PortRange range) {
        this.cpu = cpu;
        this.owner = owner;
        this.range = range;
    }

    public PortRange range() {
        return range;
    }

    public int in8(int offset) {
        return cpu.in8(port(offset, 1)) & 0xFF;
    }

    public int in16(int offset) {
        return cpu.in16(port(offset, 2)) & 0xFFFF;
    }

    public int in32(int offset) {
        return cpu.in32(port(offset, 4));
    }

    public void out8(int offset, int value) {
        cpu.out8(port(offset, 1), value);
    }

    public void out16(int offset, int value) {
        cpu.out16(port(offset, 2), value);
    }

    public void out32(int offset, int value) {
        cpu.out32(port(offset, 4), value);
    }

    private int port(int offset, int width) {
        if (offset < 0 || offset > range.count() - width) {
            throw new IllegalArgumentException(String.format("%s: %d-byte port access at offset %d (port %#x) is outside %s",
                    owner, width, offset, range.first() + offset, range));
        }
        return range.first() + offset;
    }

    @Override
    public String toString() {
        return owner + " " + range;
    }
}
