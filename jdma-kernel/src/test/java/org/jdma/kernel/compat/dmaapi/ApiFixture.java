package org.jdma.kernel.compat.dmaapi;

import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.dma.MappingOptions;
import java.util.Optional;

/** A RAM-only machine, its DMA memory, a DirectDmaOp over it and a recorder over that. */
final class ApiFixture implements AutoCloseable {

    final Machine machine = TestMachines.ramOnly();
    final DmaMemory memory = TestMachines.dmaMemory(machine);
    final DirectDmaOp direct;
    final RecordingDmaOp ops;
    final long freeFramesAtStart;

    ApiFixture() {
        this(0, false);
    }

    ApiFixture(long busOffset, boolean forceBounce) {
        // The op bounces by itself; the layer under it only turns physical into bus addresses.
        DmaMappingLayer layer = new DmaMappingLayer(memory, Optional.empty(), MappingOptions.DEFAULTS.withBusOffset(busOffset).withSwiotlb(0, 1));
        direct = new DirectDmaOp(TestMachines.device(layer, "dma-api"), memory, forceBounce);
        ops = new RecordingDmaOp(direct);
        freeFramesAtStart = memory.frames().stats().freeFrames();
    }

    DmaContainers device(long mask) {
        return new DmaContainers(DmaMask.of(mask), ops);
    }

    /** Frames not given back since the fixture started (0 when nothing leaked). */
    long leakedFrames() {
        return freeFramesAtStart - memory.frames().stats().freeFrames();
    }

    @Override
    public void close() {
        machine.close();
    }
}
