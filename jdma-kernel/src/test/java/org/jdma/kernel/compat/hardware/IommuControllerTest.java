package org.jdma.kernel.compat.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.kernel.testing.Workers;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.vtd.VtdFaultReason;
import org.junit.jupiter.api.Test;

import org.jdma.kernel.testing.BootedMachine;
/** Seed 000's IommuController over the real VT-d driver: checklist rows 40-49 (50 is in the CLI's tests, with the rogue device). */
class IommuControllerTest {

    static IommuController enabled(BootedMachine m) {
        IommuController c = IommuController.probe(m.kernel, BootedMachine.COPY_ENGINE).orElseThrow();
        assertTrue(c.init(), "the unit answers and the kernel translates for the copy engine");
        return c;
    }

    @Test
    void shouldProbeTheUnitThatTheDmarNamesAndEnableOnlyWhenTheKernelTranslates() { // row 41
        try (BootedMachine on = new BootedMachine(IommuMode.STRICT)) {
            IommuController c = IommuController.probe(on.kernel, BootedMachine.COPY_ENGINE).orElseThrow();
            assertEquals(0xFED9_0000L, c.registerBase());
            assertFalse(c.isEnabled(), "not before init()");
            assertTrue(c.init());
            assertTrue(c.isEnabled());
        }
        try (BootedMachine off = new BootedMachine(IommuMode.OFF)) {
            IommuController c = IommuController.probe(off.kernel, BootedMachine.COPY_ENGINE).orElseThrow();
            assertFalse(c.init(), "the unit answers, but translation is off: mapping into it would do nothing");
            assertFalse(c.isEnabled());
            assertThrows(IllegalStateException.class, () -> c.allocIova(4096, 0));
        }
        try (BootedMachine none = new BootedMachine(TestMachines.small(1).withoutDmar(), IommuMode.STRICT)) {
            assertTrue(IommuController.probe(none.kernel, BootedMachine.COPY_ENGINE).isEmpty(), "no DMAR, no VT-d (and no device tree for an SMMU)");
        }
    }

    @Test
    void shouldAlignTheStartNotTheSizeAndStayInTheWindow() { // rows 42, 43
        long seed = 43;
        SplittableRandom rnd = new SplittableRandom(seed);
        try (BootedMachine m = new BootedMachine(IommuMode.STRICT)) {
            IommuController c = enabled(m);
            long a = c.allocIova(100, 64).orElseThrow();
            long b = c.allocIova(100, 4096).orElseThrow();
            assertEquals(0, b % 4096, "seed bug: after a 100-byte/64-aligned allocation the seed returned base+0x80");
            assertTrue(a != b);
            for (int i = 0; i < 500; i++) {
                long size = 1 + rnd.nextLong(1 << 20);
                long align = rnd.nextBoolean() ? 0 : 1L << rnd.nextInt(25);
                long iova = c.allocIova(size, align).orElseThrow();
                long effective = align == 0 ? 4096 : align;
                assertEquals(0, iova % effective, "seed " + seed + ": size " + size + " align " + align + " -> " + Long.toHexString(iova));
                assertTrue(iova >= IommuController.IOVA_BASE && iova + size <= IommuController.IOVA_LIMIT, "seed " + seed + ": " + Long.toHexString(iova));
            }
            assertTrue(c.allocIova(IommuController.IOVA_LIMIT - IommuController.IOVA_BASE + 1, 0).isEmpty(), "larger than the window");
            assertThrows(IllegalArgumentException.class, () -> c.allocIova(4096, 3));
            assertThrows(IllegalArgumentException.class, () -> c.allocIova(0, 0));
        }
    }

    @Test
    void shouldHandOutDisjointRangesToConcurrentThreads() throws InterruptedException { // row 44
        try (BootedMachine m = new BootedMachine(IommuMode.STRICT)) {
            IommuController c = enabled(m);
            ConcurrentLinkedQueue<long[]> got = new ConcurrentLinkedQueue<>();
            Workers.run(8, id -> {
                SplittableRandom rnd = new SplittableRandom(44 + id);
                for (int i = 0; i < 1000; i++) {
                    long size = 1 + rnd.nextLong(64 * 1024);
                    got.add(new long[] {c.allocIova(size, 0).orElseThrow(), size});
                }
            });
            List<long[]> sorted = new ArrayList<>(got);
            sorted.sort((x, y) -> Long.compare(x[0], y[0]));
            assertEquals(8000, sorted.size());
            for (int i = 1; i < sorted.size(); i++) {
                assertTrue(sorted.get(i - 1)[0] + sorted.get(i - 1)[1] <= sorted.get(i)[0],
                        String.format("[%#x, +%d) overlaps %#x", sorted.get(i - 1)[0], sorted.get(i - 1)[1], sorted.get(i)[0]));
            }
        }
    }

    @Test
    void shouldGiveTheWholeWindowBackOnceEverythingIsFreed() { // row 45
        try (BootedMachine m = new BootedMachine(IommuMode.STRICT)) {
            IommuController c = enabled(m);
            List<long[]> live = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                long size = (i + 1) * 12_345L;
                live.add(new long[] {c.allocIova(size, 0).orElseThrow(), size});
            }
            long window = IommuController.IOVA_LIMIT - IommuController.IOVA_BASE;
            assertTrue(c.allocIova(window, 0).isEmpty(), "the window is partly taken");
            for (long[] r : live) {
                c.freeIova(r[0], r[1], 0);
            }
            assertEquals(IommuController.IOVA_BASE, c.allocIova(window, 0).orElseThrow(), "seed 000 never freed an IOVA");
        }
    }

    @Test
    void shouldTranslateEveryByteOfAMappingAndNothingPastIt() { // row 46
        try (BootedMachine m = new BootedMachine(IommuMode.STRICT)) {
            IommuController c = enabled(m);
            DmaBuffer b = m.kernel.memory().allocate(3 * 4096 + 100, 4096);
            long iova = c.mapDmaBuffer(b, 0).orElseThrow();
            for (long off = 0; off < b.length(); off += 97) {
                assertEquals(OptionalLong.of(b.physicalAddress() + off), c.translateIova(iova + off), "offset " + off);
            }
            assertEquals(OptionalLong.of(b.physicalAddress() + b.length() - 1), c.translateIova(iova + b.length() - 1));
            assertTrue(c.translateIova(iova + b.length()).isEmpty(), "one byte past the end");
            assertTrue(c.translateIova(iova - 1).isEmpty());
            assertTrue(c.unmapIova(iova));
            assertTrue(c.translateIova(iova).isEmpty());
            assertFalse(c.unmapIova(iova), "a second unmap finds nothing");
        }
    }

    @Test
    void shouldCapLiveMappingsAt64AndReuseSlotsForever() { // rows 40, 47
        try (BootedMachine m = new BootedMachine(IommuMode.STRICT)) {
            IommuController c = enabled(m);
            DmaBuffer b = m.kernel.memory().allocate(4096, 4096);
            List<Long> iovas = new ArrayList<>();
            for (int i = 0; i < IommuController.MAX_MAPPINGS; i++) {
                iovas.add(c.mapDmaBuffer(b, 0).orElseThrow());
            }
            assertTrue(c.mapDmaBuffer(b, 0).isEmpty(), "the 65th live mapping is refused");
            assertEquals(64, c.mappingCount());
            assertTrue(c.unmapIova(iovas.removeFirst()));
            iovas.add(c.mapDmaBuffer(b, 0).orElseThrow());
            iovas.forEach(c::unmapIova);
            for (int i = 0; i < 1000; i++) {
                long iova = c.mapDmaBuffer(b, 0).orElseThrow(() -> new AssertionError("exhausted"));
                assertTrue(c.unmapIova(iova));
            }
            assertEquals(0, c.mappingCount());
        }
    }

    @Test
    void shouldBlockAndRecordTheDevicesDmaToAnUnmappedIova() { // row 48
        try (BootedMachine m = new BootedMachine(IommuMode.STRICT)) {
            IommuController c = enabled(m);
            CopyEngineDriver driver = m.kernel.copyEngine();
            DmaBuffer src = m.kernel.memory().allocate(4096, 4096);
            DmaBuffer dst = m.kernel.memory().allocate(4096, 4096);
            src.fill(0, 4096, (byte) 0x5A);
            long srcIova = c.mapDmaBuffer(src, 0).orElseThrow();
            long dstIova = c.mapDmaBuffer(dst, 0).orElseThrow();
            assertTrue(driver.executeUnchecked(Descriptor.memmove(srcIova, dstIova, 4096)).isSuccess(), "mapped: the copy works");
            dst.fill(0, 4096, (byte) 0);
            assertTrue(c.unmapIova(dstIova));

            OpResult r = driver.executeUnchecked(Descriptor.memmove(srcIova, dstIova, 4096));
            assertEquals(java.util.Optional.of(CompletionStatus.PAGE_FAULT_NOBOF), r.status(), r.toString());
            assertEquals(0, dst.readLong(0), "no byte reached the unmapped buffer");
            m.machine.clock().runFor(100_000); // the fault event interrupt
            IommuFault f = m.kernel.iommu().faults().stream().filter(x -> x.iovaPage() == dstIova).findFirst().orElseThrow(
                    () -> new AssertionError("no fault record for " + Long.toHexString(dstIova) + ": " + m.kernel.iommu().faults()));
            assertEquals(BootedMachine.COPY_ENGINE, f.device());
            assertFalse(f.read());
            assertEquals(VtdFaultReason.WRITE_NOT_PERMITTED.code(), f.detail().code());
        }
    }

    @Test
    void shouldCreateSixteenRealDomainsInOrder() { // row 49
        try (BootedMachine m = new BootedMachine(IommuMode.STRICT)) {
            IommuController c = enabled(m);
            assertEquals(0, c.domainCount());
            List<Integer> realIds = new ArrayList<>();
            for (int i = 0; i < IommuController.MAX_DOMAINS; i++) {
                IommuController.Domain d = c.createDomain(0x1000_0000L + i * 0x100_0000L, 0x100_0000L, 1).orElseThrow();
                assertEquals(i, d.id());
                realIds.add(d.domain().id());
            }
            assertTrue(c.createDomain(0, 4096, 0).isEmpty(), "the 17th");
            assertEquals(16, c.domainCount());
            assertEquals(0x1000_0000L + 3 * 0x100_0000L, c.domainInfo(3).orElseThrow().base());
            assertTrue(c.domainInfo(16).isEmpty());
            assertTrue(c.domainInfo(-1).isEmpty());
            assertEquals(16, realIds.stream().distinct().count(), "each is a VT-d domain with its own domain id: " + realIds);
        }
    }
}
