package org.jdma.kernel.dma.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.MappingOptions;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.kernel.dma.pool.DmaPool;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.mm.MemoryInUseException;
import org.jdma.kernel.mm.Zone;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who owns which bytes: memory a live mapping covers cannot be freed, whatever allocator it came
 * from and whichever path mapped it (refused with {@link MemoryInUseException}, and reported as
 * FREE_WHILE_MAPPED with the map site when the checker runs); and the partial-cache-line rule
 * (d) fires only when another live allocation shares the line, on every machine configuration.
 */
class MemoryOwnershipTest {

    private static final Set<DmaAttr> NONE = Set.of();
    private static final DmaDirection FROM = DmaDirection.FROM_DEVICE;
    /** Network-sized and awkward receive pieces, packed back to back in one buffer. */
    private static final int[] ODD_PIECES = {1500, 1000, 600, 1, 63, 65, 4095, 1500, 128, 127, 2048};

    /** The machine configurations every correct driver must pass silently. */
    enum Config {
        COHERENT(CacheConfig.COHERENT, IommuMode.OFF, false),
        NON_COHERENT_64(CacheConfig.nonCoherent(64), IommuMode.OFF, false),
        NON_COHERENT_128(CacheConfig.nonCoherent(128), IommuMode.OFF, false),
        NON_COHERENT_BOUNCED(CacheConfig.nonCoherent(64), IommuMode.OFF, true),
        NON_COHERENT_IOMMU_STRICT(CacheConfig.nonCoherent(64), IommuMode.STRICT, false),
        NON_COHERENT_128_IOMMU_LAZY(CacheConfig.nonCoherent(128), IommuMode.LAZY, false),
        COHERENT_IOMMU_STRICT(CacheConfig.COHERENT, IommuMode.STRICT, false);

        final CacheConfig cache;
        final IommuMode iommu;
        final boolean forceBounce;

        Config(CacheConfig cache, IommuMode iommu, boolean forceBounce) {
            this.cache = cache;
            this.iommu = iommu;
            this.forceBounce = forceBounce;
        }
    }

    enum Path { SINGLE, PAGE, SCATTERLIST }

    private Machine machine;
    private Kernel kernel;
    private DmaDebug debug;
    private DmaApi dma;
    private DmaDevice dev;
    private final List<DmaDebugReport> reports = new ArrayList<>();

    private void boot(Config c, boolean checker) {
        machine = new Machine(TestMachines.small(1).withCache(c.cache));
        MappingOptions mapping = MappingOptions.DEFAULTS.withSwiotlb(1L << 20, 1).withForceBounce(c.forceBounce);
        kernel = Kernel.boot(machine, new Kernel.Options(List.of(), c.iommu, null, mapping, checker));
        dma = kernel.dma();
        debug = kernel.dmaDebug().orElse(null);
        if (debug != null) {
            debug.addListener(reports::add);
        }
        dev = new DmaDevice("nic0", CopyEngine.slot(0), false);
        dma.attach(dev);
    }

    @AfterEach
    void tearDown() {
        if (kernel != null) {
            kernel.close();
            machine.close();
        }
    }

    private DmaBuffer buffer(long size) {
        return kernel.memory().allocate(size, 4096, DmaMemory.LIMIT_4GIB);
    }

    /** Maps [phys, +size) by {@code path}; returns the device address. */
    private long map(Path path, long phys, long size, ScatterList sg) {
        long a = switch (path) {
            case SINGLE -> dma.mapSingle(dev, phys, size, FROM, NONE);
            case PAGE -> dma.mapPage(dev, phys & -4096L, phys & 4095, size, FROM, NONE);
            case SCATTERLIST -> dma.mapSg(dev, sg.add(phys, size / 2).add(phys + size / 2, size - size / 2), 2, FROM, NONE) > 0
                    ? sg.get(0).dmaAddress() : DmaApi.DMA_MAPPING_ERROR;
        };
        assertFalse(dma.mappingError(dev, a), () -> path + " failed");
        return a;
    }

    private void unmap(Path path, long a, long size, ScatterList sg) {
        switch (path) {
            case SINGLE -> dma.unmapSingle(dev, a, size, FROM, NONE);
            case PAGE -> dma.unmapPage(dev, a, size, FROM, NONE);
            case SCATTERLIST -> dma.unmapSg(dev, sg, 2, FROM, NONE);
        }
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> configsAndPaths() {
        return Arrays.stream(Config.values()).flatMap(c -> Arrays.stream(Path.values()).map(p -> org.junit.jupiter.params.provider.Arguments.of(c, p)));
    }

    // ---- bullet 2: no freeing of mapped memory ------------------------------------------------------

    @ParameterizedTest
    @MethodSource("configsAndPaths")
    void shouldRefuseToCloseAMappedBufferAndReportTheMapSite(Config c, Path path) {
        boot(c, true);
        DmaBuffer b = buffer(8192);
        ScatterList sg = new ScatterList();
        long a = map(path, b.physicalAddress() + 64, 4096, sg);
        MemoryInUseException e = assertThrows(MemoryInUseException.class, b::close);
        assertFalse(b.isFreed(), "the buffer stays allocated");
        assertTrue(e.getMessage().contains("nic0") && e.getMessage().contains(String.format("%#x", a))
                && e.getMessage().contains("FROM_DEVICE"), e.getMessage());
        assertTrue(e.mapping().orElseThrow().overlaps(b.physicalAddress() + 64, 4096), e::getMessage);
        assertEquals(List.of(DmaDebugCategory.FREE_WHILE_MAPPED), reports.stream().map(DmaDebugReport::category).toList(), reports::toString);
        DmaDebugReport r = reports.getFirst();
        assertTrue(r.mapping().isPresent(), r::format);
        assertTrue(Arrays.stream(r.mapStack()).anyMatch(f -> f.getMethodName().equals("map")), r::format);
        unmap(path, a, 4096, sg);
        b.close();
        assertTrue(b.isFreed());
        assertEquals(1, reports.size(), reports::toString);
    }

    @ParameterizedTest
    @EnumSource(Config.class)
    void shouldRefuseToFreeMappedFramesWithoutTheChecker(Config c) {
        boot(c, false);
        long frame = kernel.frames().allocate(0, Zone.DMA32);
        long a = dma.mapSingle(dev, frame + 100, 200, DmaDirection.TO_DEVICE, NONE);
        MemoryInUseException e = assertThrows(MemoryInUseException.class, () -> kernel.frames().free(frame, 0));
        assertTrue(e.getMessage().startsWith(String.format("cannot free frames [%#x, +0x1000)", frame)), e.getMessage());
        assertTrue(e.getMessage().contains("TO_DEVICE"), e.getMessage());
        dma.unmapSingle(dev, a, 200, DmaDirection.TO_DEVICE, NONE);
        kernel.frames().free(frame, 0);
        assertEquals(0, kernel.memory().pins().size());
    }

    @ParameterizedTest
    @EnumSource(Config.class)
    void shouldLetABufferGoOnceItsDeviceIsDetached(Config c) {
        boot(c, false);
        DmaBuffer b = buffer(4096);
        long a = dma.mapSingle(dev, b.physicalAddress(), 4096, FROM, NONE);
        assertFalse(dma.mappingError(dev, a));
        assertThrows(MemoryInUseException.class, b::close);
        dma.detach(dev); // the layer releases every mapping of the device, and its pins with them
        b.close();
        assertTrue(b.isFreed());
        assertEquals(0, kernel.memory().pins().size());
    }

    @ParameterizedTest
    @EnumSource(Config.class)
    void shouldRefuseToFreeACoherentAllocationAStreamingMappingStillCovers(Config c) {
        boot(c, true);
        DeviceDmaApi api = new DeviceDmaApi(dma, dev);
        CoherentAllocation ring = api.allocCoherent(4096);
        long a = dma.mapSingle(dev, ring.physical() + 512, 256, FROM, NONE);
        assertFalse(dma.mappingError(dev, a));
        assertThrows(MemoryInUseException.class, ring::close);
        assertFalse(ring.isClosed(), "the allocation stays open");
        assertEquals(DmaDebugCategory.FREE_WHILE_MAPPED, reports.getLast().category());
        int reported = reports.size();
        dma.unmapSingle(dev, a, 256, FROM, NONE);
        ring.close();
        assertTrue(ring.isClosed());
        assertEquals(reported, reports.size(), () -> "the refused free left the checker's entry in place: " + reports);
        assertEquals(0, kernel.memory().pins().size(), "nothing stays pinned");
    }

    @ParameterizedTest
    @EnumSource(Config.class)
    void shouldRefuseToFreeAMappedPoolBlockButFreeUnmappedOnes(Config c) {
        boot(c, true);
        DmaPool pool = DmaPool.create("rx", dma, dev, 256, 256, 0);
        DmaPool.Block mapped = pool.alloc();
        DmaPool.Block other = pool.alloc();
        long a = dma.mapSingle(dev, mapped.physical(), 256, FROM, NONE);
        MemoryInUseException e = assertThrows(MemoryInUseException.class, () -> pool.free(mapped));
        assertTrue(e.getMessage().contains("block of dma pool rx"), e.getMessage());
        assertEquals(2, pool.liveBlocks(), "the block stays allocated");
        pool.free(other); // its neighbour's mapping does not hold it
        dma.unmapSingle(dev, a, 256, FROM, NONE);
        pool.free(mapped);
        pool.destroy();
        assertEquals(0, kernel.memory().pins().size());
    }

    // ---- bullet 3: partial cache lines, precisely ---------------------------------------------------

    @ParameterizedTest
    @EnumSource(Config.class)
    void shouldReportNothingForAScatterGatherReceiveOfOddSizes(Config c) {
        boot(c, true);
        DmaBuffer rx = buffer(64 * 1024);
        ScatterList sg = new ScatterList();
        long at = rx.physicalAddress() + 2; // NET_IP_ALIGN-style start: no piece starts on a line
        for (int len : ODD_PIECES) {
            sg.add(at, len);
            at += len;
        }
        int n = dma.mapSg(dev, sg, ODD_PIECES.length, FROM, NONE);
        assertTrue(n > 0);
        if (!c.forceBounce) { // bounced, the device writes the bounce slots, not rx
            machine.cpu().cache().snoopDeviceWrite(rx.physicalAddress(), at - rx.physicalAddress());
        }
        dma.syncSgForCpu(dev, sg, ODD_PIECES.length, FROM);
        machine.cpu().read32(rx.physicalAddress() + 2);
        dma.syncSgForDevice(dev, sg, ODD_PIECES.length, FROM);
        dma.unmapSg(dev, sg, ODD_PIECES.length, FROM, NONE);
        byte[] out = new byte[(int) (at - rx.physicalAddress())];
        machine.cpu().read(rx.physicalAddress(), out);
        // Each piece alone, one after another, as a driver refilling a ring slot by slot does.
        long start = rx.physicalAddress() + 2;
        for (int len : ODD_PIECES) {
            long a = dma.mapSingle(dev, start, len, FROM, NONE);
            assertFalse(dma.mappingError(dev, a));
            dma.unmapSingle(dev, a, len, FROM, NONE);
            start += len;
        }
        rx.close();
        assertEquals(List.of(), reports, () -> reports.stream().map(DmaDebugReport::format).toList().toString());
    }

    @ParameterizedTest
    @EnumSource(value = Config.class, names = {"NON_COHERENT_64", "NON_COHERENT_128", "NON_COHERENT_IOMMU_STRICT"})
    void shouldReportALineSharedWithAnotherLiveAllocationNamingIt(Config c) {
        boot(c, true);
        DmaPool pool = DmaPool.create("small", dma, dev, 32, 32, 0); // blocks of 32 bytes: two or four per line
        DmaPool.Block mine = pool.alloc();
        DmaPool.Block neighbour = pool.alloc();
        long a = dma.mapSingle(dev, mine.physical(), 32, FROM, NONE);
        assertFalse(dma.mappingError(dev, a));
        // (Linux's check 22 also fires: the pool page's coherent mapping covers the line too.)
        List<DmaDebugReport> partial = reports.stream().filter(r -> r.category() == DmaDebugCategory.PARTIAL_CACHE_LINE).toList();
        assertEquals(1, partial.size(), reports::toString);
        DmaDebugReport r = partial.getFirst();
        assertEquals(mine.physical(), r.lineAddress());
        assertTrue(r.message().contains("dma pool small") && r.message().contains(String.format("%#x", neighbour.physical())), r.message());
        dma.unmapSingle(dev, a, 32, FROM, NONE);

        pool.free(neighbour); // now the rest of the line is free memory: nobody else's
        reports.clear();
        a = dma.mapSingle(dev, mine.physical(), 32, FROM, NONE);
        assertFalse(dma.mappingError(dev, a));
        dma.unmapSingle(dev, a, 32, FROM, NONE);
        assertTrue(reports.stream().noneMatch(x -> x.category() == DmaDebugCategory.PARTIAL_CACHE_LINE), reports::toString);
        pool.free(mine);
        pool.destroy();
    }

    @ParameterizedTest
    @EnumSource(value = Config.class, names = {"NON_COHERENT_64", "NON_COHERENT_128"})
    void shouldNotReportBytesOfTheMappingsOwnAllocationOrFreeMemory(Config c) {
        boot(c, true);
        DmaBuffer b = buffer(4096);
        long a = dma.mapSingle(dev, b.physicalAddress() + 8, 100, FROM, NONE); // the rest of both lines is b's own
        assertFalse(dma.mappingError(dev, a));
        dma.unmapSingle(dev, a, 100, FROM, NONE);
        long free = kernel.frames().allocate(0, Zone.DMA32);
        kernel.frames().free(free, 0);
        // Memory nobody owns: a driver bug of another kind, refused by the layer before the checker sees it.
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> dma.mapSingle(dev, free + 8, 100, FROM, NONE));
        assertTrue(refused.getMessage().contains(String.format("includes frame %#x, which the frame allocator holds free", free)),
                refused.getMessage());
        assertNotNull(kernel.memory().ownerAt(b.physicalAddress() + 4000));
        assertTrue(kernel.memory().ownerAt(b.physicalAddress() + 4000).live());
        assertFalse(kernel.memory().ownerAt(free).live());
        assertEquals(List.of(), reports, reports::toString);
    }
}
