package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Set;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.mm.Zone;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cache.CacheConfig;
import org.junit.jupiter.api.Test;

/**
 * The layer's syncs against a real write-back cache that DMA bypasses: the CPU's dirty lines
 * reach the device and the device's writes reach the CPU past stale lines. Skipped while the
 * machine builds a coherent cache for every configuration (until the non-coherent cache lands) and
 * while the copy engine's own ring is not yet safe on a non-coherent machine. Checked against
 * main + cache + that DmaEngine fix: passes, and fails when either the clean or the invalidate of
 * the layer is removed.
 */
class NonCoherentMachineTest {

    private static void copyThroughEngine(boolean bounce) {
        MachineConfig cfg = MachineConfig.defaults().withCache(CacheConfig.nonCoherent(64));
        try (Machine m = new Machine(cfg); Kernel k = Kernel.boot(m)) {
            assumeFalse(k.cpu().cache().coherent(), "this machine has no non-coherent cache yet");
            CopyEngineDriver engine = k.copyEngine();
            long probeSrc = k.frames().allocateBytes(4096, Zone.DMA32);
            long probeDst = k.frames().allocateBytes(4096, Zone.DMA32);
            assumeTrue(engine.execute(Descriptor.memmove(probeSrc, probeDst, 64)) instanceof OpResult.Completed,
                    "the copy engine driver completes nothing on a non-coherent machine until its ring is uncached (DmaEngine fix on branch checker)");
            DmaMappingLayer dma = k.mappingLayer();
            DmaDevice dev = new DmaDevice("memcpy0", engine.function().requester(), false);
            dma.attach(dev);
            Zone zone = bounce ? Zone.NORMAL : Zone.DMA32;
            int len = 8192;
            long src = k.frames().allocateBytes(len, zone);
            long dst = k.frames().allocateBytes(len, zone);
            byte[] data = Rig.pattern(len, 5);
            k.cpu().write(src, data); // dirty lines in the cache, not yet in memory
            byte[] stale = new byte[len];
            k.cpu().read(dst, stale); // dst lines now cached with the old contents

            long s = dma.mapSingle(dev, src, len, DmaDirection.TO_DEVICE, Set.of());
            long d = dma.mapSingle(dev, dst, len, DmaDirection.FROM_DEVICE, Set.of());
            OpResult r = engine.execute(Descriptor.memmove(s, d, len));
            assertInstanceOf(OpResult.Completed.class, r, r.toString());
            dma.unmapSingle(dev, d, len, DmaDirection.FROM_DEVICE, Set.of());
            dma.unmapSingle(dev, s, len, DmaDirection.TO_DEVICE, Set.of());

            byte[] out = new byte[len];
            k.cpu().read(dst, out);
            assertArrayEquals(data, out);
        }
    }

    @Test
    void shouldMoveDataBetweenCpuAndDeviceOnNonCoherentMachine() {
        copyThroughEngine(false);
    }

    @Test
    void shouldMoveDataThroughBounceBuffersOnNonCoherentMachine() {
        copyThroughEngine(true);
    }
}
