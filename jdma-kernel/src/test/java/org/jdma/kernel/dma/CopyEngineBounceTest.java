package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.mm.Zone;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.Test;

/** A real device: the copy engine, with a 32-bit mask, copies between buffers above 4 GiB through bounce buffers. */
class CopyEngineBounceTest {

    @Test
    void shouldCopyBetweenBuffersBeyondMaskThroughBounceBuffers() {
        try (Machine m = Machine.createDefault(); Kernel k = Kernel.boot(m)) {
            CopyEngineDriver engine = k.copyEngine();
            DmaMappingLayer dma = k.mappingLayer();
            DmaDevice dev = new DmaDevice("memcpy0", engine.requester(), false);
            dma.attach(dev);
            int len = 12_000;
            long src = k.frames().allocateBytes(16384, Zone.NORMAL);
            long dst = k.frames().allocateBytes(16384, Zone.NORMAL);
            assertTrue(src >= Zone.NORMAL.start() && dst >= Zone.NORMAL.start(), "both beyond the 32-bit mask");
            byte[] data = Rig.pattern(len, 42);
            k.cpu().write(src, data);

            long srcDma = dma.mapSingle(dev, src, len, DmaDirection.TO_DEVICE, Set.of());
            long dstDma = dma.mapSingle(dev, dst, len, DmaDirection.FROM_DEVICE, Set.of());
            assertTrue(dma.swiotlb().contains(srcDma) && dma.swiotlb().contains(dstDma));

            OpResult r = engine.executeUnchecked(Descriptor.memmove(srcDma, dstDma, len));
            assertInstanceOf(OpResult.Completed.class, r, r.toString());

            dma.unmapSingle(dev, dstDma, len, DmaDirection.FROM_DEVICE, Set.of());
            dma.unmapSingle(dev, srcDma, len, DmaDirection.TO_DEVICE, Set.of());
            byte[] out = new byte[len];
            k.cpu().read(dst, out);
            assertArrayEquals(data, out);
            assertEquals(0, dma.swiotlb().usedSlots());
        }
    }
}
