package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The DMA API bound to one device, and its two owning handles. */
class DeviceDmaApiTest {

    private static DeviceDmaApi bind(Rig rig, String name) {
        return new DeviceDmaApi(rig.dma, rig.attach(name, 4, false));
    }

    @Test
    void shouldHandOutZeroedCoherentMemoryAndFreeItOnceOnClose() {
        try (Rig rig = Rig.direct(true)) {
            DeviceDmaApi dev = bind(rig, "nic");
            long free = rig.frames.stats().freeFrames();
            CoherentAllocation ring = dev.allocCoherent(6000);
            assertEquals(6000, ring.size());
            assertEquals(ring.physical(), ring.dmaAddress(), "direct DMA without a bus offset");
            assertTrue(DmaMask.BITS_32.covers(ring.dmaAddress(), ring.size()), "inside the default coherent mask");
            assertEquals(0, rig.cpu.read64(ring.physical() + 5992));
            assertEquals(1, rig.dma.liveCoherent(dev.device()));
            ring.close();
            ring.close();
            assertTrue(ring.isClosed());
            assertEquals(0, rig.dma.liveCoherent(dev.device()));
            assertEquals(free, rig.frames.stats().freeFrames(), "the frames went back once");
        }
    }

    @Test
    void shouldThrowARetryableNoMemoryWhenNoCoherentMemoryFits() {
        try (Rig rig = Rig.direct(true)) {
            DmaException e = assertThrows(DmaException.class, () -> bind(rig, "nic").allocCoherent(1L << 40));
            assertInstanceOf(DmaError.NoMemory.class, e.error());
            assertTrue(e.retryable());
        }
    }

    @Test
    void shouldMapStreamingMemoryAndUnmapItOnClose() {
        try (Rig rig = Rig.direct(false)) {
            DeviceDmaApi dev = bind(rig, "nic");
            long buf = rig.low(8192);
            rig.cache.clear();
            StreamingMapping m = dev.mapStreaming(buf, 8192, DmaDirection.FROM_DEVICE);
            assertEquals(buf, m.dmaAddress());
            assertEquals(List.of(String.format("clean %#x+8192", buf)), rig.cache.ops(), "the device owns it: cleaned");
            rig.cache.clear();
            m.syncForCpu(4096, 64);
            assertEquals(List.of(String.format("invalidate %#x+64", buf + 4096)), rig.cache.ops(), "a range of the mapping for the CPU");
            rig.cache.clear();
            m.syncForDevice();
            assertEquals(List.of(String.format("clean %#x+8192", buf)), rig.cache.ops());
            rig.cache.clear();
            m.close();
            m.close();
            assertEquals(List.of(String.format("invalidate %#x+8192", buf)), rig.cache.ops(), "unmapped once, with the for-CPU sync");
            assertThrows(IllegalStateException.class, m::syncForCpu);
        }
    }

    @Test
    void shouldRefuseASyncOutsideTheMapping() {
        try (Rig rig = Rig.direct(true); StreamingMapping m = bind(rig, "nic").mapStreaming(rig.low(4096), 4096, DmaDirection.TO_DEVICE)) {
            assertThrows(IndexOutOfBoundsException.class, () -> m.syncForDevice(4000, 100));
            assertThrows(IndexOutOfBoundsException.class, () -> m.syncForDevice(-1, 1));
        }
    }

    @Test
    void shouldBounceThroughTheHandleAndGiveTheSlotsBackOnClose() {
        try (Rig rig = Rig.direct(true)) {
            DeviceDmaApi dev = bind(rig, "nic");
            long high = rig.high(4096);
            rig.write(high, Rig.pattern(4096, 3));
            try (StreamingMapping m = dev.mapStreaming(high, 4096, DmaDirection.TO_DEVICE)) {
                assertNotEquals(high, m.dmaAddress(), "above the 32-bit mask: bounced");
                assertTrue(rig.dma.swiotlb().contains(m.dmaAddress()));
                assertEquals(1, rig.dma.liveMappings(dev.device()), "a bounced mapping holds slots");
            }
            assertEquals(0, rig.dma.swiotlb().usedSlots());
            assertEquals(0, rig.dma.liveMappings(dev.device()));
        }
    }

    @Test
    void shouldThrowMappingFailedWhenNoDeviceAddressCanBeMade() {
        try (Rig rig = Rig.direct(true, Rig.SMALL_POOL.withSwiotlb(0, 1))) {
            DeviceDmaApi dev = bind(rig, "nic");
            DmaException e = assertThrows(DmaException.class, () -> dev.mapStreaming(rig.high(4096), 4096, DmaDirection.TO_DEVICE));
            assertInstanceOf(DmaError.MappingFailed.class, e.error());
            assertTrue(e.retryable());
        }
    }

    @Test
    void shouldKeepDirectMappingsFreeOfRecordsAndTheBouncePoolUnallocated() {
        try (Rig rig = Rig.direct(true)) {
            DeviceDmaApi dev = bind(rig, "nic");
            long free = rig.frames.stats().freeFrames();
            long buf = rig.low(4096);
            long dma = dev.mapSingle(buf, 4096, DmaDirection.BIDIRECTIONAL);
            assertFalse(dev.mappingError(dma));
            assertEquals(0, rig.dma.liveMappings(dev.device()), "Linux's dma-direct keeps no state for it");
            dev.unmapSingle(dma, 4096, DmaDirection.BIDIRECTIONAL);
            assertEquals(free - 1, rig.frames.stats().freeFrames(), "only the buffer's frame: no bounce pool was taken");
        }
    }

    @Test
    void shouldSetBothMasksOrReportFailure() {
        try (Rig rig = Rig.direct(true)) {
            DeviceDmaApi dev = bind(rig, "nic");
            assertTrue(dev.setMaskAndCoherent(DmaMask.BITS_64));
            assertEquals(DmaMask.BITS_64, dev.device().dmaMask());
            assertEquals(DmaMask.BITS_64, dev.device().coherentMask());
            assertFalse(dev.setMaskAndCoherent(DmaMask.bits(20)), "no zone lies below 1 MiB and RAM reaches beyond it");
            assertEquals(DmaMask.BITS_64, dev.device().coherentMask());
        }
    }
}
