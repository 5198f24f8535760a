package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.swiotlb.Swiotlb;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.Test;

import org.jdma.kernel.testing.FakeIommu;
import org.jdma.kernel.testing.FakeIommuDomain;
/** Validation, attach/detach, backend choice, and the kernel's wiring. */
class DmaMappingLayerTest {

    @Test
    void shouldRejectUnattachedDeviceNamingIt() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = new DmaDevice("ghost", Rig.rid(9), false);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> rig.dma.mapSingle(d, 0x10000, 16, DmaDirection.TO_DEVICE, Set.of()));
            assertTrue(e.getMessage().contains("ghost"), e.getMessage());
        }
    }

    @Test
    void shouldRejectDirectionNoneAndNonPositiveSizes() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            assertThrows(IllegalArgumentException.class, () -> rig.dma.mapSingle(d, 0x10000, 16, DmaDirection.NONE, Set.of()));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> rig.dma.mapSingle(d, 0x10000, -1, DmaDirection.TO_DEVICE, Set.of()));
            assertTrue(e.getMessage().contains("size"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> rig.dma.mapSingle(d, 0x10000, 0, DmaDirection.TO_DEVICE, Set.of()));
            assertThrows(IllegalArgumentException.class, () -> rig.dma.mapPage(d, 0x10000, -4, 16, DmaDirection.TO_DEVICE, Set.of()));
            assertThrows(IllegalArgumentException.class, () -> rig.dma.allocCoherent(d, 0));
            ScatterList sg = new ScatterList().add(0x10000, 16);
            assertThrows(IllegalArgumentException.class, () -> rig.dma.mapSg(d, sg, 2, DmaDirection.TO_DEVICE, Set.of()));
        }
    }

    @Test
    void shouldRejectSecondAttach() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            assertThrows(IllegalStateException.class, () -> rig.dma.attach(d));
        }
    }

    @Test
    void shouldKeepEachLayersRecordOfADeviceAttachedToTwoAndForgetItAtDetach() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (Rig direct = Rig.direct(true); Rig translated = Rig.iommu(true, new FakeIommu().put(Rig.rid(4), domain))) {
            DmaDevice d = direct.attach("nic", 4, false);
            translated.dma.attach(d);
            long buf = translated.high(4096);
            long viaIommu = translated.dma.mapSingle(d, buf, 4096, DmaDirection.TO_DEVICE, Set.of());
            assertEquals("direct", direct.dma.backendName(d));
            assertEquals("iommu", translated.dma.backendName(d), "each layer answers with its own record");
            assertEquals(1, translated.dma.liveMappings(d));
            assertEquals(0, direct.dma.liveMappings(d));
            translated.dma.unmapSingle(d, viaIommu, 4096, DmaDirection.TO_DEVICE, Set.of());
            translated.dma.detach(d);
            assertThrows(IllegalArgumentException.class, () -> translated.dma.mapSingle(d, buf, 4096, DmaDirection.TO_DEVICE, Set.of()),
                    "detached from this layer");
            assertEquals("direct", direct.dma.backendName(d), "still attached to the other");
            direct.dma.detach(d);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> direct.dma.backendName(d));
            assertTrue(e.getMessage().contains("not attached"), e.getMessage());
            translated.dma.attach(d); // attach again after a detach: a fresh record
            assertEquals("iommu", translated.dma.backendName(d));
            assertEquals(0, translated.dma.liveMappings(d));
            translated.frames.free(buf, 0);
        }
    }

    @Test
    void shouldReportMappingErrorValueOnly() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            assertTrue(rig.dma.mappingError(d, DmaApi.DMA_MAPPING_ERROR));
            assertTrue(!rig.dma.mappingError(d, 0));
        }
    }

    @Test
    void shouldPickBackendFromIommuDomain() {
        FakeIommuDomain translated = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        FakeIommuDomain identity = new FakeIommuDomain(IommuDomain.Type.IDENTITY, 48);
        FakeIommu iommu = new FakeIommu().put(Rig.rid(4), translated).put(Rig.rid(5), identity);
        try (Rig rig = Rig.iommu(true, iommu)) {
            DmaDevice a = rig.attach("a", 4, false);
            DmaDevice b = rig.attach("b", 5, false);
            DmaDevice c = rig.attach("c", 6, false);
            assertEquals("iommu", rig.dma.backendName(a));
            assertEquals("direct", rig.dma.backendName(b));
            assertEquals("direct", rig.dma.backendName(c));
            assertTrue(rig.dma.domainOf(a).isPresent());
            assertTrue(rig.dma.domainOf(b).isEmpty());
        }
    }

    @Test
    void shouldReleaseEverythingOnDetach() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (Rig rig = Rig.iommu(true, new FakeIommu().put(Rig.rid(4), domain))) {
            DmaDevice d = rig.attach("nic", 4, true);
            rig.dma.swiotlb(); // the bounce pool is allocated on first use: take it before counting frames
            long freeBefore = rig.frames.stats().freeFrames();
            long buf = rig.high(8192);
            rig.dma.mapSingle(d, buf, 8192, DmaDirection.TO_DEVICE, Set.of());
            rig.dma.mapSingle(d, buf + 100, 300, DmaDirection.FROM_DEVICE, Set.of()); // bounced: untrusted, unaligned
            rig.dma.mapSg(d, new ScatterList().add(buf, 4096).add(buf + 4096, 4096), 2, DmaDirection.TO_DEVICE, Set.of());
            assertNotNull(rig.dma.allocCoherent(d, 3000));
            assertTrue(rig.dma.swiotlb().usedSlots() > 0);
            rig.dma.detach(d);
            assertEquals(0, domain.liveAllocations());
            assertEquals(0, domain.mappedPages());
            assertEquals(0, rig.dma.swiotlb().usedSlots());
            rig.frames.free(buf, 1);
            assertEquals(freeBefore, rig.frames.stats().freeFrames(), "coherent frames returned");
        }
    }

    @Test
    void shouldIgnoreUnmapOfAddressNeverMapped() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            rig.dma.unmapSingle(d, 0x1234_5000L, 4096, DmaDirection.TO_DEVICE, Set.of());
            rig.dma.freeCoherent(d, 4096, 0x1234_5000L, 0x1234_5000L);
            assertEquals(0, rig.dma.liveMappings(d));
            assertTrue(rig.dma.recentWarnings().getLast().contains("no such coherent allocation"));
        }
    }

    @Test
    void shouldReportMaxMappingSizeOfBouncePoolOnlyWhenBouncingCanHappen() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            assertEquals(Swiotlb.MAX_MAPPING_SIZE, rig.dma.maxMappingSize(d), "a 32-bit mask misses the RAM above 4 GiB");
            rig.dma.setMask(d, DmaMask.bits(64));
            assertEquals(Long.MAX_VALUE, rig.dma.maxMappingSize(d));
        }
    }

    @Test
    void shouldServeDevicesFromBootedKernel() {
        try (Machine m = Machine.createDefault(); Kernel k = Kernel.boot(m)) {
            DmaMappingLayer dma = k.mappingLayer();
            assertTrue(dma.swiotlb().active());
            assertEquals(Swiotlb.DEFAULT_SIZE, dma.swiotlb().end() - dma.swiotlb().start(), "64 MiB bounce pool");
            assertTrue(dma.swiotlb().end() <= 1L << 32, "bounce pool below 4 GiB");
            DmaDevice d = new DmaDevice("nic", Rig.rid(4), false);
            dma.attach(d);
            CoherentBuffer b = dma.allocCoherent(d, 4096);
            assertNotNull(b);
            long dmaAddr = dma.mapSingle(d, b.physical(), 64, DmaDirection.TO_DEVICE, Set.of());
            assertNotEquals(DmaApi.DMA_MAPPING_ERROR, dmaAddr);
            dma.unmapSingle(d, dmaAddr, 64, DmaDirection.TO_DEVICE, Set.of());
            dma.freeCoherent(d, 4096, b.physical(), b.dmaAddress());
            assertEquals(0, dma.liveCoherent(d));
        }
    }

    @Test
    void shouldFailEveryMappingInBlockedDomain() {
        FakeIommuDomain blocked = new FakeIommuDomain(IommuDomain.Type.BLOCKED, 48);
        try (Rig rig = Rig.iommu(true, new FakeIommu().put(Rig.rid(4), blocked))) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.low(8192);
            assertEquals(DmaApi.DMA_MAPPING_ERROR, rig.dma.mapSingle(d, buf, 4096, DmaDirection.TO_DEVICE, Set.of()));
            assertEquals(0, rig.dma.mapSg(d, new ScatterList().add(buf, 4096).add(buf + 4096, 4096), 2, DmaDirection.TO_DEVICE, Set.of()));
            long free = rig.frames.stats().freeFrames();
            assertEquals(null, rig.dma.allocCoherent(d, 4096));
            assertEquals(free, rig.frames.stats().freeFrames(), "the frames went back");
            assertTrue(rig.dma.recentWarnings().stream().anyMatch(w -> w.contains("BLOCKED")), rig.dma.recentWarnings().toString());
            assertEquals(0, rig.dma.liveMappings(d));
        }
    }
}
