package org.jdma.kernel.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * A driver maps memory beyond its buffer; the IOMMU driver then takes a table page from that very
 * memory. When the table empties, the frame allocator refuses the page (a device can still write
 * it): the unmap that emptied it must still succeed, and the page must come back once the covering
 * mapping is gone.
 */
class RefusedTableFreeTest {

    private static final RequesterId ENGINE = CopyEngine.slot(0);
    private static final long EIGHT_MIB = 8L << 20;

    @Test
    void shouldFinishTheUnmapAndFreeTheTablePageWhenTheCoveringMappingGoes() {
        try (Machine machine = new Machine(TestMachines.small(1));
             Kernel k = Kernel.boot(machine, new Kernel.Options(List.of(), IommuMode.STRICT, null, MappingOptions.DEFAULTS, false))) {
            DmaMappingLayer dma = k.mappingLayer();
            DmaDevice device = new DmaDevice("greedy", ENGINE, false);
            dma.attach(device);
            long page = k.frames().allocate(0, Zone.NORMAL);
            var freeBefore = k.frames().freeBlocks();
            // 8 MiB from a one-page buffer: the free frames after it are mapped too.
            long covering = dma.mapSingle(device, page, EIGHT_MIB, DmaDirection.BIDIRECTIONAL, Set.of());
            // One page just below the 8 MiB-aligned IOVA: a new last-level table, from the covered frames.
            long small = dma.mapSingle(device, page, 4096, DmaDirection.BIDIRECTIONAL, Set.of());
            assertFalse(dma.mappingError(device, covering) || dma.mappingError(device, small));
            TableMemory tables = VtdDomain.of(k.iommu(), ENGINE).orElseThrow().unit().memory();

            dma.unmapSingle(device, small, 4096, DmaDirection.BIDIRECTIONAL, Set.of());

            assertTrue(tables.refusedFrees() > 0, "the emptied table lies under the covering mapping: its free waits");
            dma.unmapSingle(device, covering, EIGHT_MIB, DmaDirection.BIDIRECTIONAL, Set.of());
            assertEquals(0, tables.refusedFrees());
            assertEquals(freeBefore, k.frames().freeBlocks(), "every table page and the IOVA space are back");
            dma.detach(device);
        }
    }
}
