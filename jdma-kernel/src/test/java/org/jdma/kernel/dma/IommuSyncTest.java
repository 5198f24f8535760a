package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Set;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.testing.FakeIommu;
import org.jdma.kernel.testing.FakeIommuDomain;
import org.junit.jupiter.api.Test;

/**
 * Syncs and unmaps of mappings made through an IOMMU domain (Linux {@code iommu_dma_sync_single_for_*}
 * and {@code iommu_dma_unmap_page}): a trusted device on a coherent machine has no cache to maintain
 * and no bounce slot, so the IOVA is not even translated; a bounced mapping of an untrusted device
 * and a non-coherent machine's cache still get their copy and their maintenance, at the physical
 * address the IOVA translates to.
 */
class IommuSyncTest {

    private static final int DEVICE = 4;

    @Test
    void shouldCopyBouncedBytesAtSyncForAnUntrustedDeviceOnACoherentMachine() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (Rig rig = Rig.iommu(true, new FakeIommu().put(Rig.rid(DEVICE), domain))) {
            DmaDevice d = rig.attach("nic", DEVICE, true);
            long buf = rig.high(4096);
            long dma = rig.dma.mapSingle(d, buf + 512, 512, DmaDirection.BIDIRECTIONAL, Set.of());
            long bounce = domain.translate(dma).orElseThrow();
            assertNotEquals(buf + 512, bounce, "an untrusted device's sub-page mapping is bounced");

            rig.write(bounce, Rig.pattern(512, 1)); // what the device wrote
            rig.dma.syncSingleForCpu(d, dma, 512, DmaDirection.BIDIRECTIONAL);
            assertArrayEquals(Rig.pattern(512, 1), rig.read(buf + 512, 512), "sync for CPU copies the device's bytes back");

            rig.write(buf + 512, Rig.pattern(512, 2)); // what the CPU wrote
            rig.dma.syncSingleForDevice(d, dma, 512, DmaDirection.BIDIRECTIONAL);
            assertArrayEquals(Rig.pattern(512, 2), rig.read(bounce, 512), "sync for device copies the CPU's bytes in");
            rig.dma.unmapSingle(d, dma, 512, DmaDirection.BIDIRECTIONAL, Set.of());
        }
    }

    @Test
    void shouldMaintainTheCacheAtTheTranslatedAddressOnANonCoherentMachine() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (Rig rig = Rig.iommu(false, new FakeIommu().put(Rig.rid(DEVICE), domain))) {
            DmaDevice d = rig.attach("nic", DEVICE, false);
            long buf = rig.high(4096);
            long dma = rig.dma.mapSingle(d, buf, 4096, DmaDirection.FROM_DEVICE, Set.of());
            assertNotEquals(buf, dma, "the device sees an IOVA");
            rig.cache.clear();
            rig.dma.syncSingleForCpu(d, dma, 4096, DmaDirection.FROM_DEVICE);
            assertEquals(List.of(String.format("invalidate %#x+%d", buf, 4096)), rig.cache.ops(),
                    "the CPU's stale lines over the buffer go, found through the IOVA's translation");
            rig.dma.unmapSingle(d, dma, 4096, DmaDirection.FROM_DEVICE, Set.of());
        }
    }

    @Test
    void shouldLeaveTheCacheAloneAtSyncForATrustedDeviceOnACoherentMachine() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (Rig rig = Rig.iommu(true, new FakeIommu().put(Rig.rid(DEVICE), domain))) {
            DmaDevice d = rig.attach("nic", DEVICE, false);
            long buf = rig.high(4096);
            rig.write(buf, Rig.pattern(4096, 3));
            long dma = rig.dma.mapSingle(d, buf, 4096, DmaDirection.BIDIRECTIONAL, Set.of());
            rig.cache.clear();
            rig.dma.syncSingleForCpu(d, dma, 4096, DmaDirection.BIDIRECTIONAL);
            rig.dma.syncSingleForDevice(d, dma, 4096, DmaDirection.BIDIRECTIONAL);
            assertEquals(List.of(), rig.cache.ops(), "nothing to clean or invalidate");
            assertArrayEquals(Rig.pattern(4096, 3), rig.read(buf, 4096), "the buffer is the device's memory: untouched");
            rig.dma.unmapSingle(d, dma, 4096, DmaDirection.BIDIRECTIONAL, Set.of());
        }
    }

    @Test
    void shouldCopyBouncedBytesBackAndFreeTheSlotAtUnmapForAnUntrustedDeviceOnACoherentMachine() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (Rig rig = Rig.iommu(true, new FakeIommu().put(Rig.rid(DEVICE), domain))) {
            DmaDevice d = rig.attach("nic", DEVICE, true);
            long buf = rig.high(4096);
            long dma = rig.dma.mapSingle(d, buf + 512, 512, DmaDirection.FROM_DEVICE, Set.of());
            long bounce = domain.translate(dma).orElseThrow();
            rig.write(bounce, Rig.pattern(512, 4)); // what the device wrote
            rig.dma.unmapSingle(d, dma, 512, DmaDirection.FROM_DEVICE, Set.of());
            assertArrayEquals(Rig.pattern(512, 4), rig.read(buf + 512, 512), "unmap copies the device's bytes back");
            assertEquals(0, rig.dma.swiotlb().usedSlots(), "and frees the bounce slot");
            assertEquals(0, domain.mappedPages(), "and the IOVA");
        }
    }

    @Test
    void shouldInvalidateAtTheTranslatedAddressAtUnmapOnANonCoherentMachine() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (Rig rig = Rig.iommu(false, new FakeIommu().put(Rig.rid(DEVICE), domain))) {
            DmaDevice d = rig.attach("nic", DEVICE, false);
            long buf = rig.high(4096);
            long dma = rig.dma.mapSingle(d, buf, 4096, DmaDirection.FROM_DEVICE, Set.of());
            rig.cache.clear();
            rig.dma.unmapSingle(d, dma, 4096, DmaDirection.FROM_DEVICE, Set.of());
            assertEquals(List.of(String.format("invalidate %#x+%d", buf, 4096)), rig.cache.ops());
            assertEquals(0, domain.mappedPages());
        }
    }

    @Test
    void shouldUnmapATrustedDevicesMappingOnACoherentMachine() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (Rig rig = Rig.iommu(true, new FakeIommu().put(Rig.rid(DEVICE), domain))) {
            DmaDevice d = rig.attach("nic", DEVICE, false);
            long buf = rig.high(8192);
            long dma = rig.dma.mapSingle(d, buf + 100, 5000, DmaDirection.TO_DEVICE, Set.of());
            assertEquals(buf + 100, domain.translate(dma).orElseThrow(), "not bounced: the IOVA keeps the offset");
            rig.dma.unmapSingle(d, dma, 5000, DmaDirection.TO_DEVICE, Set.of());
            assertEquals(0, domain.mappedPages(), "both granules the mapping spans are unmapped");
            assertEquals(0, domain.liveAllocations(), "and their IOVA range freed");
        }
    }
}
