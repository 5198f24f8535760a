package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jdma.kernel.dma.swiotlb.Swiotlb;
import org.jdma.kernel.iommu.IoPermission;
import org.jdma.kernel.iommu.IommuDomain;
import org.junit.jupiter.api.Test;

import org.jdma.kernel.testing.FakeIommu;
import org.jdma.kernel.testing.FakeIommuDomain;
/**
 * Checklist rows 81 and 82: a buffer beyond the mask goes through a bounce buffer inside it; the
 * bytes move in the direction the mapping says, at map, sync and unmap; slots come back.
 * The "device" here reads and writes the bus address, which on this machine is physical.
 */
class BounceBufferTest {

    private static final Set<DmaAttr> NONE = Set.of();

    @Test
    void shouldBounceBufferBeyondMaskIntoPoolBelowIt() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.high(4096);
            long dma = rig.dma.mapSingle(d, buf, 1000, DmaDirection.TO_DEVICE, NONE);
            assertNotEquals(DmaApi.DMA_MAPPING_ERROR, dma);
            assertTrue(rig.dma.swiotlb().contains(dma), "DMA address is the bounce address");
            assertTrue(d.dmaMask().covers(dma, 1000));
            assertTrue(rig.dma.swiotlb().usedSlots() > 0);
            rig.dma.unmapSingle(d, dma, 1000, DmaDirection.TO_DEVICE, NONE);
            assertEquals(0, rig.dma.swiotlb().usedSlots());
        }
    }

    @Test
    void shouldCopyOriginalToBounceOnMapForDeviceReads() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.high(4096);
            byte[] data = Rig.pattern(1500, 7);
            rig.write(buf + 10, data);
            long dma = rig.dma.mapSingle(d, buf + 10, data.length, DmaDirection.TO_DEVICE, NONE);
            assertArrayEquals(data, rig.read(dma, data.length), "device reads the CPU's bytes");
            // The device scribbles (it must not, TO_DEVICE); unmap does not copy back.
            rig.write(dma, new byte[data.length]);
            rig.dma.unmapSingle(d, dma, data.length, DmaDirection.TO_DEVICE, NONE);
            assertArrayEquals(data, rig.read(buf + 10, data.length));
        }
    }

    @Test
    void shouldCopyBounceToOriginalOnUnmapForDeviceWrites() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.high(8192);
            byte[] before = Rig.pattern(8192, 1);
            rig.write(buf, before);
            long dma = rig.dma.mapSingle(d, buf + 100, 5000, DmaDirection.FROM_DEVICE, NONE);
            byte[] fromDevice = Rig.pattern(5000, 99);
            rig.write(dma, fromDevice);
            rig.dma.unmapSingle(d, dma, 5000, DmaDirection.FROM_DEVICE, NONE);
            byte[] after = rig.read(buf, 8192);
            byte[] expected = before.clone();
            System.arraycopy(fromDevice, 0, expected, 100, 5000);
            assertArrayEquals(expected, after, "exactly [100, 5100) changed");
            assertEquals(0, rig.dma.swiotlb().usedSlots());
            assertEquals(0, rig.dma.swiotlb().stats().liveMappings());
        }
    }

    @Test
    void shouldKeepUnwrittenBytesWhenDeviceWritesPartOfFromDeviceBuffer() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.high(4096);
            byte[] before = Rig.pattern(2048, 3);
            rig.write(buf, before);
            long dma = rig.dma.mapSingle(d, buf, 2048, DmaDirection.FROM_DEVICE, NONE);
            rig.write(dma, new byte[] {1, 2, 3, 4});
            rig.dma.unmapSingle(d, dma, 2048, DmaDirection.FROM_DEVICE, NONE);
            byte[] expected = before.clone();
            System.arraycopy(new byte[] {1, 2, 3, 4}, 0, expected, 0, 4);
            assertArrayEquals(expected, rig.read(buf, 2048), "Linux copies the original in on map whatever the direction");
        }
    }

    @Test
    void shouldMoveBytesBothWaysForBidirectionalMappingWithSyncs() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.high(4096);
            rig.write(buf, Rig.pattern(512, 1));
            long dma = rig.dma.mapSingle(d, buf, 512, DmaDirection.BIDIRECTIONAL, NONE);
            assertArrayEquals(Rig.pattern(512, 1), rig.read(dma, 512));
            rig.write(dma, Rig.pattern(512, 2));
            rig.dma.syncSingleForCpu(d, dma, 512, DmaDirection.BIDIRECTIONAL);
            assertArrayEquals(Rig.pattern(512, 2), rig.read(buf, 512), "sync for CPU copies the device's bytes back");
            rig.write(buf, Rig.pattern(512, 3));
            rig.dma.syncSingleForDevice(d, dma, 512, DmaDirection.BIDIRECTIONAL);
            assertArrayEquals(Rig.pattern(512, 3), rig.read(dma, 512), "sync for device copies the CPU's bytes in");
            rig.write(dma + 100, Rig.pattern(50, 4));
            rig.dma.syncSingleForCpu(d, dma + 100, 50, DmaDirection.BIDIRECTIONAL);
            byte[] expected = Rig.pattern(512, 3);
            System.arraycopy(Rig.pattern(50, 4), 0, expected, 100, 50);
            assertArrayEquals(expected, rig.read(buf, 512), "a partial sync copies only its range");
            rig.dma.unmapSingle(d, dma, 512, DmaDirection.BIDIRECTIONAL, NONE);
            assertEquals(0, rig.dma.swiotlb().usedSlots());
        }
    }

    @Test
    void shouldNotCopyBackOnUnmapWithSkipCpuSync() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.high(4096);
            rig.write(buf, Rig.pattern(256, 1));
            long dma = rig.dma.mapSingle(d, buf, 256, DmaDirection.FROM_DEVICE, NONE);
            rig.write(dma, Rig.pattern(256, 2));
            rig.dma.unmapSingle(d, dma, 256, DmaDirection.FROM_DEVICE, EnumSet.of(DmaAttr.SKIP_CPU_SYNC));
            assertArrayEquals(Rig.pattern(256, 1), rig.read(buf, 256));
            assertEquals(0, rig.dma.swiotlb().usedSlots(), "slots are freed all the same");
        }
    }

    @Test
    void shouldNotCopyOnSyncForCpuOfToDeviceMapping() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.high(4096);
            rig.write(buf, Rig.pattern(256, 1));
            long dma = rig.dma.mapSingle(d, buf, 256, DmaDirection.TO_DEVICE, NONE);
            rig.write(dma, Rig.pattern(256, 2));
            rig.dma.syncSingleForCpu(d, dma, 256, DmaDirection.TO_DEVICE);
            assertArrayEquals(Rig.pattern(256, 1), rig.read(buf, 256));
            rig.dma.unmapSingle(d, dma, 256, DmaDirection.TO_DEVICE, NONE);
        }
    }

    @Test
    void shouldReturnMappingErrorWhenPoolIsFull() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.high(Swiotlb.MAX_MAPPING_SIZE);
            long slots = rig.dma.swiotlb().stats().totalSlots();
            List<Long> maps = new ArrayList<>();
            for (long i = 0; i < slots / Swiotlb.SEGMENT_SLOTS; i++) {
                long dma = rig.dma.mapSingle(d, buf, Swiotlb.MAX_MAPPING_SIZE, DmaDirection.TO_DEVICE, NONE);
                assertNotEquals(DmaApi.DMA_MAPPING_ERROR, dma, "mapping " + i);
                maps.add(dma);
            }
            assertEquals(slots, rig.dma.swiotlb().usedSlots());
            long failed = rig.dma.mapSingle(d, buf, 16, DmaDirection.TO_DEVICE, NONE);
            assertEquals(DmaApi.DMA_MAPPING_ERROR, failed);
            assertTrue(rig.dma.mappingError(d, failed));
            assertTrue(rig.dma.recentWarnings().getLast().contains("swiotlb buffer is full"), rig.dma.recentWarnings().toString());
            assertEquals(1, rig.dma.swiotlb().stats().fullFailures());
            for (long dma : maps) {
                rig.dma.unmapSingle(d, dma, Swiotlb.MAX_MAPPING_SIZE, DmaDirection.TO_DEVICE, NONE);
            }
            assertEquals(0, rig.dma.swiotlb().usedSlots());
            assertNotEquals(DmaApi.DMA_MAPPING_ERROR, rig.dma.mapSingle(d, buf, 16, DmaDirection.TO_DEVICE, NONE));
        }
    }

    @Test
    void shouldRefuseBounceLargerThanLargestMapping() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.high(2 * Swiotlb.MAX_MAPPING_SIZE);
            assertEquals(DmaApi.DMA_MAPPING_ERROR, rig.dma.mapSingle(d, buf, Swiotlb.MAX_MAPPING_SIZE + 1, DmaDirection.TO_DEVICE, NONE));
            assertEquals(0, rig.dma.swiotlb().usedSlots());
        }
    }

    @Test
    void shouldReportInactiveBouncePool() {
        try (Rig rig = Rig.direct(true, MappingOptions.DEFAULTS.withSwiotlb(0, 1))) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.high(4096);
            assertEquals(DmaApi.DMA_MAPPING_ERROR, rig.dma.mapSingle(d, buf, 64, DmaDirection.TO_DEVICE, NONE));
            assertTrue(rig.dma.recentWarnings().getLast().contains("DMA bounce buffers are inactive"), rig.dma.recentWarnings().toString());
        }
    }

    @Test
    void shouldBounceEverythingWhenForced() {
        try (Rig rig = Rig.direct(true, Rig.SMALL_POOL.withForceBounce(true))) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.low(4096);
            long dma = rig.dma.mapSingle(d, buf, 4096, DmaDirection.TO_DEVICE, NONE);
            assertTrue(rig.dma.swiotlb().contains(dma));
            assertEquals(0, dma & 4095, "a page-sized bounce keeps page alignment as Linux does");
            assertEquals(Swiotlb.MAX_MAPPING_SIZE, rig.dma.maxMappingSize(d));
        }
    }

    @Test
    void shouldNeverCrossDeviceSegmentBoundaryInBouncePool() {
        try (Rig rig = Rig.direct(true, Rig.SMALL_POOL.withForceBounce(true))) {
            DmaDevice d = rig.attach("nic", 4, false);
            d.segmentBoundary(0x3FFF); // 16 KiB windows
            long buf = rig.low(16384);
            for (int i = 0; i < 40; i++) {
                long size = 2048L * (1 + i % 5);
                long dma = rig.dma.mapSingle(d, buf, size, DmaDirection.TO_DEVICE, NONE);
                assertNotEquals(DmaApi.DMA_MAPPING_ERROR, dma);
                assertEquals(dma >>> 14, (dma + size - 1) >>> 14, "mapping " + i + " at " + Long.toHexString(dma) + " crosses 16 KiB");
            }
        }
    }

    @Test
    void shouldBounceUntrustedSubPageBufferUnderIommuWithZeroedPadding() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (Rig rig = Rig.iommu(true, new FakeIommu().put(Rig.rid(4), domain))) {
            DmaDevice d = rig.attach("thunderbolt", 4, true);
            long buf = rig.high(4096);
            rig.write(buf, Rig.pattern(4096, 5)); // "kernel data" around the buffer
            // Leave garbage in every bounce slot, as earlier users would.
            rig.cpu.fill(rig.dma.swiotlb().start(), rig.dma.swiotlb().end() - rig.dma.swiotlb().start(), (byte) 0xAA);

            long dma = rig.dma.mapSingle(d, buf + 1000, 100, DmaDirection.TO_DEVICE, NONE);
            assertNotEquals(DmaApi.DMA_MAPPING_ERROR, dma);
            long phys = domain.translate(dma).orElseThrow();
            assertTrue(rig.dma.swiotlb().contains(phys), "bounced: the device must not see the rest of the page");
            assertEquals(IoPermission.READ, domain.pte(dma).permission());
            long page = phys & -4096L;
            byte[] granule = rig.read(page, 4096);
            byte[] expected = new byte[4096];
            System.arraycopy(Rig.pattern(4096, 5), 1000, expected, (int) (phys - page), 100);
            assertArrayEquals(expected, granule, "only the buffer's bytes in the mapped granule; padding zero");
            rig.dma.unmapSingle(d, dma, 100, DmaDirection.TO_DEVICE, NONE);
            assertEquals(0, rig.dma.swiotlb().usedSlots());
            assertEquals(0, domain.liveAllocations());
        }
    }

    @Test
    void shouldCopyBackUntrustedFromDeviceBounceOnUnmap() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (Rig rig = Rig.iommu(true, new FakeIommu().put(Rig.rid(4), domain))) {
            DmaDevice d = rig.attach("thunderbolt", 4, true);
            long buf = rig.high(4096);
            long dma = rig.dma.mapSingle(d, buf + 64, 200, DmaDirection.FROM_DEVICE, NONE);
            long phys = domain.translate(dma).orElseThrow();
            assertEquals(IoPermission.WRITE, domain.pte(dma).permission());
            rig.write(phys, Rig.pattern(200, 8)); // the device writes through its IOVA
            rig.dma.unmapSingle(d, dma, 200, DmaDirection.FROM_DEVICE, NONE);
            assertArrayEquals(Rig.pattern(200, 8), rig.read(buf + 64, 200));
            assertEquals(0, rig.dma.swiotlb().usedSlots());
        }
    }

    @Test
    void shouldMapAlignedUntrustedBufferWithoutBounce() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (Rig rig = Rig.iommu(true, new FakeIommu().put(Rig.rid(4), domain))) {
            DmaDevice d = rig.attach("thunderbolt", 4, true);
            long buf = rig.high(8192);
            long dma = rig.dma.mapSingle(d, buf, 8192, DmaDirection.TO_DEVICE, NONE);
            assertEquals(buf, domain.translate(dma).orElseThrow());
            assertEquals(0, rig.dma.swiotlb().usedSlots());
        }
    }

    @Test
    void shouldKeepPageOffsetAndZeroPrePaddingForUntrustedDeviceWithMinAlignMask() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (Rig rig = Rig.iommu(true, new FakeIommu().put(Rig.rid(4), domain))) {
            DmaDevice d = rig.attach("nvme-external", 4, true);
            d.minAlignMask(0xFFF);
            rig.cpu.fill(rig.dma.swiotlb().start(), rig.dma.swiotlb().end() - rig.dma.swiotlb().start(), (byte) 0xAA);
            long buf = rig.high(4096);
            rig.write(buf, Rig.pattern(4096, 6));
            long dma = rig.dma.mapSingle(d, buf + 0xA30, 300, DmaDirection.TO_DEVICE, NONE);
            assertEquals(0xA30, dma & 0xFFF, "the device sees the buffer at its page offset");
            long phys = domain.translate(dma).orElseThrow();
            assertTrue(rig.dma.swiotlb().contains(phys));
            byte[] expected = new byte[4096];
            System.arraycopy(Rig.pattern(4096, 6), 0xA30, expected, 0xA30, 300);
            assertArrayEquals(expected, rig.read(phys & -4096L, 4096), "pre- and post-padding zeroed");
            rig.dma.unmapSingle(d, dma, 300, DmaDirection.TO_DEVICE, NONE);
            assertEquals(0, rig.dma.swiotlb().usedSlots());
            assertEquals(0, domain.liveAllocations());
        }
    }
}
