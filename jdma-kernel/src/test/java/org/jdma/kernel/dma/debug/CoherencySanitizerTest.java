package org.jdma.kernel.dma.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.platform.Cpu;
import org.jdma.machine.cache.CpuCache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The coherency sanitizer's findings (a) to (e) on a non-coherent machine, each caused by a
 * deliberately wrong driver and absent for the correct one. The CPU side is real (the machine's
 * write-back cache, the real mapping layer's maintenance); device accesses are the bus's snoop
 * calls, which is what a device's DMA produces (data movement is tested in jdma-test and by
 * {@code jdma run coherency}).
 */
class CoherencySanitizerTest {

    private static final Set<DmaAttr> NONE = EnumSet.noneOf(DmaAttr.class);
    private static final Set<DmaAttr> SKIP = EnumSet.of(DmaAttr.SKIP_CPU_SYNC);
    private static final DmaDirection TO = DmaDirection.TO_DEVICE;
    private static final DmaDirection FROM = DmaDirection.FROM_DEVICE;

    private DebugFixture f = DebugFixture.nonCoherent();
    private DmaDebug api = f.debug;
    private Cpu cpu = f.machine.cpu();
    private CpuCache cache = f.cache();

    @AfterEach
    void tearDown() {
        f.close();
    }

    private long map(long phys, long size, DmaDirection dir, Set<DmaAttr> attrs) {
        long dma = api.mapSingle(f.device, phys, size, dir, attrs);
        assertFalse(api.mappingError(f.device, dma));
        return dma;
    }

    private DmaDebugReport only(DmaDebugCategory expected) {
        assertEquals(List.of(expected), f.categories(), () -> "reports: " + f.reports);
        return f.reports.getFirst();
    }

    @Test
    void shouldReportNothingForADriverThatSyncsCorrectly() {
        long buf = f.buffer(8192);
        cpu.fill(buf, 4096, (byte) 0x5A);
        long tx = map(buf, 4096, TO, NONE);           // clean: the device reads what the CPU wrote
        cache.snoopDeviceRead(buf, 4096);
        api.unmapSingle(f.device, tx, 4096, TO, NONE);
        cpu.read32(buf + 4096);                       // the CPU has a (soon stale) copy of the RX buffer
        long rx = map(buf + 4096, 4096, FROM, NONE);
        cache.snoopDeviceWrite(buf + 4096, 4096);
        api.syncSingleForCpu(f.device, rx, 4096, FROM); // invalidate: the stale copy goes
        cpu.read32(buf + 4096);
        cpu.write32(buf + 4096, 7);                     // the CPU owns it again and may write
        api.syncSingleForDevice(f.device, rx, 4096, FROM);
        cache.snoopDeviceWrite(buf + 4096, 4096);
        api.unmapSingle(f.device, rx, 4096, FROM, NONE);
        cpu.read32(buf + 4096);
        api.assertNoReports();
    }

    @Test
    void shouldReportADeviceReadOfALineTheCpuNeverCleaned() {                                   // (a)
        long buf = f.buffer(4096);
        cpu.write32(buf + 128, 0x1234_5678);
        long tx = map(buf, 4096, TO, SKIP); // the driver promised to sync itself, and does not
        cache.snoopDeviceRead(buf, 4096);
        DmaDebugReport r = only(DmaDebugCategory.DEVICE_READ_DIRTY_LINE);
        assertEquals(buf + 128, r.lineAddress());
        assertTrue(r.message().contains("missing call: syncSingleForDevice(DMA_TO_DEVICE)"), r.message());
        assertTrue(r.message().contains("SKIP_CPU_SYNC"), r.message());
        assertEquals(tx, r.mapping().orElseThrow().dmaAddress());
        assertTrue(r.message().contains(String.format("[line=0x%x]", buf + 128)), r.message());
    }

    @Test
    void shouldNotReportADeviceReadAfterTheDriverSyncedForTheDevice() {                         // (a) absent
        long buf = f.buffer(4096);
        cpu.write32(buf + 128, 0x1234_5678);
        long tx = map(buf, 4096, TO, SKIP);
        api.syncSingleForDevice(f.device, tx, 4096, TO);
        cache.snoopDeviceRead(buf, 4096);
        api.assertNoReports();
    }

    @Test
    void shouldReportACpuReadOfAStaleCopyAfterTheDeviceWrote() {                                // (b)
        long buf = f.buffer(4096);
        cpu.read32(buf); // the line is cached now
        long rx = map(buf, 4096, FROM, NONE);
        cache.snoopDeviceWrite(buf, 4096);
        api.unmapSingle(f.device, rx, 4096, FROM, SKIP); // no invalidate after the DMA
        cpu.read32(buf);
        DmaDebugReport r = only(DmaDebugCategory.CPU_READ_STALE_LINE);
        assertEquals(buf, r.lineAddress());
        assertTrue(r.message().contains("missing call: syncSingleForCpu(DMA_FROM_DEVICE)"), r.message());
    }

    @Test
    void shouldReportAStaleReadRatherThanATouchWhileTheDeviceOwnsTheLine() {                    // (b) over (e)
        long buf = f.buffer(4096);
        cpu.read32(buf);
        map(buf, 4096, FROM, NONE);
        cache.snoopDeviceWrite(buf, 64);
        cpu.read32(buf);
        only(DmaDebugCategory.CPU_READ_STALE_LINE);
    }

    @Test
    void shouldReportACopyRefilledSpeculativelyWhileTheDeviceOwnedTheLine() {                   // (b) refill
        long buf = f.buffer(4096);
        long rx = map(buf, 4096, FROM, NONE);
        CoherencySanitizer s = api.sanitizer().orElseThrow();
        // The injector's events, fed directly: a refill during the DMA, then the device's write.
        s.speculativeRefill(buf + 64);
        cache.snoopDeviceWrite(buf, 4096);
        api.syncSingleForCpu(f.device, rx, 4096, FROM); // the correct driver's invalidate removes the copy
        s.cpuRead(buf + 64, false);
        api.assertNoReports();
        // A driver (or layer) that invalidated only before the DMA keeps the refilled copy:
        api.syncSingleForDevice(f.device, rx, 4096, FROM);
        s.speculativeRefill(buf + 64);
        cache.snoopDeviceWrite(buf, 4096);
        api.unmapSingle(f.device, rx, 4096, FROM, SKIP);
        s.cpuRead(buf + 64, true);
        DmaDebugReport r = only(DmaDebugCategory.CPU_READ_STALE_LINE);
        assertTrue(r.message().contains("refilled speculatively while the device owned the line"), r.message());
    }

    @Test
    void shouldReportACpuWriteToALineTheDeviceOwns() {                                          // (c)
        long buf = f.buffer(4096);
        long rx = map(buf, 4096, FROM, NONE);
        cpu.write32(buf + 256, 1);
        DmaDebugReport r = only(DmaDebugCategory.CPU_WRITE_DEVICE_OWNED);
        assertEquals(buf + 256, r.lineAddress());
        assertTrue(r.message().contains("missing call: syncSingleForCpu(DMA_FROM_DEVICE) before the CPU writes"), r.message());
        f.reports.clear();
        api.syncSingleForCpu(f.device, rx, 4096, FROM);
        cpu.write32(buf + 256, 2);
        assertEquals(List.of(), f.categories());
    }

    @Test
    void shouldReportADirtyEvictionOverDataTheDeviceWrote() {                                   // (c) eviction
        // 256 KiB, 8 ways, 64-byte lines: 512 sets, so lines 32 KiB apart share a set.
        long stride = 512 * 64;
        long buf = f.buffer(9 * stride);
        cpu.write32(buf, 0xDEAD); // dirty before the mapping
        long rx = map(buf, 64, FROM, SKIP); // no clean at map: the dirty line stays
        cache.snoopDeviceWrite(buf, 64);
        for (int i = 1; i <= 8; i++) {
            cpu.write32(buf + i * stride, i); // fills the set: the dirty line is evicted over the DMA data
        }
        DmaDebugReport r = only(DmaDebugCategory.CPU_WRITE_DEVICE_OWNED);
        assertEquals(buf, r.lineAddress());
        assertTrue(r.message().startsWith("DMA-API: nic0: a dirty eviction of cache line"), r.message());
        assertTrue(r.message().contains("missing call: syncSingleForDevice(DMA_FROM_DEVICE)"), r.message());
        api.unmapSingle(f.device, rx, 64, FROM, SKIP);
    }

    @Test
    void shouldNotReportPartialLinesWhoseOtherBytesBelongToTheMappingsOwnBuffer() {            // (d) absent
        long buf = f.buffer(4096);
        map(buf + 8, 100, FROM, NONE); // both edge lines are partly covered, but only by bytes of buf itself
        api.assertNoReports();
    }

    @Test
    void shouldReportAMappingTheDeviceWritesThatSharesACacheLineWithAnotherAllocation() {      // (d)
        org.jdma.kernel.dma.pool.DmaPool pool = org.jdma.kernel.dma.pool.DmaPool.create("tiny", api, f.device, 16, 16, 0);
        org.jdma.kernel.dma.pool.DmaPool.Block first = pool.alloc();
        org.jdma.kernel.dma.pool.DmaPool.Block second = pool.alloc();
        f.reports.clear();
        map(second.physical(), 16, FROM, NONE);
        DmaDebugReport r = f.reports.stream().filter(x -> x.category() == DmaDebugCategory.PARTIAL_CACHE_LINE).findFirst().orElseThrow();
        assertEquals(first.physical(), r.lineAddress());
        assertTrue(r.message().contains("[mapping covers 16 of 64 bytes]") && r.message().contains("of dma pool tiny"), r.message());
    }

    @Test
    void shouldNotReportPartialLinesTheDeviceOnlyReadsOrWholeLines() {                          // (d) absent
        long buf = f.buffer(4096);
        map(buf + 8, 100, TO, NONE);
        map(buf + 1024, 256, FROM, NONE);
        ScatterList sg = new ScatterList().add(buf + 2048, 32).add(buf + 2048 + 32, 32); // together one whole line
        api.mapSg(f.device, sg, 2, FROM, NONE);
        api.assertNoReports();
    }

    @Test
    void shouldReportACpuReadOfAStreamingBufferBeforeSyncForCpu() {                             // (e)
        long buf = f.buffer(4096);
        long rx = map(buf, 4096, FROM, NONE);
        cpu.read32(buf + 512); // a miss: not stale, but the device may not have written it yet
        DmaDebugReport r = only(DmaDebugCategory.CPU_TOUCH_DEVICE_OWNED);
        assertEquals(buf + 512, r.lineAddress());
        assertTrue(r.message().contains("missing call: syncSingleForCpu(DMA_FROM_DEVICE) before the CPU reads"), r.message());
        f.reports.clear();
        cpu.read32(buf + 1024); // once per mapping and ownership period
        assertEquals(List.of(), f.categories());
        api.syncSingleForCpu(f.device, rx, 4096, FROM);
        cpu.read32(buf + 512);
        assertEquals(List.of(), f.categories());
    }

    @Test
    void shouldNotReportCpuReadsOfABufferTheDeviceOnlyReads() {                                 // (e) absent
        long buf = f.buffer(4096);
        map(buf, 4096, TO, NONE);
        cpu.read32(buf);
        api.assertNoReports();
    }

    @Test
    void shouldTrackScatterGatherMappingsAndNameTheSgSync() {
        long buf = f.buffer(2 * 4096);
        cpu.write32(buf + 4096, 9);
        ScatterList sg = new ScatterList().add(buf, 4096).add(buf + 4096, 4096);
        api.mapSg(f.device, sg, 2, DmaDirection.BIDIRECTIONAL, SKIP);
        cache.snoopDeviceRead(buf + 4096, 64);
        DmaDebugReport r = only(DmaDebugCategory.DEVICE_READ_DIRTY_LINE);
        assertTrue(r.message().contains("missing call: syncSgForDevice(DMA_BIDIRECTIONAL)"), r.message());
        assertEquals(DmaMappingType.SCATTER_GATHER, r.mapping().orElseThrow().type());
    }

    @Test
    void shouldReportOwnershipViolationsButNoStaleDataOnACoherentMachine() {
        f.close();
        f = DebugFixture.coherent();
        api = f.debug;
        cpu = f.machine.cpu();
        cache = f.cache();
        long buf = f.buffer(4096);
        cpu.write32(buf, 1);
        map(buf, 4096, FROM, SKIP);
        cache.snoopDeviceWrite(buf, 4096);
        cpu.read32(buf + 64);  // (e): a portability bug, harmless on x86
        cpu.write32(buf, 2);   // (c)
        assertEquals(List.of(DmaDebugCategory.CPU_TOUCH_DEVICE_OWNED, DmaDebugCategory.CPU_WRITE_DEVICE_OWNED), f.categories());
    }

    @Test
    void shouldForgetLinesThatNoMappingCoversOnceTheyAreClean() {
        long buf = f.buffer(4096);
        cpu.write32(buf, 1);
        CoherencySanitizer s = api.sanitizer().orElseThrow();
        int before = s.trackedLines();
        long tx = map(buf, 64, TO, NONE);
        api.unmapSingle(f.device, tx, 64, TO, NONE);
        cache.clean(buf, 64);
        assertTrue(s.trackedLines() < before, "a clean, unmapped line is forgotten");
    }
}
