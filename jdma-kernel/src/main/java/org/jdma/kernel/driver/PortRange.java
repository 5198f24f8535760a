package org.jdma.kernel.driver;

import org.jdma.platform.Cpu;

/**
 * A range of I/O ports a legacy driver names in its match: {@code count} consecutive ports from
 * {@code first} in the x86 I/O address space (Intel SDM Vol. 1 §19.2; Linux {@code request_region}).
 *
 * @param first the first port, 0..{@link Cpu#MAX_IO_PORT}
 * @param count ports, at least 1; the last one is at most {@link Cpu#MAX_IO_PORT}
 */
public record PortRange(int first, int count) {

    public PortRange {
        if (first < 0 || first > Cpu.MAX_IO_PORT) {
            throw new IllegalArgumentException(String.format("port range: first port %#x is outside 0..%#x", first, Cpu.MAX_IO_PORT));
        }
        if (count < 1 || first + count - 1 > Cpu.MAX_IO_PORT) {
            throw new IllegalArgumentException(String.format("port range at %#x: %d ports run outside 0..%#x", first, count, Cpu.MAX_IO_PORT));
        }
    }

    public static PortRange of(int first, int count) {
        return new PortRange(first, count);
    }

    /** The last port of the range. */
    public int last() {
        return first + count - 1;
    }

    public boolean overlaps(PortRange other) {
        return first <= other.last() && other.first <= last();
    }

    @Override
    public String toString() {
        return String.format("ports %#x-%#x", first, last());
    }
}
