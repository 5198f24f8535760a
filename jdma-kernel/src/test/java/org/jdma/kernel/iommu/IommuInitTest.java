package org.jdma.kernel.iommu;

import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.kernel.iommu.vtd.VtdIommuDriver;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.iommu.vtd.VtdDomain;
import org.jdma.kernel.iommu.vtd.VtdUnitDriver;
import org.jdma.kernel.mm.BuddyFrameAllocator;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.platform.Clock;
import org.jdma.platform.Cpu;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.platform.Platform;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.platform.MemoryMapEntry;
import org.jdma.machine.firmware.acpi.DmarDescription;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.machine.firmware.acpi.DmarTableBuilder;
import org.jdma.spec.vtd.VtdCapabilityLayout;
import org.jdma.machine.iommu.vtd.VtdConfig;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.platform.irq.Interrupts;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

/** Unit bring-up: capability decoding, absent units, domain ids, the fault records' ring. */
class IommuInitTest {

    private static final RequesterId ENGINE = CopyEngine.slot(0);

    /** The machine, except that its DMAR names a unit at an address where nothing answers. */
    private record AbsentUnitPlatform(Machine m, long base) implements Platform {
        @Override public Cpu cpu() { return m.cpu(); }
        @Override public Clock clock() { return m.clock(); }
        @Override public List<MemoryMapEntry> memoryMap() { return m.memoryMap(); }
        @Override public Interrupts interrupts() { return m.interrupts(); }
        @Override public Optional<byte[]> acpiTable(String signature) {
            if (!signature.equals("DMAR")) {
                return m.acpiTable(signature);
            }
            return Optional.of(DmarTableBuilder.build(DmarDescription.of("ABSENT", MachineConfig.HOST_ADDRESS_WIDTH,
                    DmarLayout.FLAG_DMA_CTRL_PLATFORM_OPT_IN, List.of(DmarDescription.RemappingUnit.includeAll(0, base)))));
        }
    }

    @Test
    void shouldReportAUnitWhoseRegistersDoNotAnswerAndLeaveDmaPhysical() {
        try (Machine m = new Machine(TestMachines.small(1))) {
            Platform p = new AbsentUnitPlatform(m, 0xFED8_0000L);
            try (Kernel k = Kernel.boot(p, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT))) {
                assertFalse(k.iommu().enabled());
                assertEquals(1, k.iommu().problems().size(), k.iommu().problems().toString());
                assertTrue(k.iommu().problems().getFirst().contains("0xfed80000"), k.iommu().problems().toString());
                assertTrue(k.iommu().domainOf(ENGINE).isEmpty());
                try (DmaBuffer src = k.memory().allocate(64, 64); DmaBuffer dst = k.memory().allocate(64, 64)) {
                    assertTrue(k.copyEngine().copy(src, dst, 64).isSuccess());
                }
            }
        }
    }

    @Test
    void shouldReportAMachineWithoutDmar() {
        try (Machine m = new Machine(TestMachines.small(1).withoutDmar());
             Kernel k = Kernel.boot(m, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT))) {
            assertFalse(k.iommu().enabled());
            assertTrue(k.iommu().problems().getFirst().contains("no DMAR"), k.iommu().problems().toString());
        }
    }

    @Test
    void shouldDecodeCapabilitiesAsConfigured() {
        MachineConfig c = TestMachines.small(1);
        VtdConfig v = c.vtd().withDomainBits(0).withSuperpages(true, false).withFaultRecords(4);
        try (Machine m = new Machine(c.withVtd(v))) {
            VtdUnitDriver unit = VtdUnitDriver.probe(m, BuddyFrameAllocator.fromMemoryMap(m.memoryMap()),
                    MachineConfig.VTD_REGISTER_BASE, 0).orElseThrow();
            assertEquals(v.cap(), unit.cap());
            assertEquals(v.ecap(), unit.ecap());
            assertEquals(16, VtdCapabilityLayout.domainCount(unit.cap()));
            assertTrue(unit.superpage2M());
            assertFalse(unit.superpage1G());
            assertEquals(39, unit.mgawBits());
            assertEquals(1L << 39, unit.addressLimit());
            unit.init();
            // ND 0: 16 ids, id 0 reserved (as Linux) → 15 domains, then a clear error.
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                ids.add(unit.allocateDomainId());
            }
            assertFalse(ids.contains(0));
            IllegalStateException e = assertThrows(IllegalStateException.class, unit::allocateDomainId);
            assertTrue(e.getMessage().contains("domain ids"), e.getMessage());
            unit.freeDomainId(ids.getFirst());
            assertEquals(ids.getFirst(), unit.allocateDomainId());
            assertThrows(IllegalStateException.class, () -> unit.freeDomainId(0));
            unit.close();
        }
    }

    @Test
    void shouldReportEveryFaultAcrossTheFaultRecordRing() {
        MachineConfig c = TestMachines.small(1);
        try (Machine m = new Machine(c.withVtd(c.vtd().withFaultRecords(4)));
             Kernel k = Kernel.boot(m, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT))) {
            List<IommuFault> faults = new ArrayList<>();
            k.iommu().addFaultListener(faults::add);
            VtdDomain domain = VtdDomain.of(k.iommu(), ENGINE).orElseThrow();
            try (DmaBuffer scratch = k.memory().allocate(4096, 4096)) {
                long sIova = domain.allocIova(4096, 0xFFFF_FFFFL).orElseThrow();
                domain.map(sIova, scratch.physicalAddress(), 4096, IoPermission.READ_WRITE);
                List<Long> expected = new ArrayList<>();
                for (int i = 0; i < 11; i++) {
                    long bad = 0x4000_0000L + i * 0x10_0000L;
                    expected.add(bad);
                    OpResult r = k.copyEngine().executeUnchecked(Descriptor.memmove(bad + 0x40, sIova, 8));
                    assertEquals(Optional.of(CompletionStatus.PAGE_FAULT_NOBOF), r.status());
                    m.clock().runUntilIdle();
                }
                assertEquals(expected, faults.stream().map(IommuFault::iovaPage).toList());
                assertTrue(faults.stream().allMatch(f -> f.device().equals(ENGINE) && f.read()
                        && f.detail().name().equals(VtdFaultReason.READ_NOT_PERMITTED.name())));
                assertEquals(11, VtdIommuDriver.of(k.iommu()).units().getFirst().stats().faults());
            }
        }
    }

    @Test
    void shouldClearAFaultOverflowSoLaterFaultsAreRecordedAgain() {
        MachineConfig c = TestMachines.small(1);
        try (Machine m = new Machine(c.withVtd(c.vtd().withFaultRecords(1)));
             Kernel k = Kernel.boot(m, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT))) {
            List<IommuFault> faults = new ArrayList<>();
            k.iommu().addFaultListener(faults::add);
            VtdDomain domain = VtdDomain.of(k.iommu(), ENGINE).orElseThrow();
            try (DmaBuffer scratch = k.memory().allocate(4096, 4096)) {
                long sIova = domain.allocIova(4096, 0xFFFF_FFFFL).orElseThrow();
                domain.map(sIova, scratch.physicalAddress(), 4096, IoPermission.READ_WRITE);
                // A burst of faulting copies, faster than the handler: one record overflows.
                List<Descriptor> burst = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    burst.add(Descriptor.memmove(0x5000_0000L + i * 0x1000L, sIova, 8));
                }
                assertEquals(8, k.copyEngine().submitUnchecked(burst));
                m.clock().runFor(1_000_000);
                assertEquals(8, k.copyEngine().drain(new org.jdma.kernel.drivers.memcpy.CompletedDescriptor[8]));
                VtdUnitDriver unit = VtdIommuDriver.of(k.iommu()).units().getFirst();
                assertTrue(unit.stats().faultOverflows() >= 1, "the burst overflowed the single record: " + unit.stats());
                assertTrue(faults.size() < 8, faults.toString());
                // PFO was cleared: the next fault is recorded and reported.
                int before = faults.size();
                OpResult r = k.copyEngine().executeUnchecked(Descriptor.memmove(0x6000_0000L, sIova, 8));
                assertEquals(Optional.of(CompletionStatus.PAGE_FAULT_NOBOF), r.status());
                m.clock().runFor(10_000);
                assertEquals(before + 1, faults.size());
                assertEquals(0x6000_0000L, faults.getLast().iovaPage());
            }
        }
    }
}
