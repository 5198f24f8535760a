package com.example.copydriver;

import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.StreamingMapping;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.mm.DmaBuffer;

/**
 * The copy driver with a different bug: it unmaps the destination before the engine has run, then
 * hands the engine the address it remembered. With the IOMMU off the copy "works" (the address is
 * still the buffer's physical address), so no test of the result fails; only a checker that sees
 * what the device touches can tell.
 */
public final class EarlyUnmapCopyDriver {

    private final DeviceDmaApi dma;
    private final CopyEngineDriver engine;

    public EarlyUnmapCopyDriver(DeviceDmaApi dma, CopyEngineDriver engine) {
        this.dma = dma;
        this.engine = engine;
    }

    /** Copies {@code length} bytes from {@code src} to {@code dst}; returns the engine's result. */
    public OpResult copy(DmaBuffer src, DmaBuffer dst, int length) {
        try (StreamingMapping s = dma.mapStreaming(src, length, DmaDirection.TO_DEVICE)) {
            long destination;
            try (StreamingMapping d = dma.mapStreaming(dst, length, DmaDirection.FROM_DEVICE)) {
                destination = d.dmaAddress();
            } // BUG: the destination is unmapped here, before the engine writes it
            return engine.execute(Descriptor.memmove(s.dmaAddress(), destination, length));
        }
    }
}
