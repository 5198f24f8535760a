package org.jdma.kernel.compat.dmaapi;

import java.lang.foreign.MemorySegment;
import org.jdma.platform.Cpu;

/** CPU copies between two physical ranges (bounce buffers), through the cache like any CPU access. */
final class CpuCopy {
    private CpuCopy() { }

    private static final int CHUNK = 64 * 1024;

    /** Copies [from, from + size) to [to, to + size) in 64 KiB pieces. */
    static void copy(Cpu cpu, long from, long to, long size) {
        if (size <= 0) {
            return;
        }
        MemorySegment buf = MemorySegment.ofArray(new byte[(int) Math.min(size, CHUNK)]);
        for (long done = 0; done < size; done += CHUNK) {
            long n = Math.min(CHUNK, size - done);
            cpu.read(from + done, buf, 0, n);
            cpu.write(to + done, buf, 0, n);
        }
    }
}
