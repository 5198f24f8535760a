package org.jdma.kernel.dma.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.jdma.kernel.dma.CoherentBuffer;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.ScatterList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reports that point at history: a double unmap or free names the first unmap's site; the history is bounded. */
class UnmapHistoryTest {

    private static final Set<DmaAttr> NONE = EnumSet.noneOf(DmaAttr.class);

    private final DebugFixture f = DebugFixture.coherent();

    @AfterEach
    void tearDown() {
        f.close();
    }

    private long mapChecked(long phys, long size) {
        long dma = f.debug.mapSingle(f.device, phys, size, DmaDirection.TO_DEVICE, NONE);
        assertFalse(f.debug.mappingError(f.device, dma));
        return dma;
    }

    private void firstUnmap(long dma) {
        f.debug.unmapSingle(f.device, dma, 256, DmaDirection.TO_DEVICE, NONE);
    }

    private static String topMethod(StackTraceElement[] stack) {
        return stack.length == 0 ? "(none)" : stack[0].getMethodName();
    }

    @Test
    void shouldNameTheFirstUnmapOnADoubleUnmap() {
        long dma = mapChecked(f.buffer(4096), 256);
        firstUnmap(dma);
        f.debug.unmapSingle(f.device, dma, 256, DmaDirection.TO_DEVICE, NONE);
        assertEquals(1, f.reports.size(), f.reports::toString);
        DmaDebugReport r = f.reports.getFirst();
        assertEquals(DmaDebugCategory.FREE_NOT_ALLOCATED, r.category());
        assertEquals("firstUnmap", topMethod(r.unmapStack()), r.format());
        assertEquals("mapChecked", topMethod(r.mapStack()), r.format());
        assertEquals("shouldNameTheFirstUnmapOnADoubleUnmap", topMethod(r.reportStack()), r.format());
        assertTrue(r.message().contains("already unmapped") && r.format().contains("unmapped at:"), r.format());
    }

    @Test
    void shouldNameTheFirstFreeOnADoubleCoherentFree() {
        CoherentBuffer b = f.debug.allocCoherent(f.device, 4096);
        f.debug.freeCoherent(f.device, 4096, b.physical(), b.dmaAddress());
        f.debug.freeCoherent(f.device, 4096, b.physical(), b.dmaAddress());
        DmaDebugReport r = f.reports.getFirst();
        assertEquals(DmaDebugCategory.FREE_NOT_ALLOCATED, r.category());
        assertTrue(r.message().contains("already freed"), r.message());
        assertEquals("shouldNameTheFirstFreeOnADoubleCoherentFree", topMethod(r.unmapStack()), r.format());
    }

    @Test
    void shouldNameTheFirstUnmapOnADoubleSgUnmap() {
        long buf = f.buffer(8192);
        ScatterList sg = new ScatterList().add(buf, 4096).add(buf + 4096, 4096);
        f.debug.mapSg(f.device, sg, 2, DmaDirection.FROM_DEVICE, NONE);
        f.debug.unmapSg(f.device, sg, 2, DmaDirection.FROM_DEVICE, NONE);
        f.debug.unmapSg(f.device, sg, 2, DmaDirection.FROM_DEVICE, NONE);
        DmaDebugReport r = f.reports.getFirst();
        assertEquals(DmaDebugCategory.FREE_NOT_ALLOCATED, r.category());
        assertTrue(r.unmapStack().length > 0, r.format());
    }

    @Test
    void shouldNameNoUnmapForAnAddressNeverMapped() {
        f.debug.unmapSingle(f.device, 0x1234_0000L, 64, DmaDirection.TO_DEVICE, NONE);
        DmaDebugReport r = f.reports.getFirst();
        assertEquals(DmaDebugCategory.FREE_NOT_ALLOCATED, r.category());
        assertEquals(0, r.unmapStack().length);
        assertFalse(r.message().contains("already"), r.message());
    }

    @Test
    void shouldForgetUnmapsBeyondTheBound() {
        long phys = f.buffer(4096);
        long first = mapChecked(phys, 256);
        firstUnmap(first);
        // Direct DMA: every mapping of the same buffer has the same address, so use another buffer for the rest.
        long other = f.buffer(4096);
        for (int i = 0; i < UnmapHistory.PER_DEVICE; i++) {
            long d = mapChecked(other + (i % 16) * 256, 256);
            firstUnmap(d);
        }
        f.debug.unmapSingle(f.device, first, 256, DmaDirection.TO_DEVICE, NONE);
        DmaDebugReport r = f.reports.getFirst();
        assertEquals(DmaDebugCategory.FREE_NOT_ALLOCATED, r.category());
        assertEquals(0, r.unmapStack().length, "pushed out of the bounded history: " + r.format());
    }

    @Test
    void shouldCaptureNoUnmapStackWhenStacksAreOff() {
        try (DebugFixture g = DebugFixture.withOptions(new DmaDebug.Options(false, DmaDebug.DEFAULT_CACHELINE_CAPACITY))) {
            long dma = g.debug.mapSingle(g.device, g.buffer(4096), 64, DmaDirection.TO_DEVICE, NONE);
            g.debug.mappingError(g.device, dma);
            g.debug.unmapSingle(g.device, dma, 64, DmaDirection.TO_DEVICE, NONE);
            g.debug.unmapSingle(g.device, dma, 64, DmaDirection.TO_DEVICE, NONE);
            DmaDebugReport r = g.reports.getFirst();
            assertEquals(DmaDebugCategory.FREE_NOT_ALLOCATED, r.category());
            assertEquals(0, r.unmapStack().length);
        }
    }
}
