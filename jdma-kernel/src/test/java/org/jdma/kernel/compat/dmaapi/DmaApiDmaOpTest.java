package org.jdma.kernel.compat.dmaapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdma.kernel.dma.CoherentBuffer;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.dma.DeviceDmaApi;

/**
 * {@link DmaApiDmaOp} against a scripted {@link DmaApi}: which mapping-layer call each seed-004
 * operation becomes, with which device, address, size, direction and attributes.
 */
class DmaApiDmaOpTest {

    /** Bus address = physical + OFFSET; records calls; fails maps on request. */
    static final class ScriptedApi implements DmaApi {
        static final long OFFSET = 0x1000_0000L; // keeps the test machine's low RAM inside a 32-bit mask
        final DmaMemory memory;
        final List<String> calls = new ArrayList<>();
        final Map<Long, DmaBuffer> coherent = new HashMap<>();
        boolean failMaps;

        ScriptedApi(DmaMemory memory) {
            this.memory = memory;
        }

        @Override public CoherentBuffer allocCoherent(DmaDevice device, long size) {
            calls.add("allocCoherent " + device.name() + " " + size);
            DmaBuffer b = memory.allocate(size, 4096, DmaMemory.LIMIT_4GIB);
            coherent.put(b.physicalAddress(), b);
            return new CoherentBuffer(device, b.physicalAddress(), b.physicalAddress() + OFFSET, size);
        }

        @Override public void freeCoherent(DmaDevice device, long size, long physical, long dmaAddress) {
            calls.add(String.format("freeCoherent %d %#x %#x", size, physical, dmaAddress));
            coherent.remove(physical).close();
        }

        @Override public long mapSingle(DmaDevice device, long physical, long size, DmaDirection direction, Set<DmaAttr> attrs) {
            calls.add(String.format("mapSingle %#x %d %s %s", physical, size, direction, attrs));
            return failMaps ? DMA_MAPPING_ERROR : physical + OFFSET;
        }

        @Override public void unmapSingle(DmaDevice device, long dmaAddress, long size, DmaDirection direction, Set<DmaAttr> attrs) {
            calls.add(String.format("unmapSingle %#x %d %s %s", dmaAddress, size, direction, attrs));
        }

        @Override public boolean mappingError(DmaDevice device, long dmaAddress) {
            return dmaAddress == DMA_MAPPING_ERROR;
        }

        @Override public void syncSingleForCpu(DmaDevice device, long dmaAddress, long size, DmaDirection direction) {
            calls.add(String.format("syncForCpu %#x %d %s", dmaAddress, size, direction));
        }

        @Override public void syncSingleForDevice(DmaDevice device, long dmaAddress, long size, DmaDirection direction) {
            calls.add(String.format("syncForDevice %#x %d %s", dmaAddress, size, direction));
        }

        @Override public void attach(DmaDevice device) { throw new UnsupportedOperationException(); }
        @Override public void detach(DmaDevice device) { throw new UnsupportedOperationException(); }
        @Override public boolean setMask(DmaDevice device, DmaMask mask) { throw new UnsupportedOperationException(); }
        @Override public boolean setCoherentMask(DmaDevice device, DmaMask mask) { throw new UnsupportedOperationException(); }
        @Override public long mapPage(DmaDevice d, long p, long o, long s, DmaDirection dir, Set<DmaAttr> a) { throw new UnsupportedOperationException(); }
        @Override public void unmapPage(DmaDevice d, long a, long s, DmaDirection dir, Set<DmaAttr> at) { throw new UnsupportedOperationException(); }
        @Override public int mapSg(DmaDevice d, ScatterList sg, int n, DmaDirection dir, Set<DmaAttr> a) { throw new UnsupportedOperationException(); }
        @Override public void unmapSg(DmaDevice d, ScatterList sg, int n, DmaDirection dir, Set<DmaAttr> a) { throw new UnsupportedOperationException(); }
        @Override public void syncSgForCpu(DmaDevice d, ScatterList sg, int n, DmaDirection dir) { throw new UnsupportedOperationException(); }
        @Override public void syncSgForDevice(DmaDevice d, ScatterList sg, int n, DmaDirection dir) { throw new UnsupportedOperationException(); }
        @Override public long maxMappingSize(DmaDevice device) { throw new UnsupportedOperationException(); }
    }

    private final ApiFixture f = new ApiFixture();
    private final ScriptedApi api = new ScriptedApi(f.memory);
    private final DmaDevice nic = new DmaDevice("nic0", RequesterId.of(0, 6, 0), false);
    private final DmaApiDmaOp op = new DmaApiDmaOp(new DeviceDmaApi(api, nic), f.machine.cpu(), 4096);

    @AfterEach
    void tearDown() {
        assertEquals(0, api.coherent.size(), "every coherent buffer freed through the layer");
        f.close();
    }

    @Test
    void shouldAllocateAndFreeCoherentMemoryThroughTheLayer() throws DmaException {
        DmaContainers dev = op.containers();
        assertEquals(nic.dmaMask(), dev.dmaMask());
        assertEquals(4096, dev.pageSize());
        try (DArray<Integer> a = dev.arrayZeroWithAlign(DmaType.INT, 100, 64, DmaDirection.BIDIRECTIONAL)) {
            long phys = a.dmaAddr().asLong() - ScriptedApi.OFFSET;
            assertEquals(List.of("allocCoherent nic0 400"), api.calls);
            a.set(1, 42);
            assertEquals(42, f.machine.cpu().read32(phys + 4), "the CPU reaches the layer's physical address");
            assertEquals(42, a.read(1).orElseThrow());
            api.calls.clear();
        }
        assertEquals(1, api.calls.size());
        assertTrue(api.calls.getFirst().startsWith("freeCoherent 400 "), api.calls.toString());
    }

    @Test
    void shouldGiveBackCoherentMemoryOutsideTheContainersMask() {
        // The layer serves the device's mask; a DmaContainers with a narrower one refuses and frees.
        DmaContainers narrow = new DmaContainers(DmaMask.of(0x0FFF_FFFFL), op);
        DmaError e = assertThrows(DmaException.class, () -> narrow.arrayZero(DmaType.INT, 4, DmaDirection.TO_DEVICE)).error();
        assertInstanceOf(DmaError.DmaMaskNotMatch.class, e, "the bus offset puts it above 256 MiB");
        assertTrue(api.calls.getLast().startsWith("freeCoherent"), api.calls.toString());
    }

    @Test
    void shouldMapWithoutSyncAndSyncSubRangesThroughTheLayer() throws DmaException {
        DmaContainers dev = new DmaContainers(DmaMask.BITS_64, op);
        try (DmaBuffer buf = f.memory.allocate(256, 64)) {
            long phys = buf.physicalAddress();
            long dma = phys + ScriptedApi.OFFSET;
            SArrayPtr<Long> p = dev.mapSingleArray(DmaType.LONG, buf, 64, DmaDirection.BIDIRECTIONAL);
            assertEquals(DmaAddr.of(dma), p.dmaAddr());
            p.confirmWriteAll();
            p.set(3, 9L);
            p.prepareReadAll();
            p.read(2);
            p.close();
            assertEquals(List.of(
                    String.format("mapSingle %#x 256 BIDIRECTIONAL [SKIP_CPU_SYNC]", phys),
                    String.format("syncForDevice %#x 256 BIDIRECTIONAL", dma),
                    String.format("syncForDevice %#x 8 BIDIRECTIONAL", dma + 24),
                    String.format("syncForCpu %#x 256 BIDIRECTIONAL", dma),
                    String.format("syncForCpu %#x 8 BIDIRECTIONAL", dma + 16),
                    String.format("unmapSingle %#x 256 BIDIRECTIONAL [SKIP_CPU_SYNC]", dma)), api.calls);
        }
    }

    @Test
    void shouldSkipTheSyncsTheDirectionDoesNotNeed() throws DmaException {
        DmaContainers dev = new DmaContainers(DmaMask.BITS_64, op);
        try (DmaBuffer buf = f.memory.allocate(64, 64)) {
            try (SArrayPtr<Long> to = dev.mapSingleArray(DmaType.LONG, buf, 8, DmaDirection.TO_DEVICE)) {
                api.calls.clear();
                to.prepareReadAll();
                assertEquals(List.of(), api.calls, "TO_DEVICE: nothing to prepare before a CPU read");
            }
            try (SArrayPtr<Long> from = dev.mapSingleArray(DmaType.LONG, buf, 8, DmaDirection.FROM_DEVICE)) {
                api.calls.clear();
                from.confirmWriteAll();
                assertEquals(List.of(), api.calls, "FROM_DEVICE: nothing to confirm after a CPU write");
            }
        }
    }

    @Test
    void shouldReportAMappingErrorAsNoMemory() {
        api.failMaps = true;
        DmaContainers dev = new DmaContainers(DmaMask.BITS_64, op);
        try (DmaBuffer buf = f.memory.allocate(64, 64)) {
            DmaError e = assertThrows(DmaException.class, () -> dev.mapSingleArray(DmaType.INT, buf, 4, DmaDirection.TO_DEVICE)).error();
            assertInstanceOf(DmaError.NoMemory.class, e);
            assertTrue(e.retryable());
            assertTrue(e.message().contains("nic0"), e.message());
        }
    }

    @Test
    void shouldNotBeWrappedByTheRecorder() {
        var e = assertThrows(IllegalArgumentException.class, () -> new RecordingDmaOp(op));
        assertTrue(e.getMessage().contains("DmaApiDmaOp"), e.getMessage());
    }
}
