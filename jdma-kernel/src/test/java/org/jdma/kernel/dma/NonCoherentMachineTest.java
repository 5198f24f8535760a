package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

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
 * reach the device and the device's writes reach the CPU past stale lines. The machine must build
 * the non-coherent cache it is asked for, and the copy engine's own ring must work on it (a plain
 * copy completes); either failing is a regression, not a reason to skip. Fails when either the
 * clean or the invalidate of the layer is removed.
 */
class NonCoherentMachineTest {

    private static void copyThroughEngine(boolean bounce) {
        MachineConfig cfg = MachineConfig.defaults().withCache(CacheConfig.nonCoherent(64));
        try (Machine m = new Machine(cfg); Kernel k = Kernel.boot(m)) {
            assertFalse(k.cpu().cache().coherent(), "the machine built a coherent cache for a non-coherent config");
            CopyEngineDriver engine = k.copyEngine();
            long probeSrc = k.frames().allocateBytes(4096, Zone.DMA32);
            long probeDst = k.frames().allocateBytes(4096, Zone.DMA32);
            OpResult probe = engine.executeUnchecked(Descriptor.memmove(probeSrc, probeDst, 64));
            assertInstanceOf(OpResult.Completed.class, probe, "the copy engine's ring works on a non-coherent machine: " + probe);
            DmaMappingLayer dma = k.mappingLayer();
            DmaDevice dev = new DmaDevice("memcpy0", engine.requester(), false);
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
            OpResult r = engine.executeUnchecked(Descriptor.memmove(s, d, len));
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
