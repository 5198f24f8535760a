package org.jdma.kernel.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.dma.MappingOptions;
import org.jdma.kernel.iommu.vtd.TableMemory;
import org.jdma.kernel.iommu.vtd.VtdDomain;
import org.jdma.kernel.mm.Zone;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

/**
 * A table page under a live device mapping. The mapping layer refuses to map memory the frame
 * allocator holds free, so a driver cannot map its way into the frames that page tables are later
 * taken from; it can still map allocated memory that is not its own, the tables among it. Then the frame allocator refuses to free an emptied table under
 * such a mapping (a device can still write it): the unmap that emptied it must still succeed, and
 * the page must come back once the covering mapping is gone.
 */
class RefusedTableFreeTest {

    private static final RequesterId ENGINE = CopyEngine.slot(0);
    private static final long EIGHT_MIB = 8L << 20;

    @Test
    void shouldRefuseToMapFramesTheAllocatorHoldsFree() {
        try (Machine machine = new Machine(TestMachines.small(1));
             Kernel k = Kernel.boot(machine, new Kernel.Options(List.of(), IommuMode.STRICT, null, MappingOptions.DEFAULTS, false))) {
            DmaMappingLayer dma = k.mappingLayer();
            DmaDevice device = new DmaDevice("greedy", ENGINE, false);
            dma.attach(device);
            long page = k.frames().allocate(0, Zone.NORMAL);
            var freeBefore = k.frames().freeBlocks();
            // 8 MiB from a one-page buffer: the frames after it are free.
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> dma.mapSingle(device, page, EIGHT_MIB, DmaDirection.BIDIRECTIONAL, Set.of()));
            assertEquals(String.format("mapSingle: greedy: buffer [%#x, +0x800000) includes frame %#x, which the frame allocator "
                    + "holds free; map only allocated memory", page, page + 4096), e.getMessage());
            assertEquals(0, dma.liveMappings(device));
            assertEquals(freeBefore, k.frames().freeBlocks(), "nothing was taken");
            dma.detach(device);
        }
    }

    @Test
    void shouldFinishTheUnmapAndFreeTheTablePageWhenTheMappingOverItGoes() {
        try (Machine machine = new Machine(TestMachines.small(2));
             Kernel k = Kernel.boot(machine, new Kernel.Options(List.of(), IommuMode.STRICT, null, MappingOptions.DEFAULTS, false))) {
            DmaMappingLayer dma = k.mappingLayer();
            DmaDevice device = new DmaDevice("greedy", ENGINE, false);
            DmaDevice other = new DmaDevice("other", CopyEngine.slot(1), false);
            dma.attach(device);
            dma.attach(other);
            long page = k.frames().allocate(0, Zone.NORMAL);
            var freeBefore = k.frames().freeBlocks();
            // Where the next frames will come from: the first mapping of the domain takes its table pages there.
            long next = k.frames().allocate(0, Zone.NORMAL);
            k.frames().free(next, 0);
            long small = dma.mapSingle(device, page, 4096, DmaDirection.BIDIRECTIONAL, Set.of());
            assertFalse(dma.mappingError(device, small));
            long tablePages = 0;
            while (k.frames().allocatedBlockAt(next + tablePages * 4096) != null) {
                tablePages++;
            }
            assertTrue(tablePages > 0, "the mapping took table pages");
            // The other engine (same remapping unit) maps those table pages: allocated memory, not its own.
            long covering = dma.mapSingle(other, next, tablePages * 4096, DmaDirection.BIDIRECTIONAL, Set.of());
            assertFalse(dma.mappingError(other, covering));
            TableMemory tables = VtdDomain.of(k.iommu(), ENGINE).orElseThrow().unit().memory();

            dma.unmapSingle(device, small, 4096, DmaDirection.BIDIRECTIONAL, Set.of());
            assertTrue(tables.refusedFrees() > 0, "the emptied table lies under the other device's mapping: its free waits");

            dma.unmapSingle(other, covering, tablePages * 4096, DmaDirection.BIDIRECTIONAL, Set.of());
            assertEquals(0, tables.refusedFrees());
            assertEquals(freeBefore, k.frames().freeBlocks(), "every table page and the IOVA space are back");
            dma.detach(other);
            dma.detach(device);
        }
    }
}
