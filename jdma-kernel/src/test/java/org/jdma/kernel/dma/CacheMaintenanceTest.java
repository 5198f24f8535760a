package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jdma.kernel.iommu.IommuDomain;
import org.junit.jupiter.api.Test;

import org.jdma.kernel.testing.FakeIommu;
import org.jdma.kernel.testing.FakeIommuDomain;
/**
 * Cache maintenance on a non-coherent machine, operation by operation, as arm64 does it: clean
 * when ownership goes to the device, invalidate when it comes back to the CPU after the device
 * may have written, on the bounce copy when bounced; nothing at all on a coherent machine.
 */
class CacheMaintenanceTest {

    private static final Set<DmaAttr> NONE = Set.of();

    private static String op(String name, long phys, long length) {
        return String.format("%s %#x+%d", name, phys, length);
    }

    @Test
    void shouldCleanOnMapAndDoNothingOnUnmapForToDevice() {
        try (Rig rig = Rig.direct(false)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.low(4096);
            long dma = rig.dma.mapSingle(d, buf, 4096, DmaDirection.TO_DEVICE, NONE);
            assertEquals(List.of(op("clean", buf, 4096)), rig.cache.ops());
            rig.cache.clear();
            rig.dma.syncSingleForCpu(d, dma, 4096, DmaDirection.TO_DEVICE);
            rig.dma.unmapSingle(d, dma, 4096, DmaDirection.TO_DEVICE, NONE);
            assertEquals(List.of(), rig.cache.ops(), "the device only read: the CPU's lines are still right");
        }
    }

    @Test
    void shouldCleanOnMapAndInvalidateOnUnmapForFromDevice() {
        try (Rig rig = Rig.direct(false)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.low(4096);
            long dma = rig.dma.mapSingle(d, buf, 4096, DmaDirection.FROM_DEVICE, NONE);
            assertEquals(List.of(op("clean", buf, 4096)), rig.cache.ops(), "arm64 cleans FROM_DEVICE buffers too (c50f11c6196f)");
            rig.cache.clear();
            rig.dma.unmapSingle(d, dma, 4096, DmaDirection.FROM_DEVICE, NONE);
            assertEquals(List.of(op("invalidate", buf, 4096)), rig.cache.ops());
        }
    }

    @Test
    void shouldMaintainOnEveryOwnershipChangeForBidirectional() {
        try (Rig rig = Rig.direct(false)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.low(4096);
            long dma = rig.dma.mapSingle(d, buf, 2048, DmaDirection.BIDIRECTIONAL, NONE);
            rig.dma.syncSingleForCpu(d, dma, 2048, DmaDirection.BIDIRECTIONAL);
            rig.dma.syncSingleForDevice(d, dma, 2048, DmaDirection.BIDIRECTIONAL);
            rig.dma.unmapSingle(d, dma, 2048, DmaDirection.BIDIRECTIONAL, NONE);
            assertEquals(List.of(op("clean", buf, 2048), op("invalidate", buf, 2048), op("clean", buf, 2048), op("invalidate", buf, 2048)),
                    rig.cache.ops());
        }
    }

    @Test
    void shouldSkipMaintenanceOnMapAndUnmapWithSkipCpuSync() {
        try (Rig rig = Rig.direct(false)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.low(4096);
            long dma = rig.dma.mapSingle(d, buf, 4096, DmaDirection.FROM_DEVICE, EnumSet.of(DmaAttr.SKIP_CPU_SYNC));
            rig.dma.unmapSingle(d, dma, 4096, DmaDirection.FROM_DEVICE, EnumSet.of(DmaAttr.SKIP_CPU_SYNC));
            assertEquals(List.of(), rig.cache.ops());
        }
    }

    @Test
    void shouldCleanAndInvalidatePartialEdgeLinesInsteadOfDroppingThem() {
        try (Rig rig = Rig.direct(false)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long line = rig.cache.lineSize();
            long buf = rig.low(4096);
            long dma = rig.dma.mapSingle(d, buf + 10, 3 * line, DmaDirection.FROM_DEVICE, NONE);
            rig.cache.clear();
            rig.dma.unmapSingle(d, dma, 3 * line, DmaDirection.FROM_DEVICE, NONE);
            assertEquals(List.of(op("cleanInvalidate", buf, line), op("invalidate", buf + line, 2 * line),
                    op("cleanInvalidate", buf + 3 * line, line)), rig.cache.ops());
        }
    }

    @Test
    void shouldMaintainBounceCopyNotOriginal() {
        try (Rig rig = Rig.direct(false)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.high(4096);
            long dma = rig.dma.mapSingle(d, buf, 1024, DmaDirection.BIDIRECTIONAL, NONE);
            assertTrue(rig.dma.swiotlb().contains(dma));
            rig.dma.syncSingleForCpu(d, dma, 1024, DmaDirection.BIDIRECTIONAL);
            rig.dma.syncSingleForDevice(d, dma, 1024, DmaDirection.BIDIRECTIONAL);
            rig.dma.unmapSingle(d, dma, 1024, DmaDirection.BIDIRECTIONAL, NONE);
            assertEquals(List.of(op("clean", dma, 1024), op("invalidate", dma, 1024), op("clean", dma, 1024), op("invalidate", dma, 1024)),
                    rig.cache.ops(), "the device reads and writes the bounce copy (seed-004's bug flushed the original)");
        }
    }

    @Test
    void shouldDoNoMaintenanceOnCoherentMachine() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.high(4096);
            long dma = rig.dma.mapSingle(d, buf, 1024, DmaDirection.BIDIRECTIONAL, NONE);
            rig.dma.syncSingleForCpu(d, dma, 1024, DmaDirection.BIDIRECTIONAL);
            rig.dma.syncSingleForDevice(d, dma, 1024, DmaDirection.BIDIRECTIONAL);
            rig.dma.unmapSingle(d, dma, 1024, DmaDirection.BIDIRECTIONAL, NONE);
            CoherentBuffer c = rig.dma.allocCoherent(d, 4096);
            rig.dma.freeCoherent(d, 4096, c.physical(), c.dmaAddress());
            assertEquals(List.of(), rig.cache.ops());
        }
    }

    @Test
    void shouldMaintainScatterlistEntriesUnderIommu() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (Rig rig = Rig.iommu(false, new FakeIommu().put(Rig.rid(4), domain))) {
            DmaDevice d = rig.attach("nvme", 4, false);
            long a = rig.high(4096);
            long b = rig.high(4096);
            ScatterList sg = new ScatterList().add(a, 4096).add(b, 4096);
            assertEquals(1, rig.dma.mapSg(d, sg, 2, DmaDirection.FROM_DEVICE, NONE));
            rig.dma.syncSgForCpu(d, sg, 2, DmaDirection.FROM_DEVICE);
            rig.dma.unmapSg(d, sg, 2, DmaDirection.FROM_DEVICE, NONE);
            assertEquals(List.of(op("clean", a, 4096), op("clean", b, 4096), op("invalidate", a, 4096), op("invalidate", b, 4096),
                    op("invalidate", a, 4096), op("invalidate", b, 4096)), rig.cache.ops());
        }
    }

    @Test
    void shouldMaintainTranslatedSingleMappingAtItsPhysicalAddress() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (Rig rig = Rig.iommu(false, new FakeIommu().put(Rig.rid(4), domain))) {
            DmaDevice d = rig.attach("nvme", 4, false);
            long a = rig.high(8192);
            long dma = rig.dma.mapSingle(d, a + 4096 + 128, 256, DmaDirection.FROM_DEVICE, NONE);
            assertNotEquals(a + 4096 + 128, dma, "an IOVA, not the physical address");
            rig.dma.syncSingleForCpu(d, dma, 256, DmaDirection.FROM_DEVICE);
            assertEquals(List.of(op("clean", a + 4096 + 128, 256), op("invalidate", a + 4096 + 128, 256)), rig.cache.ops());
        }
    }
}
