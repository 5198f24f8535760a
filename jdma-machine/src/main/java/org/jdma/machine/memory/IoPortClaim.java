package org.jdma.machine.memory;

/**
 * Ports {@code [first, first + count)} of the I/O port space, decoded by {@code owner}'s
 * {@code handler}.
 */
public record IoPortClaim(String owner, int first, int count, IoPortHandler handler) {

    /** The last port of the claim. */
    public int last() {
        return first + count - 1;
    }

    public boolean contains(int port) {
        return port >= first && port <= last();
    }

    public boolean overlaps(int otherFirst, int otherCount) {
        return otherFirst <= last() && first <= otherFirst + otherCount - 1;
    }

    @Override
    public String toString() {
        return String.format("%s [%#06x-%#06x]", owner, first, last());
    }
}
