package org.jdma.stress.ring;

import java.lang.foreign.Arena;
import org.jdma.machine.cache.CoherentCache;
import org.jdma.machine.cache.CpuCache;
import org.jdma.machine.memory.PhysicalMemory;

/**
 * A few KiB of "RAM" behind the same CPU-cache path ({@link CoherentCache}) the kernel's {@code Cpu}
 * uses for ring memory, so the tests exercise the real plain, acquire and release accesses. Kernel
 * code reaches this path only through {@code Cpu}; the stress harness runs on the class path and
 * builds it directly because a whole {@code Machine} per jcstress state would be far too heavy.
 */
final class RingMemory {
    private RingMemory() { }

    static final int SIZE = 4096;
    static final int CACHE_LINE = 64;

    /** A fresh, zeroed RAM region at physical address 0, freed by the GC. */
    static CpuCache create() {
        PhysicalMemory memory = new PhysicalMemory();
        memory.addRam("stress", 0, Arena.ofAuto().allocate(SIZE, CACHE_LINE));
        return new CoherentCache(memory, CACHE_LINE);
    }
}
