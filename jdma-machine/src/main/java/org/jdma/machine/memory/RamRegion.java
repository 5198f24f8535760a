package org.jdma.machine.memory;

import java.lang.foreign.MemorySegment;

/** A RAM region of the physical address map: [base, base + size), backed by {@code memory}. */
public record RamRegion(String name, long base, long size, MemorySegment memory) {
    public long end() {
        return base + size;
    }

    /** One unsigned compare: below {@code base}, {@code address - base} wraps to at least {@code size}. */
    public boolean contains(long address) {
        return Long.compareUnsigned(address - base, size) < 0;
    }
}
