package org.jdma.machine.memory;

import org.jdma.machine.mmio.MmioHandler;

/** An MMIO window of the physical address map: accesses in [base, base + size) go to {@code handler}. */
public record MmioWindow(String name, long base, long size, MmioHandler handler) {
    public boolean contains(long address) {
        return Long.compareUnsigned(address, base) >= 0 && Long.compareUnsigned(address - base, size) < 0;
    }
}
