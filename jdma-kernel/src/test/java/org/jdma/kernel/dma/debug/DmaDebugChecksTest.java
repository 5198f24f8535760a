package org.jdma.kernel.dma.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jdma.kernel.dma.CoherentBuffer;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.kernel.testing.Workers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jdma.kernel.mm.DmaMemory;

/**
 * Each of dma-debug's 24 checks, triggered by a deliberately wrong driver, with Linux's message
 * category, and absent for the correct driver. Runs over the real mapping layer on a coherent
 * machine (the protocol checks do not depend on the cache).
 */
class DmaDebugChecksTest {

    private static final Set<DmaAttr> NONE = EnumSet.noneOf(DmaAttr.class);
    private static final Set<DmaAttr> SKIP = EnumSet.of(DmaAttr.SKIP_CPU_SYNC);
    private static final DmaDirection TO = DmaDirection.TO_DEVICE;
    private static final DmaDirection FROM = DmaDirection.FROM_DEVICE;
    private static final DmaDirection BIDI = DmaDirection.BIDIRECTIONAL;
    /** Far above the fixture's RAM: memory the frame allocator does not manage (a peer's BAR, say). */
    private static final long UNMANAGED = 1L << 44;

    private DebugFixture f;
    private DmaDebug api;
    private DmaDevice dev;

    @BeforeEach
    void setUp() {
        f = DebugFixture.coherent();
        api = f.debug;
        dev = f.device;
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private long mapChecked(long phys, long size, DmaDirection dir) {
        long dma = api.mapSingle(dev, phys, size, dir, NONE);
        assertFalse(api.mappingError(dev, dma), "mapping failed");
        return dma;
    }

    private DmaDebugReport only(DmaDebugCategory expected) {
        assertEquals(List.of(expected), f.categories(), () -> "reports: " + f.reports);
        DmaDebugReport r = f.reports.getFirst();
        assertTrue(r.message().startsWith("DMA-API: nic0: " + expected.linuxMessage().substring(0, 20)), r.message());
        return r;
    }

    @Test
    void shouldReportNothingForACorrectDriver() {
        long buf = f.buffer(8192);
        long a = mapChecked(buf, 4096, TO);
        api.syncSingleForCpu(dev, a, 4096, TO);
        api.syncSingleForDevice(dev, a, 4096, TO);
        api.unmapSingle(dev, a, 4096, TO, NONE);
        long p = api.mapPage(dev, buf, 4096, 4096, FROM, NONE);
        assertFalse(api.mappingError(dev, p));
        api.syncSingleForCpu(dev, p + 64, 128, FROM);
        api.unmapPage(dev, p, 4096, FROM, NONE);
        ScatterList sg = new ScatterList().add(buf, 4096).add(buf + 4096, 4096);
        int n = api.mapSg(dev, sg, 2, BIDI, NONE);
        api.syncSgForCpu(dev, sg, 2, BIDI);
        api.syncSgForDevice(dev, sg, 2, BIDI);
        api.unmapSg(dev, sg, 2, BIDI, NONE);
        CoherentBuffer c = api.allocCoherent(dev, 4096);
        api.freeCoherent(dev, c.size(), c.physical(), c.dmaAddress());
        api.detach(dev);
        assertEquals(2, n);
        api.assertNoReports();
        assertEquals(0, api.liveEntries());
    }

    @Test
    void shouldReportFreeOfTheMappingErrorValue() {                                              // 1
        api.unmapSingle(dev, DmaApi.DMA_MAPPING_ERROR, 64, TO, NONE);
        only(DmaDebugCategory.FREE_INVALID_ADDRESS);
    }

    @Test
    void shouldReportFreeOfMemoryNeverMapped() {                                                 // 2
        api.unmapSingle(dev, 0x1234_0000L, 64, TO, NONE);
        DmaDebugReport r = only(DmaDebugCategory.FREE_NOT_ALLOCATED);
        assertTrue(r.message().contains("[device address=0x0000000012340000] [size=64 bytes]"), r.message());
    }

    @Test
    void shouldReportFreeWithDifferentSize() {                                                   // 3
        long a = mapChecked(f.buffer(4096), 4096, TO);
        api.unmapSingle(dev, a, 2048, TO, NONE);
        DmaDebugReport r = only(DmaDebugCategory.FREE_SIZE_MISMATCH);
        assertTrue(r.message().contains("[map size=4096 bytes] [unmap size=2048 bytes]"), r.message());
    }

    @Test
    void shouldReportFreeWithWrongFunction() {                                                   // 4
        long buf = f.buffer(4096);
        long p = api.mapPage(dev, buf, 0, 4096, TO, NONE);
        api.mappingError(dev, p);
        api.unmapSingle(dev, p, 4096, TO, NONE);
        DmaDebugReport r = only(DmaDebugCategory.FREE_WRONG_FUNCTION);
        assertTrue(r.message().contains("[mapped as page] [unmapped as single]"), r.message());
    }

    @Test
    void shouldReportCoherentFreeOfAStreamingMapping() {                                         // 4
        long buf = f.buffer(4096);
        long a = mapChecked(buf, 4096, BIDI);
        api.freeCoherent(dev, 4096, buf, a);
        DmaDebugReport r = only(DmaDebugCategory.FREE_WRONG_FUNCTION);
        assertTrue(r.message().contains("[mapped as single] [unmapped as coherent]"), r.message());
    }

    @Test
    void shouldReportCoherentFreeWithDifferentCpuAddress() {                                     // 5
        CoherentBuffer c = api.allocCoherent(dev, 8192);
        api.freeCoherent(dev, c.size(), c.physical() + 4096, c.dmaAddress());
        DmaDebugReport r = only(DmaDebugCategory.FREE_CPU_ADDRESS_MISMATCH);
        assertTrue(r.message().contains(String.format("[cpu alloc address=0x%x] [cpu free address=0x%x]",
                c.physical(), c.physical() + 4096)), r.message());
    }

    @Test
    void shouldReportSgUnmapWithDifferentEntryCount() {                                          // 6
        long buf = f.buffer(3 * 4096);
        ScatterList sg = new ScatterList().add(buf, 4096).add(buf + 4096, 4096).add(buf + 8192, 4096);
        api.mapSg(dev, sg, 3, TO, NONE);
        api.unmapSg(dev, sg, 2, TO, NONE);
        // Linux walks the segments mapSg produced and compares each entry's call count.
        assertEquals(List.of(DmaDebugCategory.FREE_SG_COUNT_MISMATCH, DmaDebugCategory.FREE_SG_COUNT_MISMATCH,
                DmaDebugCategory.FREE_SG_COUNT_MISMATCH), f.categories());
        assertTrue(f.reports.getFirst().message().contains("[map count=3] [unmap count=2]"));
    }

    @Test
    void shouldReportFreeWithDifferentDirection() {                                              // 7
        long a = mapChecked(f.buffer(4096), 4096, TO);
        api.unmapSingle(dev, a, 4096, FROM, NONE);
        DmaDebugReport r = only(DmaDebugCategory.FREE_DIRECTION_MISMATCH);
        assertTrue(r.message().contains("[mapped with DMA_TO_DEVICE] [unmapped with DMA_FROM_DEVICE]"), r.message());
    }

    @Test
    void shouldReportUnmapOfAHandleNeverTestedWithMappingError() {                               // 8
        long buf = f.buffer(4096);
        long a = api.mapSingle(dev, buf, 4096, TO, NONE);
        api.unmapSingle(dev, a, 4096, TO, NONE);
        DmaDebugReport r = only(DmaDebugCategory.MAP_ERROR_NOT_CHECKED);
        assertTrue(r.message().contains("[size=4096 bytes] [mapped as single]"), r.message());
        f.reports.clear();
        long b = api.mapSingle(dev, buf, 4096, TO, NONE);
        api.mappingError(dev, b);
        api.unmapSingle(dev, b, 4096, TO, NONE);
        assertEquals(List.of(), f.categories());
    }

    @Test
    void shouldMarkOnlyOneOfTwoIdenticalMappingsCheckedPerMappingErrorCall() {                   // 8, best fit
        long buf = f.buffer(4096);
        long a = api.mapSingle(dev, buf, 64, TO, NONE);
        long b = api.mapSingle(dev, buf, 64, TO, NONE);
        assertEquals(a, b, "direct mapping: the same address twice");
        api.mappingError(dev, a);
        api.unmapSingle(dev, a, 64, TO, NONE);
        api.unmapSingle(dev, b, 64, TO, NONE);
        assertEquals(List.of(DmaDebugCategory.MAP_ERROR_NOT_CHECKED), f.categories());
    }

    @Test
    void shouldFindTheBestFittingEntryWhenAnAddressIsMappedTwice() {
        long buf = f.buffer(4096);
        long a = mapChecked(buf, 64, TO);
        long b = mapChecked(buf, 128, FROM);
        api.unmapSingle(dev, b, 128, FROM, NONE);
        api.unmapSingle(dev, a, 64, TO, NONE);
        api.assertNoReports();
    }

    @Test
    void shouldKeepTheEntryOfAnUnmapTheLayerRefuses() {
        long a = mapChecked(f.buffer(4096), 4096, TO);
        assertThrows(IllegalArgumentException.class, () -> api.unmapSingle(dev, a, 4096, DmaDirection.NONE, NONE));
        assertEquals(List.of(DmaDebugCategory.FREE_DIRECTION_MISMATCH), f.categories(), () -> "reports: " + f.reports);
        assertEquals(1, api.liveMappings(dev).size(), "the layer kept the mapping, so the checker keeps its entry");
        api.clearReports();
        api.unmapSingle(dev, a, 4096, TO, NONE);
        api.assertNoReports();
        assertEquals(List.of(), api.liveMappings(dev));
    }

    @Test
    void shouldKeepTheEntriesOfAnSgUnmapTheLayerRefuses() {
        long buf = f.buffer(3 * 4096);
        ScatterList sg = new ScatterList().add(buf, 4096).add(buf + 8192, 4096).add(buf + 4096, 4096);
        assertEquals(3, api.mapSg(dev, sg, 3, TO, NONE));
        assertThrows(IllegalArgumentException.class, () -> api.unmapSg(dev, sg, 5, TO, NONE));
        assertEquals(3, api.liveMappings(dev).size(), () -> "reports: " + f.reports);
        api.clearReports();
        api.unmapSg(dev, sg, 3, TO, NONE);
        api.assertNoReports();
        assertEquals(List.of(), api.liveMappings(dev));
    }

    @Test
    void shouldReleaseEverySegmentOfAListThatMapsTheSameBytesTwice() {
        long buf = f.buffer(4096);
        ScatterList sg = new ScatterList().add(buf, 512).add(buf + 1024, 512).add(buf, 512);
        assertEquals(3, api.mapSg(dev, sg, 3, TO, NONE));
        assertEquals(sg.get(0).dmaAddress(), sg.get(2).dmaAddress(), "direct mapping: one address for both");
        api.unmapSg(dev, sg, 3, TO, NONE);
        api.assertNoReports();
        assertEquals(List.of(), api.liveMappings(dev), "each segment releases an entry of its own");
    }

    @Test
    void shouldReportSyncOfMemoryNeverMapped() {                                                 // 9
        long a = mapChecked(f.buffer(4096), 4096, FROM);
        api.syncSingleForCpu(dev, a + 8192, 64, FROM);
        only(DmaDebugCategory.SYNC_NOT_ALLOCATED);
    }

    @Test
    void shouldReportSyncBeyondTheMapping() {                                                    // 10
        long a = mapChecked(f.buffer(8192), 4096, FROM);
        api.syncSingleForCpu(dev, a + 4000, 200, FROM);
        DmaDebugReport r = only(DmaDebugCategory.SYNC_OUT_OF_RANGE);
        assertTrue(r.message().contains("[allocation size=4096 bytes] [sync offset+size=4200]"), r.message());
    }

    @Test
    void shouldReportSyncWithDifferentDirectionButNotForBidirectionalMappings() {               // 11
        long buf = f.buffer(8192);
        long bidi = mapChecked(buf, 4096, BIDI);
        api.syncSingleForCpu(dev, bidi, 4096, FROM);
        assertEquals(List.of(), f.categories());
        long from = mapChecked(buf + 4096, 4096, FROM);
        api.syncSingleForCpu(dev, from, 4096, BIDI);
        DmaDebugReport r = only(DmaDebugCategory.SYNC_DIRECTION_MISMATCH);
        assertTrue(r.message().contains("[mapped with DMA_FROM_DEVICE] [synced with DMA_BIDIRECTIONAL]"), r.message());
    }

    @Test
    void shouldReportSyncForCpuOfDeviceReadOnlyMemory() {                                        // 12
        long a = mapChecked(f.buffer(4096), 4096, TO);
        api.syncSingleForCpu(dev, a, 4096, FROM);
        // Linux reports both: the direction differs, and TO_DEVICE memory is read-only for the device.
        assertEquals(List.of(DmaDebugCategory.SYNC_DIRECTION_MISMATCH, DmaDebugCategory.SYNC_READ_ONLY_FOR_CPU), f.categories());
        f.reports.clear();
        api.syncSingleForCpu(dev, a, 4096, TO); // Linux's condition: a TO_DEVICE sync of TO_DEVICE memory is fine
        assertEquals(List.of(), f.categories());
    }

    @Test
    void shouldReportSyncForDeviceOfDeviceWriteOnlyMemory() {                                    // 13
        long a = mapChecked(f.buffer(4096), 4096, FROM);
        api.syncSingleForDevice(dev, a, 4096, TO);
        assertEquals(List.of(DmaDebugCategory.SYNC_DIRECTION_MISMATCH, DmaDebugCategory.SYNC_WRITE_ONLY_TO_DEVICE), f.categories());
        assertTrue(f.reports.get(1).message().contains("device driver syncs device write-only DMA memory to device"));
    }

    @Test
    void shouldReportSgSyncWithDifferentEntryCount() {                                           // 14
        long buf = f.buffer(2 * 4096);
        ScatterList sg = new ScatterList().add(buf, 4096).add(buf + 4096, 4096);
        api.mapSg(dev, sg, 2, FROM, NONE);
        api.syncSgForCpu(dev, sg, 1, FROM);
        assertEquals(List.of(DmaDebugCategory.SYNC_SG_COUNT_MISMATCH, DmaDebugCategory.SYNC_SG_COUNT_MISMATCH), f.categories());
        assertTrue(f.reports.getFirst().message().contains("[map count=2] [sync count=1]"));
    }

    @Test
    void shouldReportLiveMappingsWhenTheDeviceIsDetached() {                                     // 15
        long buf = f.buffer(8192);
        mapChecked(buf, 4096, TO);
        mapChecked(buf + 4096, 512, FROM);
        api.detach(dev);
        DmaDebugReport r = only(DmaDebugCategory.LEAK_ON_DETACH);
        assertTrue(r.message().contains("[count=2]"), r.message());
        assertTrue(r.message().contains("One of leaked entries details: [device address="), r.message());
        assertTrue(r.mapping().isPresent());
        assertEquals(0, api.liveEntries());
        assertFalse(f.layer.isAttached(dev), "the layer still detaches (and releases) the device");
    }

    @Test
    void shouldReportMappingsOfDeclaredStackAndTextAreas() {                                     // 16, 17
        long buf = f.buffer(3 * 4096);
        api.declareArea(MemoryArea.STACK, buf, 4096);
        api.declareArea(MemoryArea.KERNEL_TEXT, buf + 4096, 4096);
        mapChecked(buf + 128, 64, TO);
        long p = api.mapPage(dev, buf + 4096, 0, 64, TO, NONE);
        api.mappingError(dev, p);
        mapChecked(buf + 8192, 64, TO);
        assertEquals(List.of(DmaDebugCategory.MAP_STACK, DmaDebugCategory.MAP_KERNEL_TEXT), f.categories());
        assertTrue(f.reports.get(0).message().contains(String.format("[addr=0x%x]", buf + 128)));
        assertTrue(f.reports.get(1).message().contains("[len=64]"));
    }

    @Test
    void shouldReportMapSingleOutsideTheDirectMap() {                                            // 18
        long mmio = 0xF000_0000L; // a device BAR, not RAM
        api.mapSingle(dev, mmio, 64, TO, NONE);
        DmaDebugReport r = f.reports.getFirst();
        assertEquals(DmaDebugCategory.MAP_INVALID_AREA, r.category());
        assertTrue(r.message().contains("[addr=0xf0000000] [len=64]"), r.message());
    }

    @Test
    void shouldReportMapSingleOfVmallocButNotMapPage() {                                         // 19
        long buf = f.buffer(4096);
        api.declareArea(MemoryArea.VMALLOC, buf, 4096);
        long p = api.mapPage(dev, buf, 0, 64, TO, NONE); // vmalloc pages may be mapped one by one
        api.mappingError(dev, p);
        assertEquals(List.of(), f.categories());
        mapChecked(buf + 64, 64, TO);
        only(DmaDebugCategory.MAP_VMALLOC);
    }

    @Test
    void shouldReportSgSegmentsLongerThanTheDeviceSupports() {                                   // 20
        dev.maxSegmentSize(4096);
        long buf = f.buffer(3 * 4096);
        ScatterList sg = new ScatterList().add(buf, 4096).add(buf + 4096, 8192);
        api.mapSg(dev, sg, 2, TO, NONE);
        DmaDebugReport r = only(DmaDebugCategory.SG_SEGMENT_TOO_LONG);
        assertTrue(r.message().contains("[len=8192] [max=4096]"), r.message());
    }

    @Test
    void shouldReportSgSegmentsCrossingTheSegmentBoundary() {                                    // 21
        dev.segmentBoundary(0xFFFF);
        long buf = f.buffer(0x20000); // 128 KiB aligned to 4 KiB: some 64 KiB boundary lies inside
        long boundary = (buf + 0x10000) & ~0xFFFFL;
        ScatterList sg = new ScatterList().add(boundary - 0x800, 0x1000).add(boundary + 0x1000, 0x100);
        api.mapSg(dev, sg, 2, TO, NONE);
        DmaDebugReport r = only(DmaDebugCategory.SG_SEGMENT_CROSSES_BOUNDARY);
        assertTrue(r.message().contains("[boundary=0x000000000000ffff]"), r.message());
    }

    @Test
    void shouldReportOverlappingDeviceWritableMappingsOfOneCacheLine() {                         // 22
        long buf = f.buffer(4096);
        mapChecked(buf, 32, FROM);
        mapChecked(buf + 32, 32, TO); // the device only reads: no concern
        assertEquals(List.of(), f.categories());
        mapChecked(buf + 32, 32, FROM);
        DmaDebugReport r = only(DmaDebugCategory.CACHELINE_OVERLAP);
        assertEquals(buf, r.lineAddress());
        f.reports.clear();
        long s = api.mapSingle(dev, buf + 16, 16, FROM, SKIP); // the driver syncs itself: allowed
        api.mappingError(dev, s);
        assertEquals(List.of(), f.categories());
    }

    @Test
    void shouldWarnOnceWhenOneCacheLineHasTooManyOverlaps() {                                    // 23
        long buf = f.buffer(4096);
        for (int i = 0; i <= DmaDebug.ACTIVE_CACHELINE_MAX_OVERLAP + 2; i++) {
            long s = api.mapSingle(dev, buf, 8, FROM, SKIP);
            api.mappingError(dev, s);
        }
        assertEquals(List.of(DmaDebugCategory.CACHELINE_OVERLAP_LIMIT), f.categories());
        assertTrue(f.reports.getFirst().message().contains("exceeded 7 overlapping mappings of cacheline"));
    }

    @Test
    void shouldDisableItselfWhenTheCachelineTrackerIsFull() {                                    // 24
        f.close();
        f = DebugFixture.withOptions(new DmaDebug.Options(true, 4));
        api = f.debug;
        dev = f.device;
        long buf = f.buffer(4096);
        mapChecked(buf, 4 * 64, FROM);
        assertFalse(api.disabled());
        mapChecked(buf + 1024, 64, FROM);
        assertEquals(List.of(DmaDebugCategory.CACHELINE_TRACKING_OUT_OF_MEMORY), f.categories());
        assertTrue(api.disabled());
        api.unmapSingle(dev, 0x1234_0000L, 64, TO, NONE); // would be check 2: the checker is off now
        assertEquals(1, api.errorCount());
    }

    @Test
    void shouldDisableItselfAtTheTrackersCapacityOnATerabyteMapping() {                         // 24
        assertTrue(api.setMask(dev, DmaMask.BITS_64));
        // Direct DMA within the mask of memory the kernel does not manage (no RAM there, so no
        // free frame): the layer maps it; the checker must not walk 2^34 lines first.
        long a = api.mapPage(dev, UNMANAGED, 0, 1L << 40, FROM, NONE);
        assertEquals(UNMANAGED, a);
        assertEquals(List.of(DmaDebugCategory.CACHELINE_TRACKING_OUT_OF_MEMORY), f.categories());
        assertTrue(api.disabled());
    }

    @Test
    void shouldDisableItselfRatherThanShadowEveryLineOfAHugeMappingTheDeviceOnlyReads() {       // 24
        assertTrue(api.setMask(dev, DmaMask.BITS_64));
        // TO_DEVICE lines are not tracked for overlaps, but the sanitizer would shadow each one.
        api.mapPage(dev, UNMANAGED, 0, 1L << 40, TO, NONE);
        assertEquals(List.of(DmaDebugCategory.CACHELINE_TRACKING_OUT_OF_MEMORY), f.categories());
        assertTrue(f.reports.getFirst().message().contains("more lines than the tracker holds"), f.reports.getFirst().message());
        assertTrue(api.disabled());
    }

    @Test
    void shouldNameTheDeviceTheMappingAndTheStackOfTheMapCall() {
        long buf = f.buffer(4096);
        long a = api.mapSingle(dev, buf, 4096, TO, NONE);
        api.unmapSingle(dev, a, 4096, TO, NONE);
        DmaDebugReport r = only(DmaDebugCategory.MAP_ERROR_NOT_CHECKED);
        assertEquals("nic0", r.device());
        DmaMapping m = r.mapping().orElseThrow();
        assertEquals(a, m.dmaAddress());
        assertEquals(4096, m.size());
        assertEquals(DmaMappingType.SINGLE, m.type());
        assertEquals(TO, m.direction());
        assertEquals("shouldNameTheDeviceTheMappingAndTheStackOfTheMapCall", r.mapStack()[0].getMethodName(),
                () -> Arrays.toString(r.mapStack()));
        assertTrue(r.format().contains("mapped at:"), r.format());
        assertTrue(r.format().contains("[mapped as single] [mapped with DMA_TO_DEVICE]"), r.format());
    }

    @Test
    void shouldFailAssertNoReportsWithEveryReportFormatted() {
        api.unmapSingle(dev, 0x7FFF_0000L, 64, TO, NONE);
        DmaDebugFailure e = assertThrows(DmaDebugFailure.class, api::assertNoReports);
        assertTrue(e.getMessage().startsWith("1 DMA-API report"), e.getMessage());
        assertTrue(e.getMessage().contains("device driver tries to free DMA memory it has not allocated"), e.getMessage());
        assertEquals(1, e.reports().size());
        api.clearReports();
        api.assertNoReports();
    }

    @Test
    void shouldCountPerCategoryAndDumpLiveMappings() {
        long buf = f.buffer(4096);
        long a = mapChecked(buf, 256, FROM);
        api.unmapSingle(dev, 0x7FFF_0000L, 64, TO, NONE);
        api.unmapSingle(dev, 0x7FFF_1000L, 64, TO, NONE);
        assertEquals(2, api.count(DmaDebugCategory.FREE_NOT_ALLOCATED));
        assertEquals(2, api.errorCount());
        assertEquals(EnumSet.of(DmaDebugCategory.FREE_NOT_ALLOCATED), api.reportedCategories());
        List<String> dump = api.dumpMappings(dev);
        assertEquals(List.of(String.format("nic0 single P=0x%x D=0x%x L=0x100 DMA_FROM_DEVICE dma map error checked", buf, a)), dump);
    }

    @Test
    void shouldNotTrackFailedMappings() {
        DmaDevice narrow = new DmaDevice("isa0", org.jdma.spec.pci.RequesterId.of(0, 6, 0), false);
        api.attach(narrow);
        long high = f.kernel.memory().allocate(2 << 20, 4096, DmaMemory.NO_LIMIT).physicalAddress();
        long a = api.mapSingle(narrow, high, 2 << 20, TO, NONE); // beyond the mask and larger than any bounce slot run
        assertTrue(api.mappingError(narrow, a));
        assertEquals(0, api.liveMappings(narrow).size());
        api.assertNoReports();
    }

    @Test
    void shouldStayConsistentWhenDriversMapFromManyThreads() throws InterruptedException {
        int threads = 4;
        int rounds = 300;
        long[] buffers = new long[threads];
        for (int t = 0; t < threads; t++) {
            buffers[t] = f.buffer(4096);
        }
        Workers.run(threads, t -> {
            long buf = buffers[t];
            for (int i = 0; i < rounds; i++) {
                long a = api.mapSingle(dev, buf, 4096, FROM, NONE);
                assertFalse(api.mappingError(dev, a));
                api.syncSingleForCpu(dev, a, 4096, FROM);
                api.syncSingleForDevice(dev, a, 4096, FROM);
                api.unmapSingle(dev, a, 4096, FROM, NONE);
            }
        });
        api.assertNoReports();
        assertEquals(0, api.liveEntries());
        assertTrue(api.maxLiveEntries() >= 1 && api.maxLiveEntries() <= threads);
    }

    @Test
    void shouldCaptureNoMapStackWhenAskedNotTo() {
        f.close();
        f = DebugFixture.withOptions(new DmaDebug.Options(false, DmaDebug.DEFAULT_CACHELINE_CAPACITY));
        api = f.debug;
        dev = f.device;
        long a = api.mapSingle(dev, f.buffer(4096), 4096, TO, NONE);
        api.unmapSingle(dev, a, 4096, TO, NONE);
        DmaDebugReport r = only(DmaDebugCategory.MAP_ERROR_NOT_CHECKED);
        assertEquals(0, r.mapStack().length);
        assertEquals("shouldCaptureNoMapStackWhenAskedNotTo", r.reportStack()[0].getMethodName(), "the bad call is still located");
    }
    @Test
    void shouldLocateOnlyTheFirstReportsWhenAskedForFewStacksAndCountThemAll() {
        // Linux's show_num_errors: the first N reports carry the stack of the bad call; later ones
        // are made and counted the same, without it, until the reports are cleared.
        f.close();
        f = DebugFixture.withOptions(new DmaDebug.Options(false, DmaDebug.DEFAULT_CACHELINE_CAPACITY, 1));
        api = f.debug;
        dev = f.device;
        for (int i = 0; i < 3; i++) {
            long a = api.mapSingle(dev, f.buffer(4096), 4096, TO, NONE);
            api.unmapSingle(dev, a, 4096, TO, NONE);
        }
        List<DmaDebugReport> reports = api.reports();
        assertEquals(3, reports.size());
        assertEquals(3, api.errorCount());
        assertEquals("shouldLocateOnlyTheFirstReportsWhenAskedForFewStacksAndCountThemAll", reports.get(0).reportStack()[0].getMethodName());
        assertEquals(0, reports.get(1).reportStack().length, "past the first, no stack");
        assertEquals(0, reports.get(2).reportStack().length);
        assertTrue(reports.get(2).message().contains(dev.name()), reports.get(2).message());
        api.clearReports();
        long a = api.mapSingle(dev, f.buffer(4096), 4096, TO, NONE);
        api.unmapSingle(dev, a, 4096, TO, NONE);
        assertTrue(api.reports().getFirst().reportStack().length > 0, "cleared: the next report is located again");
        assertThrows(IllegalArgumentException.class, () -> new DmaDebug.Options(true, 4, -1));
    }
}
