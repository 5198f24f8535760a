package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.SplittableRandom;
import org.jdma.kernel.iommu.IoPermission;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.testing.Seed;
import org.jdma.kernel.testing.Seeds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.jdma.kernel.testing.FakeIommu;
import org.jdma.kernel.testing.FakeIommuDomain;
/** Linux's iommu_dma_map_sg rules under a (fake) IOMMU: merging (a)-(d), boundary padding, restore on failure. */
class ScatterGatherIommuTest {

    @RegisterExtension
    static final Seeds SEEDS = new Seeds();

    private static final long PAGE = FakeIommuDomain.GRANULE;
    private static final Set<DmaAttr> NONE = Set.of();

    private FakeIommuDomain domain;
    private Rig rig;
    private DmaDevice dev;

    @BeforeEach
    void setUp() {
        domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        rig = Rig.iommu(true, new FakeIommu().put(Rig.rid(4), domain));
        dev = rig.attach("nvme", 4, false);
        dev.maxSegmentSize(1L << 20);
    }

    @AfterEach
    void tearDown() {
        rig.close();
    }

    private void assertTranslates(long dma, long phys, long length) {
        for (long off = 0; off < length; off += Math.min(PAGE, Math.max(1, length - 1 - off))) {
            assertEquals(phys + off, domain.translate(dma + off).orElse(-1), String.format("dma %#x + %#x", dma, off));
        }
        assertEquals(phys + length - 1, domain.translate(dma + length - 1).orElse(-1), "last byte");
    }

    @Test
    void shouldMergePageAlignedSegmentsIntoOneDeviceSegment() {
        long a = rig.high(PAGE);
        long b = rig.high(4 * PAGE);
        long c = rig.high(PAGE);
        ScatterList sg = new ScatterList().add(a, PAGE).add(b + PAGE, PAGE).add(c, PAGE);
        int count = rig.dma.mapSg(dev, sg, 3, DmaDirection.TO_DEVICE, NONE);
        assertEquals(1, count, "three physically scattered pages become one device segment");
        assertEquals(3 * PAGE, sg.get(0).dmaLength());
        assertTranslates(sg.get(0).dmaAddress(), a, PAGE);
        assertTranslates(sg.get(0).dmaAddress() + PAGE, b + PAGE, PAGE);
        assertTranslates(sg.get(0).dmaAddress() + 2 * PAGE, c, PAGE);
        assertEquals(DmaApi.DMA_MAPPING_ERROR, sg.get(1).dmaAddress());
        assertEquals(0, sg.get(2).dmaLength());
        assertEquals(IoPermission.READ, domain.pte(sg.get(0).dmaAddress()).permission());
        rig.dma.unmapSg(dev, sg, 3, DmaDirection.TO_DEVICE, NONE);
        assertEquals(0, domain.liveAllocations());
        assertEquals(0, domain.mappedPages());
        assertEquals(0, rig.dma.liveMappings(dev));
    }

    @Test
    void shouldNotMergeSegmentThatStartsInsideGranule() {
        long a = rig.high(PAGE);
        long b = rig.high(PAGE);
        ScatterList sg = new ScatterList().add(a, PAGE).add(b + 0x100, 512);
        assertEquals(2, rig.dma.mapSg(dev, sg, 2, DmaDirection.FROM_DEVICE, NONE));
        assertEquals(0x100, sg.get(1).dmaAddress() & (PAGE - 1), "offset in the granule kept");
        assertEquals(512, sg.get(1).dmaLength());
        assertTranslates(sg.get(1).dmaAddress(), b + 0x100, 512);
        assertEquals(IoPermission.WRITE, domain.pte(sg.get(1).dmaAddress()).permission());
    }

    @Test
    void shouldEndRunAfterSegmentThatEndsInsideGranule() {
        long a = rig.high(PAGE);
        long b = rig.high(PAGE);
        ScatterList sg = new ScatterList().add(a, 1000).add(b, PAGE);
        assertEquals(2, rig.dma.mapSg(dev, sg, 2, DmaDirection.TO_DEVICE, NONE));
        assertEquals(1000, sg.get(0).dmaLength());
        assertEquals(PAGE, sg.get(1).dmaLength());
        assertEquals(sg.get(0).dmaAddress() + PAGE, sg.get(1).dmaAddress(), "the second starts on the next granule");
    }

    @Test
    void shouldSplitWhereMaxSegmentSizeWouldBeExceeded() {
        dev.maxSegmentSize(2 * PAGE);
        long buf = rig.high(9 * PAGE);
        ScatterList sg = new ScatterList();
        for (int i = 0; i < 5; i++) {
            sg.add(buf + i * 2 * PAGE, PAGE); // not physically contiguous
        }
        int count = rig.dma.mapSg(dev, sg, 5, DmaDirection.BIDIRECTIONAL, NONE);
        assertEquals(3, count);
        assertEquals(2 * PAGE, sg.get(0).dmaLength());
        assertEquals(2 * PAGE, sg.get(1).dmaLength());
        assertEquals(PAGE, sg.get(2).dmaLength());
        assertEquals(DmaApi.DMA_MAPPING_ERROR, sg.get(3).dmaAddress());
    }

    @Test
    void shouldPadSoThatNoSegmentCrossesBoundary() {
        dev.segmentBoundary(0x3FFF); // 16 KiB
        long a = rig.high(4 * PAGE);
        long b = rig.high(2 * PAGE);
        ScatterList sg = new ScatterList().add(a, 3 * PAGE).add(b, 2 * PAGE);
        int count = rig.dma.mapSg(dev, sg, 2, DmaDirection.TO_DEVICE, NONE);
        assertEquals(2, count, "the second segment starts on a boundary, so it is not merged (c)");
        long first = sg.get(0).dmaAddress();
        long second = sg.get(1).dmaAddress();
        assertEquals(0, second & 0x3FFF, "second segment starts on the 16 KiB boundary");
        assertEquals(first >>> 14, (first + 3 * PAGE - 1) >>> 14);
        assertEquals(second >>> 14, (second + 2 * PAGE - 1) >>> 14);
        assertTranslates(second, b, 2 * PAGE);
        assertTrue(domain.translate(first + 3 * PAGE).isEmpty(), "the padding granule is not mapped");
        rig.dma.unmapSg(dev, sg, 2, DmaDirection.TO_DEVICE, NONE);
        assertEquals(0, domain.liveAllocations());
    }

    @Test
    void shouldRestoreListAndReturnZeroWhenIovaSpaceIsExhausted() {
        long a = rig.high(2 * PAGE);
        ScatterList sg = new ScatterList().add(a, PAGE).add(a + PAGE, PAGE);
        domain.exhaust();
        assertEquals(0, rig.dma.mapSg(dev, sg, 2, DmaDirection.TO_DEVICE, NONE));
        for (int i = 0; i < 2; i++) {
            assertEquals(DmaApi.DMA_MAPPING_ERROR, sg.get(i).dmaAddress());
            assertEquals(0, sg.get(i).dmaLength());
        }
        assertEquals(0, domain.liveAllocations());
        assertEquals(0, rig.dma.liveMappings(dev));
    }

    @Test
    void shouldMapUntrustedScatterlistEntryByEntry() {
        FakeIommuDomain d5 = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (Rig r = Rig.iommu(true, new FakeIommu().put(Rig.rid(5), d5))) {
            DmaDevice t = r.attach("thunderbolt", 5, true);
            long a = r.high(2 * PAGE);
            r.write(a + 10, Rig.pattern(100, 1));
            ScatterList sg = new ScatterList().add(a, PAGE).add(a + PAGE, PAGE).add(a + 10, 100);
            assertEquals(3, r.dma.mapSg(t, sg, 3, DmaDirection.TO_DEVICE, NONE), "no merging for untrusted devices");
            long bounced = d5.translate(sg.get(2).dmaAddress()).orElseThrow();
            assertTrue(r.dma.swiotlb().contains(bounced), "the sub-page entry is bounced");
            r.dma.unmapSg(t, sg, 3, DmaDirection.TO_DEVICE, NONE);
            assertEquals(0, d5.liveAllocations());
            assertEquals(0, r.dma.swiotlb().usedSlots());
        }
    }

    @Test
    void shouldKeepEveryByteTranslatedAndEveryRuleOverRandomLists(@Seed(0x5EED_05C6L) long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long[] boundaries = {0xFFFF, 0x3_FFFF, 0xFFFF_FFFFL};
        long[] maxSegs = {2 * PAGE, 16 * PAGE, 64 * 1024, 1 << 20};
        long pool = rig.high(1 << 20);
        for (int round = 0; round < 300; round++) {
            String ctx = "seed " + seed + " round " + round;
            long boundary = boundaries[rnd.nextInt(boundaries.length)];
            long maxSeg = maxSegs[rnd.nextInt(maxSegs.length)];
            dev.segmentBoundary(boundary);
            dev.maxSegmentSize(maxSeg);
            long maxLen = Math.min(maxSeg, boundary + 1 - PAGE);
            int n = 1 + rnd.nextInt(12);
            ScatterList sg = new ScatterList();
            long total = 0;
            for (int i = 0; i < n; i++) {
                boolean aligned = rnd.nextInt(3) > 0;
                long len = aligned && rnd.nextBoolean() ? PAGE * (1 + rnd.nextLong(Math.max(1, maxLen / PAGE))) : 1 + rnd.nextLong(maxLen);
                len = Math.min(len, maxLen);
                long off = aligned ? 0 : rnd.nextLong(PAGE);
                long phys = pool + PAGE * rnd.nextLong((1 << 20) / PAGE - 20) + off;
                if (phys + len > pool + (1 << 20)) {
                    len = pool + (1 << 20) - phys;
                }
                sg.add(phys, len);
                total += len;
            }
            int count = rig.dma.mapSg(dev, sg, n, DmaDirection.BIDIRECTIONAL, NONE);
            assertTrue(count >= 1 && count <= n, ctx + ": count " + count);
            long outTotal = 0;
            for (int k = 0; k < count; k++) {
                long a = sg.get(k).dmaAddress();
                long l = sg.get(k).dmaLength();
                outTotal += l;
                assertTrue(l > 0, ctx);
                assertEquals(a & ~boundary, (a + l - 1) & ~boundary, ctx + ": segment " + k + " crosses the boundary");
            }
            assertEquals(total, outTotal, ctx);
            // Walk the inputs through the outputs: every input byte is where its device segment says.
            int k = 0;
            long used = 0;
            for (int i = 0; i < n; i++) {
                ScatterList.Entry e = sg.get(i);
                if (used == sg.get(k).dmaLength()) {
                    k++;
                    used = 0;
                }
                long devAddr = sg.get(k).dmaAddress() + used;
                assertEquals(e.physical(), domain.translate(devAddr).orElse(-1), ctx + ": entry " + i + " start");
                assertEquals(e.physical() + e.length() - 1, domain.translate(devAddr + e.length() - 1).orElse(-1), ctx + ": entry " + i + " end");
                used += e.length();
                assertTrue(used <= sg.get(k).dmaLength(), ctx);
                assertTrue(sg.get(k).dmaLength() <= maxSeg, ctx + ": segment longer than max");
            }
            assertEquals(count - 1, k, ctx);
            rig.dma.unmapSg(dev, sg, n, DmaDirection.BIDIRECTIONAL, NONE);
            assertEquals(0, domain.liveAllocations(), ctx);
            assertEquals(0, domain.mappedPages(), ctx);
        }
    }
}
