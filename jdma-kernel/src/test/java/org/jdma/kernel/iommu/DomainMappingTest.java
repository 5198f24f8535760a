package org.jdma.kernel.iommu;

import org.jdma.machine.dev.memcpy.CopyEngine;
import static org.junit.jupiter.api.Assertions.*;

import java.util.OptionalLong;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.iommu.iova.CachedIovaAllocator;
import org.jdma.kernel.iommu.iova.IovaAllocator;
import org.jdma.kernel.iommu.iova.TreeIovaAllocator;
import org.jdma.kernel.iommu.vtd.VtdDomain;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mapping through a VT-d DMA domain with the one alloc-map-roll-back sequence ({@link IovaMapper}),
 * and the domain's own rules: double unmaps, overlaps and the MSI window.
 */
class DomainMappingTest {

    private static final RequesterId ENGINE = CopyEngine.slot(0);

    private Machine machine;
    private Kernel kernel;
    private VtdDomain domain;

    @BeforeEach
    void boot() {
        machine = new Machine(TestMachines.small(1));
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT));
        domain = (VtdDomain) kernel.iommu().createDomain(ENGINE, IommuDomain.Type.DMA_STRICT);
    }

    @AfterEach
    void close() {
        kernel.close();
        machine.close();
    }

    @Test
    void shouldMapTheWholeBufferAndUnmapItOnce() {
        try (DmaBuffer b = kernel.memory().allocate(3 * 4096 + 100, 4096)) {
            long iova = IovaMapper.map(domain, b.physicalAddress(), 4 * 4096, 4 * 4096, 0xFFFF_FFFFL, IoPermission.READ_WRITE).orElseThrow();
            assertTrue(iova + 4 * 4096 - 1 <= 0xFFFF_FFFFL);
            assertNotEquals(b.physicalAddress(), iova);
            for (long off = 0; off < 4 * 4096; off += 4096) {
                assertEquals(OptionalLong.of(b.physicalAddress() + off), domain.translate(iova + off));
            }
            domain.unmapAndFree(iova, 4 * 4096);
            assertThrows(IllegalArgumentException.class, () -> domain.unmapAndFree(iova, 4 * 4096), "once");
            assertEquals(OptionalLong.empty(), domain.translate(iova));
        }
    }

    @Test
    void shouldHonourAnAlignmentAboveOnePageByAllocatingThatMuch() {
        try (DmaBuffer b = kernel.memory().allocate(4096, 4096)) {
            for (int i = 0; i < 5; i++) {
                long iova = IovaMapper.map(domain, b.physicalAddress(), 4096, 1 << 16, -1L, IoPermission.READ).orElseThrow();
                assertEquals(0, iova % (1 << 16), Long.toHexString(iova));
            }
        }
    }

    @Test
    void shouldReturnNothingWhenTheLimitLeavesNoSpace() {
        try (DmaBuffer b = kernel.memory().allocate(8192, 4096)) {
            assertTrue(IovaMapper.map(domain, b.physicalAddress(), 8192, 8192, 0x3FFF, IoPermission.READ).isPresent());
            assertTrue(IovaMapper.map(domain, b.physicalAddress(), 8192, 8192, 0x3FFF, IoPermission.READ).isEmpty());
        }
    }

    @Test
    void shouldRefuseToMapInADomainThatDoesNotTranslate() {
        VtdDomain blocked = (VtdDomain) kernel.iommu().createDomain(ENGINE, IommuDomain.Type.BLOCKED);
        assertThrows(IllegalStateException.class, () -> IovaMapper.map(blocked, 0x1000, 4096, 4096, -1L, IoPermission.READ));
        assertThrows(IllegalStateException.class, () -> blocked.map(0x1000, 0x1000, 4096, IoPermission.READ));
    }

    @Test
    void shouldRejectADoubleUnmapNamingTheIovaInBothModes() {
        long iova = domain.allocIova(4096, 0xFFFF_FFFFL).orElseThrow();
        domain.map(iova, 0x20_0000, 4096, IoPermission.READ);
        domain.unmapAndFree(iova, 4096);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> domain.unmapAndFree(iova, 4096));
        assertTrue(e.getMessage().contains(Long.toHexString(iova)), e.getMessage());

        VtdDomain lazy = (VtdDomain) kernel.iommu().createDomain(ENGINE, IommuDomain.Type.DMA_LAZY);
        long l = lazy.allocIova(4096, 0xFFFF_FFFFL).orElseThrow();
        lazy.map(l, 0x20_0000, 4096, IoPermission.READ);
        lazy.unmapAndFree(l, 4096);
        IllegalArgumentException le = assertThrows(IllegalArgumentException.class, () -> lazy.unmapAndFree(l, 4096));
        assertTrue(le.getMessage().contains("double unmap"), le.getMessage());
        lazy.flush();
        assertThrows(IllegalArgumentException.class, () -> lazy.unmapAndFree(l, 4096));
    }

    @Test
    void shouldRejectOverlappingMapsNamingTheIova() {
        long iova = domain.allocIova(8192, 0xFFFF_FFFFL).orElseThrow();
        domain.map(iova, 0x20_0000, 8192, IoPermission.READ);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> domain.map(iova + 4096, 0x30_0000, 4096, IoPermission.READ));
        assertTrue(e.getMessage().contains(Long.toHexString(iova + 4096)), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> domain.map(1L << 39, 0x30_0000, 4096, IoPermission.READ));
    }

    @Test
    void shouldNeverHandOutTheMsiWindow() {
        for (int i = 0; i < 64; i++) {
            long iova = domain.allocIova(1L << 20, 0xFFFF_FFFFL).orElseThrow();
            assertTrue(iova + (1L << 20) <= VtdDomain.MSI_WINDOW_BASE || iova > VtdDomain.MSI_WINDOW_LAST,
                    "IOVA " + Long.toHexString(iova) + " overlaps the MSI window");
        }
    }

    /**
     * Without verified frees the cached allocator cannot say cheaply whether a range is live (it
     * would scan every magazine), so an unmap asks it only when the tables do not map the first
     * page: the unmap of a live mapping asks nothing, and a double unmap is still refused, in both
     * modes, naming the IOVA.
     */
    @Test
    void shouldAskAnAllocatorThatCannotAnswerCheaplyOnlyWhenTheTablesDoNotMapThePage() {
        for (IommuDomain.Type type : new IommuDomain.Type[] {IommuDomain.Type.DMA_STRICT, IommuDomain.Type.DMA_LAZY}) {
            CountingAllocator counting = new CountingAllocator(new CachedIovaAllocator(new TreeIovaAllocator(), 1, false));
            try (Machine m = new Machine(TestMachines.small(1));
                 Kernel k = Kernel.boot(m, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT).withIovaAllocators(() -> counting))) {
                VtdDomain d = (VtdDomain) k.iommu().createDomain(ENGINE, type);
                for (int i = 0; i < 3; i++) {
                    long iova = d.allocIova(4096, 0xFFFF_FFFFL).orElseThrow();
                    d.map(iova, 0x20_0000, 4096, IoPermission.READ);
                    d.unmapAndFree(iova, 4096);
                    assertEquals(0, counting.asked, type + ": a live mapping's unmap asked the allocator");
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.unmapAndFree(iova, 4096));
                    assertTrue(e.getMessage().contains(Long.toHexString(iova)), e.getMessage());
                    assertEquals(OptionalLong.empty(), d.translate(iova));
                    counting.asked = 0;
                }
            }
        }
    }

    /** A non-verifying cached allocator that counts the isAllocated questions it is asked. */
    private static final class CountingAllocator implements IovaAllocator {
        private final IovaAllocator inner;
        int asked;

        CountingAllocator(IovaAllocator inner) {
            this.inner = inner;
        }

        @Override public long granule() { return inner.granule(); }
        @Override public long allocate(long pages, long limitPfn) { return inner.allocate(pages, limitPfn); }
        @Override public long allocate(long pages, long limitPfn, boolean mayFlush) { return inner.allocate(pages, limitPfn, mayFlush); }
        @Override public void free(long pfn, long pages) { inner.free(pfn, pages); }
        @Override public void reserve(long loPfn, long hiPfn) { inner.reserve(loPfn, hiPfn); }
        @Override public boolean answersIsAllocatedCheaply() { return inner.answersIsAllocatedCheaply(); }

        @Override
        public boolean isAllocated(long pfn) {
            asked++;
            return inner.isAllocated(pfn);
        }
    }
}
