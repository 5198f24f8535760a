package org.jdma.kernel.api;

import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.kernel.dma.DmaMask;

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
        direct = new DirectDmaOp(memory, busOffset, forceBounce);
        ops = new RecordingDmaOp(direct);
        freeFramesAtStart = memory.frames().stats().freeFrames();
    }

    DeviceDma device(long mask) {
        return new DeviceDma(DmaMask.of(mask), ops);
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
