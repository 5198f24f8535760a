package com.example.copydriver;

import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.StreamingMapping;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.mm.DmaBuffer;

/**
 * The same driver with one bug: it reads the first word the engine wrote while the destination is
 * still mapped for the device, without {@code syncForCpu}. On a coherent (x86) machine it gets the
 * right value by luck; on a non-coherent one it reads its own stale cache line. The checker
 * reports it either way.
 */
public final class BuggyCopyDriver {

    private final DeviceDmaApi dma;
    private final CopyEngineDriver engine;

    public BuggyCopyDriver(DeviceDmaApi dma, CopyEngineDriver engine) {
        this.dma = dma;
        this.engine = engine;
    }

    /** Copies {@code length} bytes and returns the first 8 bytes of the destination. */
    public long copyAndPeek(DmaBuffer src, DmaBuffer dst, int length) {
        try (StreamingMapping s = dma.mapStreaming(src, length, DmaDirection.TO_DEVICE);
             StreamingMapping d = dma.mapStreaming(dst, length, DmaDirection.FROM_DEVICE)) {
            engine.execute(Descriptor.memmove(s.dmaAddress(), d.dmaAddress(), length));
            return dst.readLong(0); // BUG: the device still owns dst; d.syncForCpu() must come first
        }
    }
}
