package org.jdma.kernel.iommu;

import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.kernel.iommu.vtd.VtdIommuDriver;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.drivers.memcpy.CopyRingLayout;
import org.jdma.kernel.iommu.vtd.VtdDomain;
import org.jdma.kernel.iommu.vtd.VtdUnitDriver;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.machine.firmware.acpi.DmarDescription;
import org.jdma.machine.firmware.acpi.DmarDescription.RemappingUnit;
import org.jdma.machine.firmware.acpi.DmarDescription.ReservedMemoryRegion;
import org.jdma.machine.firmware.acpi.ScopeDescription;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.spec.vtd.VtdCapabilityLayout;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** RMRRs, lazy invalidation, identity and blocked domains, 4-level tables, on the emulated unit. */
class IommuDomainsTest {

    private static final RequesterId ENGINE = CopyEngine.slot(0);
    private static final long PAGE = 4096;
    private static final long RMRR_BASE = 0x10_0000;
    private static final long RMRR_LIMIT = 0x10_FFFF;
    /** Long enough for a fault-event MSI to reach its handler (interrupt latency is 1 µs). */
    private static final long FAULT_DELIVERY_NS = 10_000;

    private Machine machine;
    private Kernel kernel;

    private Kernel boot(MachineConfig config, IommuMode mode) {
        machine = new Machine(config);
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(mode));
        return kernel;
    }

    @AfterEach
    void tearDown() {
        if (kernel != null) {
            kernel.close();
        }
        if (machine != null) {
            machine.close();
        }
    }

    /** DMA of 8 bytes from device address {@code from} into a fresh mapped scratch page; returns status and value. */
    private record Probe(OpResult result, long value) { }

    private Probe readThroughDevice(VtdDomain domain, long from, DmaBuffer scratch, long scratchIova) {
        scratch.writeLong(0, 0);
        OpResult r = kernel.copyEngine().executeUnchecked(Descriptor.memmove(from, scratchIova, 8));
        machine.clock().runFor(FAULT_DELIVERY_NS);
        return new Probe(r, scratch.readLong(0));
    }

    private static MachineConfig withRmrr(MachineConfig c) {
        return c.withDmar(DmarDescription.of("RMRRTEST", MachineConfig.HOST_ADDRESS_WIDTH, DmarLayout.FLAG_DMA_CTRL_PLATFORM_OPT_IN,
                List.of(RemappingUnit.includeAll(0, MachineConfig.VTD_REGISTER_BASE),
                        new ReservedMemoryRegion(0, RMRR_BASE, RMRR_LIMIT, List.of(ScopeDescription.device(ENGINE))))));
    }

    @Test
    void shouldIdentityMapRmrrsBeforeEnablingTranslation() {
        Kernel k = boot(withRmrr(TestMachines.small(1)), IommuMode.STRICT);
        List<String> log = k.iommu().bootLog();
        int rmrr = indexOf(log, "RMRR [0x100000-0x10ffff] identity-mapped");
        int te = indexOf(log, "translation enabled");
        assertTrue(rmrr >= 0 && te > rmrr, "RMRR mapped before TE: " + log);

        VtdDomain domain = VtdDomain.of(k.iommu(), ENGINE).orElseThrow();
        for (long a = RMRR_BASE; a <= RMRR_LIMIT; a += PAGE) {
            assertEquals(OptionalLong.of(a), domain.translate(a));
            assertTrue(domain.iovaAllocator().isAllocated(a / PAGE), "RMRR page reserved in the IOVA space: " + Long.toHexString(a));
        }
        // The device really reaches the firmware's region at its physical address.
        k.cpu().write64(RMRR_BASE + 0x2008, 0x0123_4567_89AB_CDEFL);
        try (DmaBuffer scratch = k.memory().allocate(PAGE, PAGE)) {
            long sIova = domain.allocIova(PAGE, 0xFFFF_FFFFL).orElseThrow();
            domain.map(sIova, scratch.physicalAddress(), PAGE, IoPermission.READ_WRITE);
            Probe p = readThroughDevice(domain, RMRR_BASE + 0x2008, scratch, sIova);
            assertTrue(p.result().isSuccess(), p.result().toString());
            assertEquals(0x0123_4567_89AB_CDEFL, p.value());
        }
    }

    private static int indexOf(List<String> log, String needle) {
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).contains(needle)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void shouldKeepAStaleTranslationUntilTheLazyFlushAndMeasureTheWindow() {
        Kernel k = boot(TestMachines.small(1), IommuMode.LAZY);
        VtdDomain domain = VtdDomain.of(k.iommu(), ENGINE).orElseThrow();
        assertEquals(IommuDomain.Type.DMA_LAZY, domain.type());
        try (DmaBuffer scratch = k.memory().allocate(PAGE, PAGE); DmaBuffer target = k.memory().allocate(PAGE, PAGE)) {
            long sIova = domain.allocIova(PAGE, 0xFFFF_FFFFL).orElseThrow();
            domain.map(sIova, scratch.physicalAddress(), PAGE, IoPermission.READ_WRITE);
            target.writeLong(0, 0xFEED_FACEL);
            domain.flush(); // start from an empty queue so the timer below is this unmap's
            long iova = domain.allocIova(PAGE, 0xFFFF_FFFFL).orElseThrow();
            domain.map(iova, target.physicalAddress(), PAGE, IoPermission.READ);
            assertEquals(0xFEED_FACEL, readThroughDevice(domain, iova, scratch, sIova).value(), "IOTLB now holds the translation");

            long unmappedAt = machine.clock().now();
            domain.unmapAndFree(iova, PAGE);
            assertEquals(OptionalLong.empty(), domain.translate(iova), "the kernel's tables no longer map it");
            assertTrue(domain.iovaAllocator().isAllocated(iova / PAGE), "the IOVA is not free before the flush");
            // No IOVA handed out meanwhile is the queued one.
            List<Long> handed = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                long v = domain.allocIova(PAGE, 0xFFFF_FFFFL).orElseThrow();
                assertNotEquals(iova, v, "an IOVA waiting for its flush was handed out again");
                handed.add(v);
            }
            Probe stale = readThroughDevice(domain, iova, scratch, sIova);
            assertTrue(stale.result().isSuccess(), "lazy mode: the stale IOTLB entry still translates: " + stale.result());
            assertEquals(0xFEED_FACEL, stale.value());
            assertEquals(0, domain.flushQueue().stats().timeoutFlushes(), "the timer has not fired yet");

            // The 10 ms timer fires by itself while the machine runs.
            machine.clock().runFor(unmappedAt + FlushQueue.DEFAULT_TIMEOUT_NS - machine.clock().now() - 1);
            assertEquals(0, domain.flushQueue().stats().timeoutFlushes(), "not before 10 ms");
            machine.clock().runFor(FAULT_DELIVERY_NS);
            FlushQueue.Stats s = domain.flushQueue().stats();
            assertEquals(1, s.timeoutFlushes(), s.toString());
            assertEquals(0, domain.flushQueue().pending());
            assertTrue(s.staleMaxNs() >= FlushQueue.DEFAULT_TIMEOUT_NS && s.staleMaxNs() < FlushQueue.DEFAULT_TIMEOUT_NS + FAULT_DELIVERY_NS,
                    "window " + s.staleMaxNs());
            Probe after = readThroughDevice(domain, iova, scratch, sIova);
            assertEquals(Optional.of(CompletionStatus.PAGE_FAULT_NOBOF), after.result().status(), "after the flush the IOVA faults");
            assertEquals(0, k.iommu().runTimers(), "nothing left for the fallback check");
            assertFalse(handed.contains(iova));
        }
    }

    @Test
    void shouldRunTheCopyEngineInLazyModeAndReportTheStaleWindow() {
        Kernel k = boot(TestMachines.small(1), IommuMode.LAZY);
        try (DmaBuffer src = k.memory().allocate(4096, 64); DmaBuffer dst = k.memory().allocate(4096, 64)) {
            for (int i = 0; i < 300; i++) {
                src.writeLong(0, i);
                assertTrue(k.copyEngine().copy(src, dst, 4096).isSuccess());
                assertEquals(i, dst.readLong(0));
            }
        }
        FlushQueue.Stats s = k.iommu().lazyStats();
        assertEquals(600, s.queued(), "two unmaps per copy");
        assertTrue(s.fullFlushes() >= 2, s.toString());
        assertTrue(s.freed() >= 512 && s.staleMaxNs() > 0 && s.staleMeanNs() > 0, s.toString());
        assertTrue(k.iommu().faults().isEmpty());
    }

    @Test
    void shouldMoveADeviceToAnotherDomainAndCutItOffFromTheOld() {
        Kernel k = boot(TestMachines.small(1), IommuMode.STRICT);
        VtdDomain first = VtdDomain.of(k.iommu(), ENGINE).orElseThrow();
        try (DmaBuffer scratch = k.memory().allocate(PAGE, PAGE); DmaBuffer target = k.memory().allocate(PAGE, PAGE)) {
            target.writeLong(0, 31337);
            // The same IOVA layout in both domains: scratch and target at fixed IOVAs.
            long sIova = 0x10_0000;
            long tIova = 0x20_0000;
            first.map(sIova, scratch.physicalAddress(), PAGE, IoPermission.READ_WRITE);
            first.map(tIova, target.physicalAddress(), PAGE, IoPermission.READ);
            assertEquals(31337, readThroughDevice(first, tIova, scratch, sIova).value());

            VtdDomain second = (VtdDomain) k.iommu().createDomain(ENGINE, IommuDomain.Type.DMA_STRICT);
            assertNotEquals(first.id(), second.id());
            second.map(sIova, scratch.physicalAddress(), PAGE, IoPermission.READ_WRITE);
            // The engine's ring lives in the first domain; map it at the same IOVA in the second.
            long ring = k.copyEngine().ring().ringDeviceBase();
            long ringBytes = (CopyRingLayout.bytes(k.copyEngine().ring().capacity()) + PAGE - 1) & -PAGE;
            second.map(ring, k.copyEngine().ring().ringBase(), ringBytes, IoPermission.READ_WRITE);
            assertEquals(Optional.of(first), k.iommu().attach(ENGINE, second).map(d -> d));
            assertEquals(second.id(), VtdContextEntryLayout.domainId(second.unit().contextEntry(ENGINE)[1]));
            Probe p = readThroughDevice(second, tIova, scratch, sIova);
            assertEquals(Optional.of(CompletionStatus.PAGE_FAULT_NOBOF), p.result().status(),
                    "the old domain's translation is gone (context cache and IOTLB invalidated)");
        }
    }

    @Test
    void shouldForceALazyFlushWhenTheQueueIsFull() {
        Kernel k = boot(TestMachines.small(1), IommuMode.LAZY);
        VtdDomain domain = VtdDomain.of(k.iommu(), ENGINE).orElseThrow();
        try (DmaBuffer target = k.memory().allocate(PAGE, PAGE)) {
            long flushesBefore = domain.flushQueue().stats().flushes();
            for (int i = 0; i <= FlushQueue.DEFAULT_SIZE; i++) {
                long iova = domain.allocIova(PAGE, 0xFFFF_FFFFL).orElseThrow();
                domain.map(iova, target.physicalAddress(), PAGE, IoPermission.READ);
                domain.unmapAndFree(iova, PAGE);
            }
            FlushQueue.Stats s = domain.flushQueue().stats();
            assertEquals(1, s.fullFlushes(), s.toString());
            assertTrue(s.flushes() > flushesBefore);
            assertEquals(1, domain.flushQueue().pending());
        }
    }

    @Test
    void shouldPassThroughInIdentityModeWhenTheUnitOffersIt() {
        Kernel k = boot(TestMachines.small(1), IommuMode.IDENTITY);
        VtdDomain domain = VtdDomain.of(k.iommu(), ENGINE).orElseThrow();
        assertTrue(domain.passThrough());
        long[] ctx = domain.unit().contextEntry(ENGINE);
        assertEquals(VtdContextEntryLayout.TT_PASS_THROUGH, VtdContextEntryLayout.tt(ctx[0]));
        try (DmaBuffer src = k.memory().allocate(256, 64); DmaBuffer dst = k.memory().allocate(256, 64)) {
            src.writeLong(0, 42);
            assertTrue(k.copyEngine().copy(src, dst, 256).isSuccess());
            assertEquals(42, dst.readLong(0));
        }
        assertEquals(k.copyEngine().ring().ringBase(), k.copyEngine().ring().ringDeviceBase());
    }

    @Test
    void shouldBuildOneToOneTablesForIdentityWithoutPassThrough() {
        MachineConfig c = TestMachines.small(1);
        Kernel k = boot(c.withVtd(c.vtd().withPassThrough(false)), IommuMode.IDENTITY);
        VtdDomain domain = VtdDomain.of(k.iommu(), ENGINE).orElseThrow();
        assertFalse(domain.passThrough());
        long[] ctx = domain.unit().contextEntry(ENGINE);
        assertEquals(VtdContextEntryLayout.TT_MULTI_LEVEL, VtdContextEntryLayout.tt(ctx[0]));
        assertEquals(OptionalLong.of(TestMachines.HIGH_BASE + 12345), domain.translate(TestMachines.HIGH_BASE + 12345));
        assertEquals(OptionalLong.empty(), domain.translate(0xF000_0000L), "the PCI hole is not RAM");
        try (DmaBuffer src = k.memory().allocate(256, 64); DmaBuffer dst = k.memory().allocate(256, 64)) {
            src.writeLong(8, 4242);
            assertTrue(k.copyEngine().copy(src, dst, 256).isSuccess());
            assertEquals(4242, dst.readLong(8));
        }
        // 64 MiB of RAM per region: 2 MiB leaves (superpages), a handful of table pages.
        assertTrue(domain.pageTable().tablePages() < 10, "superpages used: " + domain.pageTable().tablePages());
    }

    @Test
    void shouldBlockEveryDmaOfADeviceInTheBlockedDomain() {
        Kernel k = boot(TestMachines.small(1), IommuMode.STRICT);
        List<IommuFault> faults = new ArrayList<>();
        k.iommu().addFaultListener(faults::add);
        VtdDomain blocked = (VtdDomain) k.iommu().createDomain(ENGINE, IommuDomain.Type.BLOCKED);
        k.iommu().attach(ENGINE, blocked);
        long[] ctx = blocked.unit().contextEntry(ENGINE);
        assertEquals(0, ctx[0] & VtdContextEntryLayout.LO_P);
        try (DmaBuffer src = k.memory().allocate(64, 64); DmaBuffer dst = k.memory().allocate(64, 64)) {
            k.copyEngine().copy(src, dst, 64); // its ring fetch is blocked: the engine halts or times out
            // The unfinished descriptor still holds the buffers' mappings; a reset drops it and the driver unmaps them.
            k.copyEngine().resetAndEnable();
        }
        machine.clock().runUntilIdle();
        assertFalse(faults.isEmpty());
        assertEquals(ENGINE, faults.getFirst().device());
        assertEquals(IommuFault.Kind.BLOCKED, faults.getFirst().kind(), "a detached device is blocked");
        assertEquals(new IommuFault.Detail("VT-d", VtdFaultReason.CONTEXT_ENTRY_NOT_PRESENT.code(), "CONTEXT_ENTRY_NOT_PRESENT"),
                faults.getFirst().detail());
    }

    @Test
    void shouldUseFourLevelTablesOnAFortyEightBitUnit() {
        MachineConfig c = TestMachines.small(1);
        Kernel k = boot(c.withVtd(c.vtd().withAddressWidth(48, VtdCapabilityLayout.SAGAW_39_BIT | VtdCapabilityLayout.SAGAW_48_BIT)),
                IommuMode.STRICT);
        VtdUnitDriver unit = VtdIommuDriver.of(k.iommu()).units().getFirst();
        assertEquals(VtdContextEntryLayout.AW_48_BIT, unit.contextAw());
        VtdDomain domain = VtdDomain.of(k.iommu(), ENGINE).orElseThrow();
        assertEquals(4, domain.pageTable().levels());
        try (DmaBuffer scratch = k.memory().allocate(PAGE, PAGE); DmaBuffer target = k.memory().allocate(PAGE, PAGE)) {
            long sIova = domain.allocIova(PAGE, 0xFFFF_FFFFL).orElseThrow();
            domain.map(sIova, scratch.physicalAddress(), PAGE, IoPermission.READ_WRITE);
            long high = 0x7000_0000_0000L;
            domain.map(high, target.physicalAddress(), PAGE, IoPermission.READ);
            target.writeLong(16, 77);
            Probe p = readThroughDevice(domain, high + 16, scratch, sIova);
            assertTrue(p.result().isSuccess(), p.result().toString());
            assertEquals(77, p.value());
        }
    }

    @Test
    void shouldTranslateThroughATwoMegabyteSuperpageAndFaultAfterItsUnmap() {
        Kernel k = boot(TestMachines.small(1), IommuMode.STRICT);
        VtdDomain domain = VtdDomain.of(k.iommu(), ENGINE).orElseThrow();
        long twoMiB = 2L << 20;
        try (DmaBuffer scratch = k.memory().allocate(PAGE, PAGE); DmaBuffer big = k.memory().allocate(twoMiB, twoMiB)) {
            long sIova = domain.allocIova(PAGE, 0xFFFF_FFFFL).orElseThrow();
            domain.map(sIova, scratch.physicalAddress(), PAGE, IoPermission.READ_WRITE);
            long iova = domain.allocIova(twoMiB, 0xFFFF_FFFFL).orElseThrow();
            assertEquals(0, iova % twoMiB, "power-of-two IOVAs are size-aligned");
            domain.map(iova, big.physicalAddress(), twoMiB, IoPermission.READ);
            assertEquals(twoMiB, domain.pageTable().lookup(iova).pageSize(), "one 2 MiB leaf");
            for (long off : new long[] {0, 0x1238, 0x10_0000, twoMiB - 8}) {
                big.writeLong(off, 0xB16_0000L + off);
                Probe p = readThroughDevice(domain, iova + off, scratch, sIova);
                assertTrue(p.result().isSuccess(), p.result().toString());
                assertEquals(0xB16_0000L + off, p.value());
            }
            domain.unmapAndFree(iova, twoMiB);
            Probe after = readThroughDevice(domain, iova + 0x10_0000, scratch, sIova);
            assertEquals(Optional.of(CompletionStatus.PAGE_FAULT_NOBOF), after.result().status());
        }
    }

    @Test
    void shouldUseRegisterBasedInvalidationWithoutQueuedInvalidation() {
        MachineConfig c = TestMachines.small(1);
        Kernel k = boot(c.withVtd(c.vtd().withQueuedInvalidation(false)), IommuMode.STRICT);
        VtdUnitDriver unit = VtdIommuDriver.of(k.iommu()).units().getFirst();
        assertFalse(unit.queuedInvalidation());
        try (DmaBuffer src = k.memory().allocate(64, 64); DmaBuffer dst = k.memory().allocate(64, 64)) {
            src.writeLong(0, 9);
            assertTrue(k.copyEngine().copy(src, dst, 64).isSuccess());
            assertEquals(9, dst.readLong(0));
        }
        assertEquals(0, unit.stats().waitDescriptors());
        assertTrue(unit.stats().iotlbPage() > 0);
    }

    @Test
    void shouldFallBackToDomainSelectiveWithoutPageSelectiveInvalidation() {
        MachineConfig c = TestMachines.small(1);
        Kernel k = boot(c.withVtd(c.vtd().withPageSelective(false, 0)), IommuMode.STRICT);
        VtdUnitDriver unit = VtdIommuDriver.of(k.iommu()).units().getFirst();
        try (DmaBuffer src = k.memory().allocate(64, 64); DmaBuffer dst = k.memory().allocate(64, 64)) {
            assertTrue(k.copyEngine().copy(src, dst, 64).isSuccess());
        }
        assertEquals(0, unit.stats().iotlbPage());
        assertTrue(unit.stats().psiFallbacks() > 0, unit.stats().toString());
    }
}
