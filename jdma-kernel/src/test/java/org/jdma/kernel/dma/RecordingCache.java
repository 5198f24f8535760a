package org.jdma.kernel.dma;

import java.util.ArrayList;
import java.util.List;
import org.jdma.platform.CacheMaintenance;
import org.jdma.platform.MemoryType;

/**
 * Cache maintenance that records every operation and says whether it is coherent as told; the
 * operations themselves go to the real cache.
 */
final class RecordingCache implements CacheMaintenance {

    private final CacheMaintenance real;
    private final boolean coherent;
    private final List<String> ops = new ArrayList<>();

    RecordingCache(CacheMaintenance real, boolean coherent) {
        this.real = real;
        this.coherent = coherent;
    }

    synchronized List<String> ops() { return List.copyOf(ops); }

    synchronized void clear() { ops.clear(); }

    private synchronized void record(String op, long phys, long length) {
        ops.add(String.format("%s %#x+%d", op, phys, length));
    }

    @Override public boolean coherent() { return coherent; }
    @Override public int lineSize() { return real.lineSize(); }

    @Override
    public void clean(long phys, long length) {
        record("clean", phys, length);
        real.clean(phys, length);
    }

    @Override
    public void invalidate(long phys, long length) {
        record("invalidate", phys, length);
        real.invalidate(phys, length);
    }

    @Override
    public void cleanInvalidate(long phys, long length) {
        record("cleanInvalidate", phys, length);
        real.cleanInvalidate(phys, length);
    }

    @Override
    public void memoryType(long phys, long length, MemoryType type) {
        record(type.name(), phys, length);
        real.memoryType(phys, length, type);
    }
}
