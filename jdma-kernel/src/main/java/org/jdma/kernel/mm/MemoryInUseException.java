package org.jdma.kernel.mm;

import java.util.Optional;

/**
 * A free was refused because a device may still reach the memory: a live DMA mapping covers some
 * of it ({@link #mapping()}), or a tracker (an in-flight descriptor) still names it. The memory
 * stays allocated; unmap (or wait for the transfer), then free again.
 */
public final class MemoryInUseException extends IllegalStateException {

    private final long address;
    private final long length;
    private final transient LiveMapping mapping;

    public MemoryInUseException(String what, long address, long length, LiveMapping mapping, String use) {
        super(String.format("cannot free %s [%#x, +%#x): %s", what, address, length, use));
        this.address = address;
        this.length = length;
        this.mapping = mapping;
    }

    /** First byte of the range whose free was refused. */
    public long address() {
        return address;
    }

    public long length() {
        return length;
    }

    /** The live mapping that holds the memory, when a mapping (not a tracker) refused the free. */
    public Optional<LiveMapping> mapping() {
        return Optional.ofNullable(mapping);
    }
}
