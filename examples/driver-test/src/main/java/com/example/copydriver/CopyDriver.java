package com.example.copydriver;

import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.StreamingMapping;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.mm.DmaBuffer;

/**
 * A correct copy driver: maps the source for the device to read and the destination for it to
 * write, runs one copy descriptor on the engine, and unmaps both before the CPU looks at the
 * result (the unmap gives the destination back to the CPU: on a non-coherent machine it
 * invalidates the CPU's stale copy of the lines the engine wrote).
 */
public final class CopyDriver {

    private final DeviceDmaApi dma;
    private final CopyEngineDriver engine;

    /** {@code dma}: the device's DMA API; {@code engine}: the channel that runs descriptors. */
    public CopyDriver(DeviceDmaApi dma, CopyEngineDriver engine) {
        this.dma = dma;
        this.engine = engine;
    }

    /** Copies {@code length} bytes from {@code src} to {@code dst}; throws when the engine reports an error. */
    public void copy(DmaBuffer src, DmaBuffer dst, int length) {
        OpResult result;
        try (StreamingMapping s = dma.mapStreaming(src, length, DmaDirection.TO_DEVICE);
             StreamingMapping d = dma.mapStreaming(dst, length, DmaDirection.FROM_DEVICE)) {
            result = engine.execute(Descriptor.memmove(s.dmaAddress(), d.dmaAddress(), length));
        }
        if (!result.isSuccess()) {
            throw new IllegalStateException("copy of " + length + " bytes failed: " + result);
        }
    }
}
