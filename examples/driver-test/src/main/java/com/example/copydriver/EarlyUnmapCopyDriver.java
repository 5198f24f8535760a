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
 * hands the engine the address it remembered. With the IOMMU off that address is still the
 * buffer's physical address, so the device could write there and the copy would "work"; the
 * kernel refuses the descriptor at submit instead, because nothing maps it for the engine any more
 * (map only while in use).
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
