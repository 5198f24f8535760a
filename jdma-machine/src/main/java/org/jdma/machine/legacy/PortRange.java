package org.jdma.machine.legacy;

/** I/O ports {@code [first, first + count)} a legacy device decodes. */
public record PortRange(int first, int count) {

    public PortRange {
        if (count <= 0 || first < 0 || (long) first + count - 1 > org.jdma.machine.memory.IoPortSpace.MAX_PORT) {
            throw new IllegalArgumentException(String.format(
                    "I/O port range at %#x of %d ports is empty or leaves the port space 0x0000-0xffff", first, count));
        }
    }

    public static PortRange of(int first, int count) {
        return new PortRange(first, count);
    }

    public int last() {
        return first + count - 1;
    }

    public boolean contains(int port) {
        return port >= first && port <= last();
    }

    public boolean overlaps(PortRange other) {
        return other.first <= last() && first <= other.last();
    }

    @Override
    public String toString() {
        return String.format("[%#06x-%#06x]", first, last());
    }
}
