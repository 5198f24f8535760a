package org.jdma.kernel.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaInFlight;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.dma.MappingOptions;
import org.jdma.kernel.iommu.vtd.TableMemory;
import org.jdma.kernel.iommu.vtd.VtdDomain;
import org.jdma.kernel.mm.DmaPins;
import org.jdma.kernel.mm.Zone;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

/**
 * The IOMMU's own table pages and device mappings. The mapping layer refuses to map memory the
 * frame allocator holds free (a driver cannot map its way into the frames page tables are later
 * taken from) and memory the kernel holds for its tables (a device could rewrite its own
 * translations, and a bounce buffer's copy-back would write over them). A mapping made outside the
 * layer can still cover a table page: then the frame allocator refuses to free an emptied table
 * under it, the unmap that emptied it must still succeed, and the page must come back once the
 * covering mapping is gone.
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
    void shouldRefuseToMapTheIommusOwnTablesForTrustedAndBouncedDevices() {
        try (Machine machine = new Machine(TestMachines.small(3));
             Kernel k = Kernel.boot(machine, new Kernel.Options(List.of(), IommuMode.STRICT, null, MappingOptions.DEFAULTS, false))) {
            DmaMappingLayer dma = k.mappingLayer();
            DmaDevice device = new DmaDevice("owner", ENGINE, false);
            DmaDevice trusted = new DmaDevice("trusted", CopyEngine.slot(1), false);
            DmaDevice bounced = new DmaDevice("bounced", CopyEngine.slot(2), true);
            dma.attach(device);
            dma.attach(trusted);
            dma.attach(bounced);
            long page = k.frames().allocate(0, Zone.NORMAL);
            TablePages tables = firstMappingsTables(k, dma, device, page);
            var freeBefore = k.frames().freeBlocks();
            for (DmaDevice other : List.of(trusted, bounced)) {
                // A buffer that starts in the driver's own page and runs on into the table pages after it.
                long bytes = 4096 + tables.count() * 4096;
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> dma.mapSingle(other, page, bytes, DmaDirection.FROM_DEVICE, Set.of()), other.name());
                assertEquals(String.format("mapSingle: %s: buffer [%#x, +%#x) includes frame %#x, which the kernel holds for its "
                        + "own structures (the IOMMU's tables and queues, the bounce pool); map only memory the driver owns", other.name(), page, bytes,
                        tables.first()), e.getMessage());
                assertEquals(0, dma.liveMappings(other), other.name());
            }
            assertEquals(freeBefore, k.frames().freeBlocks(), "no table, IOVA or bounce slot was taken");
            dma.unmapSingle(device, tables.mapping(), 4096, DmaDirection.BIDIRECTIONAL, Set.of());
            // Freed, the table pages are ordinary free frames again: refused as free, not as the kernel's.
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> dma.mapSingle(trusted, tables.first(), 4096, DmaDirection.TO_DEVICE, Set.of()));
            assertTrue(e.getMessage().endsWith("which the frame allocator holds free; map only allocated memory"), e.getMessage());
            dma.detach(bounced);
            dma.detach(trusted);
            dma.detach(device);
        }
    }

    @Test
    void shouldFinishTheUnmapAndFreeTheTablePageWhenAMappingMadeOutsideTheLayerOverItGoes() {
        try (Machine machine = new Machine(TestMachines.small(2));
             Kernel k = Kernel.boot(machine, new Kernel.Options(List.of(), IommuMode.STRICT, null, MappingOptions.DEFAULTS, false))) {
            DmaMappingLayer dma = k.mappingLayer();
            DmaDevice device = new DmaDevice("greedy", ENGINE, false);
            DmaDevice other = new DmaDevice("other", CopyEngine.slot(1), false);
            dma.attach(device);
            dma.attach(other);
            long page = k.frames().allocate(0, Zone.NORMAL);
            var freeBefore = k.frames().freeBlocks();
            TablePages pages = firstMappingsTables(k, dma, device, page);
            // An IOMMU driver that programs the other engine's domain itself records its mapping of those table pages.
            long external = 0x40_0000L;
            k.memory().pins().pin(pages.first(), pages.count() * 4096, other, external, DmaDirection.BIDIRECTIONAL,
                    DmaPins.DEVICE_READS | DmaPins.DEVICE_WRITES, DmaInFlight.EXTERNAL);
            TableMemory tables = VtdDomain.of(k.iommu(), ENGINE).orElseThrow().unit().memory();

            dma.unmapSingle(device, pages.mapping(), 4096, DmaDirection.BIDIRECTIONAL, Set.of());
            assertTrue(tables.refusedFrees() > 0, "the emptied table lies under the other device's mapping: its free waits");
            assertEquals(0, dma.liveMappings(device), "the unmap finished all the same");

            assertNull(k.memory().pins().unpin(other, external, DmaInFlight.EXTERNAL, 1));
            tables.retryRefusedFrees();
            assertEquals(0, tables.refusedFrees());
            assertEquals(freeBefore, k.frames().freeBlocks(), "every table page and the IOVA space are back");
            dma.detach(other);
            dma.detach(device);
        }
    }

    /** The table pages the first mapping of a domain took, right after its buffer, and that mapping's address. */
    private record TablePages(long first, long count, long mapping) {
    }

    private static TablePages firstMappingsTables(Kernel k, DmaMappingLayer dma, DmaDevice device, long page) {
        // Where the next frames will come from: the first mapping of the domain takes its table pages there.
        long next = k.frames().allocate(0, Zone.NORMAL);
        k.frames().free(next, 0);
        long mapping = dma.mapSingle(device, page, 4096, DmaDirection.BIDIRECTIONAL, Set.of());
        assertFalse(dma.mappingError(device, mapping));
        long count = 0;
        while (k.frames().allocatedBlockAt(next + count * 4096) != null) {
            count++;
        }
        assertTrue(count > 0, "the mapping took table pages");
        assertEquals(page + 4096, next, "the table pages lie right after the buffer");
        return new TablePages(next, count, mapping);
    }
}
