package org.jdma.machine.mmio;

/**
 * A device's MMIO window as the CPU sees it. Offsets are relative to the window base; sizes are
 * 1, 2, 4 or 8 bytes. Implementations must not throw for any offset or size.
 */
public interface MmioHandler {
    long read(long offset, int size);

    void write(long offset, int size, long value);
}
