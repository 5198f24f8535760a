package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.MemoryInUseException;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.junit.jupiter.api.Test;

/**
 * A coherent allocation of 12 KiB + 1 byte holds a 16 KiB block; a streaming mapping over the
 * block's last page (beyond the bytes asked for) must make freeCoherent refuse before it undoes
 * anything, so the allocation stays whole and can be freed once the mapping is gone.
 */
class CoherentFreeUnderMappingTest {

    @Test
    void shouldRefuseTheFreeWholeWhileAMappingCoversTheBlocksTail() {
        try (Machine machine = new Machine(TestMachines.small(1));
             Kernel k = Kernel.boot(machine, new Kernel.Options(List.of(), IommuMode.STRICT, null, MappingOptions.DEFAULTS, false))) {
            DmaMappingLayer dma = k.mappingLayer();
            DmaDevice device = new DmaDevice("tail", CopyEngine.slot(0), false);
            dma.attach(device);
            long freeBefore = k.frames().stats().freeFrames();
            CoherentBuffer b = dma.allocCoherent(device, 3 * 4096 + 1);
            long tail = dma.mapSingle(device, b.physical() + 3 * 4096 + 0x800, 0x100, DmaDirection.TO_DEVICE, Set.of());

            assertThrows(MemoryInUseException.class, () -> dma.freeCoherent(device, b.size(), b.physical(), b.dmaAddress()));

            assertEquals(1, dma.liveCoherent(device), "the allocation is still whole");
            dma.unmapSingle(device, tail, 0x100, DmaDirection.TO_DEVICE, Set.of());
            dma.freeCoherent(device, b.size(), b.physical(), b.dmaAddress());
            assertEquals(0, dma.liveCoherent(device));
            assertEquals(freeBefore, k.frames().stats().freeFrames(), "every frame of the block is back");
            dma.detach(device);
        }
    }
}
