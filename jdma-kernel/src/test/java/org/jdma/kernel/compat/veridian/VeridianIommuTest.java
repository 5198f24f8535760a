package org.jdma.kernel.compat.veridian;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import org.jdma.kernel.iommu.vtd.VtdDomain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.jdma.kernel.acpi.DmarParseException;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.mm.DirectMap;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.MachineConfig;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.machine.firmware.acpi.DmarDescription;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.machine.firmware.acpi.ScopeDescription;
import org.jdma.spec.vtd.VtdCapabilityLayout;
import org.jdma.machine.iommu.vtd.VtdConfig;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdFaultReason;
import org.junit.jupiter.api.Test;

import org.jdma.kernel.testing.BootedMachine;
/** Seed 003's iommu module over the real DMAR parser and VT-d driver: checklist rows 33, 34, 51, 55, 58, 60-63, 65-69. */
class VeridianIommuTest {

    static final long RMRR_BASE = 0x300_0000L;
    static final long RMRR_SIZE = 0x2000;

    static VeridianIommu initialized(BootedMachine m) {
        VeridianIommu v = new VeridianIommu(m.kernel, BootedMachine.COPY_ENGINE);
        assertTrue(v.init());
        return v;
    }

    /** The copy engine moves {@code length} bytes from device address {@code src} to {@code dst}. */
    static OpResult copy(BootedMachine m, long src, long dst, long length) {
        return m.kernel.copyEngine().executeUnchecked(Descriptor.memmove(src, dst, length));
    }

    static IommuFault lastFault(BootedMachine m) {
        m.machine.clock().runFor(100_000); // let the fault-event interrupt reach its handler
        List<IommuFault> faults = m.kernel.iommu().faults();
        assertFalse(faults.isEmpty(), "a fault was recorded");
        return faults.getLast();
    }

    @Test
    void shouldRejectATableShorterThanTheDmarHeaderAndReadHawAndFlags() throws DmarParseException { // row 51
        assertThrows(DmarParseException.class, () -> VeridianIommu.parseDmar(new byte[10]));
        try (BootedMachine m = new BootedMachine(IommuMode.STRICT)) {
            DmarInfo info = VeridianIommu.parseDmar(m.machine.acpiTable("DMAR").orElseThrow());
            assertEquals(MachineConfig.HOST_ADDRESS_WIDTH, info.hostAddressWidth());
            assertEquals(DmarLayout.FLAG_INTR_REMAP | DmarLayout.FLAG_DMA_CTRL_PLATFORM_OPT_IN, info.flags());
            assertEquals(48, VeridianIommu.DMAR_HEADER_SIZE);
        }
    }

    @Test
    void shouldKeepEveryDrhdAndRmrrAndInitialiseEveryUnit() { // rows 55, 58, 61, 62
        DmarDescription dmar = DmarDescription.of("JDMATEST", MachineConfig.HOST_ADDRESS_WIDTH, 0, List.of(
                DmarDescription.RemappingUnit.covering(0, 0xFED9_0000L, List.of(new ScopeDescription.PciDevice(BootedMachine.COPY_ENGINE, 0))),
                DmarDescription.RemappingUnit.includeAll(0, 0xFED9_1000L),
                new DmarDescription.ReservedMemoryRegion(0, RMRR_BASE, RMRR_BASE + RMRR_SIZE - 1,
                        List.of(new ScopeDescription.PciDevice(BootedMachine.COPY_ENGINE, 0)))));
        try (BootedMachine m = new BootedMachine(TestMachines.small(1).withDmar(dmar), IommuMode.STRICT)) {
            VeridianIommu v = new VeridianIommu(m.kernel, BootedMachine.COPY_ENGINE);
            assertFalse(v.isInitialized());
            assertTrue(v.withDmarInfo(DmarInfo::drhdUnits).isEmpty(), "nothing parsed before init");
            assertTrue(v.init());
            assertTrue(v.isInitialized());
            assertEquals(List.of(0xFED9_0000L, 0xFED9_1000L),
                    v.withDmarInfo(i -> i.drhdUnits().stream().map(d -> d.registerBase()).toList()).orElseThrow());
            var rmrr = v.withDmarInfo(i -> i.rmrrRegions().getFirst()).orElseThrow();
            assertEquals(RMRR_BASE, rmrr.base());
            assertEquals(RMRR_BASE + RMRR_SIZE - 1, rmrr.limit(), "the limit is inclusive");
            List<IommuUnit> units = v.units();
            assertEquals(2, units.size(), "both units kept (the seed discarded them)");
            IommuUnit u = units.getFirst();
            assertEquals(VtdConfig.DEFAULT.cap(), u.capability(), "CAP read through MMIO, not the seed's 0");
            assertEquals(VtdConfig.DEFAULT.ecap(), u.extendedCapability());
            assertEquals(39, u.mgawBits());
            assertEquals(VtdCapabilityLayout.SAGAW_39_BIT | VtdCapabilityLayout.SAGAW_48_BIT, u.sagaw());
            assertTrue(u.pageWalkCoherent());
            assertFalse(u.includeAll());
            assertTrue(units.get(1).includeAll());
        }
    }

    @Test
    void shouldAnswerEveryLaterInitWithTheFirstAnswer() { // row 61
        try (BootedMachine m = new BootedMachine(TestMachines.small(1).withoutDmar(), IommuMode.STRICT)) {
            VeridianIommu v = new VeridianIommu(m.kernel, BootedMachine.COPY_ENGINE);
            assertFalse(v.init(), "no DMAR");
            assertTrue(v.isInitialized());
            assertFalse(v.init(), "the seed answered true the second time");
            assertEquals(Optional.empty(), v.withDmarInfo(DmarInfo::flags));
            assertTrue(v.units().isEmpty());
        }
    }

    @Test
    void shouldRejectABadChecksumAndReportAParseErrorFromInitAsFalse() throws DmarParseException { // rows 52, 61
        // No copy engine: a second kernel boots on the same machine and must not drive its devices twice.
        try (BootedMachine m = new BootedMachine(TestMachines.small(0), IommuMode.OFF)) {
            byte[] table = m.machine.acpiTable("DMAR").orElseThrow();
            table[table.length - 1] ^= 0x01;
            DmarParseException e = assertThrows(DmarParseException.class, () -> VeridianIommu.parseDmar(table));
            assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("checksum"), e.getMessage());
            // The same table handed over by the firmware: init answers false, and is initialised.
            org.jdma.platform.Platform corrupt = new org.jdma.platform.Platform() {
                @Override public org.jdma.platform.Cpu cpu() { return m.machine.cpu(); }
                @Override public org.jdma.platform.Clock clock() { return m.machine.clock(); }
                @Override public List<org.jdma.platform.MemoryMapEntry> memoryMap() { return m.machine.memoryMap(); }
                @Override public Optional<byte[]> acpiTable(String signature) {
                    return "DMAR".equals(signature) ? Optional.of(table.clone()) : m.machine.acpiTable(signature);
                }
                @Override public org.jdma.platform.irq.Interrupts interrupts() { return m.machine.interrupts(); }
            };
            try (org.jdma.kernel.Kernel k = org.jdma.kernel.Kernel.boot(corrupt)) {
                VeridianIommu v = new VeridianIommu(k, BootedMachine.COPY_ENGINE);
                assertFalse(v.init());
                assertTrue(v.isInitialized());
                assertTrue(v.withDmarInfo(DmarInfo::flags).isEmpty());
            }
        }
    }

    @Test
    void shouldIdentityMapEveryRmrrBeforeTranslationIsOn() { // row 60
        DmarDescription dmar = MachineConfig.defaultDmar().withStructures(List.of(
                DmarDescription.RemappingUnit.includeAll(0, MachineConfig.VTD_REGISTER_BASE),
                new DmarDescription.ReservedMemoryRegion(0, RMRR_BASE, RMRR_BASE + RMRR_SIZE - 1,
                        List.of(new ScopeDescription.PciDevice(BootedMachine.COPY_ENGINE, 0)))));
        try (BootedMachine m = new BootedMachine(TestMachines.small(1).withDmar(dmar), IommuMode.STRICT)) {
            IommuDomain d = m.kernel.iommu().domainOf(BootedMachine.COPY_ENGINE).orElseThrow();
            assertEquals(java.util.OptionalLong.of(RMRR_BASE + 0x1234), d.translate(RMRR_BASE + 0x1234));
            // The device reaches its RMRR at IOVA == PA through the unit.
            m.machine.cpu().fill(RMRR_BASE, 4096, (byte) 0x77);
            assertTrue(copy(m, RMRR_BASE, RMRR_BASE + 4096, 4096).isSuccess());
            assertEquals(0x77, m.machine.cpu().read8(RMRR_BASE + 4096 + 4095));
        }
    }

    @Test
    void shouldAttachTheDeviceToTheRealIdentityDomainBehindTheLiveRootTable() { // row 63
        try (BootedMachine m = new BootedMachine(IommuMode.STRICT)) {
            VeridianIommu v = initialized(m);
            VeridianIommu.IdentityDomain id = v.createIdentityDomain();
            assertEquals(IommuDomain.Type.IDENTITY, id.domain().type());
            assertEquals(id.domain(), m.kernel.iommu().domainOf(BootedMachine.COPY_ENGINE).orElseThrow());
            assertEquals(0, id.rootTable() % 4096);
            IommuContextTable ctx = IommuContextTable.fromRootTable(m.machine.cpu(), id.rootTable(), 0).orElseThrow();
            IommuContextTable.ContextEntry e = ctx.read(org.jdma.machine.dev.memcpy.CopyEngine.FIRST_DEVICE, 0);
            assertTrue(e.present());
            assertEquals(VtdContextEntryLayout.TT_PASS_THROUGH, e.translationType(), "ECAP.PT: pass-through");
            assertEquals(id.domain().id(), e.domainId());
        }
    }

    @Test
    void shouldUsePhysicalAddressesInTheIdentityDomain() { // rows 33, 68
        try (BootedMachine m = new BootedMachine(IommuMode.IDENTITY)) {
            VeridianIommu v = initialized(m);
            assertEquals(IommuDomain.Type.IDENTITY, v.createIdentityDomain().domain().type());
            DmaMappedBufferPair p = DmaMappedBufferPair.of(v);
            assertEquals(p.src().physAddr(), p.src().dmaAddr(), "IOVA == PA");
            assertEquals(p.src().physAddr(), v.identityMapDma(p.src().physAddr(), 4096));
            v.unmapDma(p.src().dmaAddr(), 4096); // a no-op in the identity domain
            m.machine.cpu().fill(p.src().physAddr(), 4096, (byte) 0x42);
            assertTrue(copy(m, p.src().dmaAddr(), p.dst().dmaAddr(), 4096).isSuccess());
            assertEquals(0x42, m.machine.cpu().read8(p.dst().physAddr() + 4095));
        }
    }

    @Test
    void shouldMapOneToOneInATranslatedDomainAndFaultAfterUnmapDma() { // row 68
        try (BootedMachine m = new BootedMachine(IommuMode.STRICT)) {
            VeridianIommu v = initialized(m);
            DmaMappedBuffer dst = v.allocDmaBuffer(4096, DmaDirection.FROM_DEVICE);
            long phys = m.kernel.memory().allocate(4096, 4096).physicalAddress();
            m.machine.cpu().fill(phys, 4096, (byte) 0x3C);
            assertEquals(phys, v.identityMapDma(phys, 4096));
            assertTrue(copy(m, phys, dst.dmaAddr(), 4096).isSuccess(), "IOVA == PA reaches the page");
            v.unmapDma(phys, 4096);
            OpResult r = copy(m, phys, dst.dmaAddr(), 4096);
            assertEquals(Optional.of(CompletionStatus.PAGE_FAULT_NOBOF), r.status(), r.toString());
            IommuFault f = lastFault(m);
            assertEquals(phys, f.iovaPage());
            assertTrue(f.read());
        }
    }

    @Test
    void shouldAllocateZeroedWholePagesMappedWithTheDirectionsPermissionOnly() { // rows 33, 66, 67
        try (BootedMachine m = new BootedMachine(IommuMode.STRICT)) {
            VeridianIommu v = initialized(m);
            DmaMappedBuffer toDevice = v.allocDmaBuffer(5000, DmaDirection.TO_DEVICE);
            assertEquals(8192, toDevice.size(), "rounded up to pages");
            assertEquals(DmaCoherency.COHERENT, toDevice.coherency());
            assertEquals(DirectMap.virtualOf(toDevice.physAddr()), toDevice.virtAddr());
            assertTrue(toDevice.dmaAddr() != toDevice.physAddr(), "an IOVA under a translated domain");
            byte[] zeros = new byte[8192];
            byte[] got = new byte[8192];
            m.machine.cpu().read(toDevice.physAddr(), got);
            assertArrayEquals(zeros, got);
            DmaMappedBuffer fromDevice = v.allocDmaBuffer(4096, DmaDirection.FROM_DEVICE);

            assertTrue(copy(m, toDevice.dmaAddr(), fromDevice.dmaAddr(), 4096).isSuccess(), "device reads TO_DEVICE, writes FROM_DEVICE");
            OpResult writeToDevice = copy(m, fromDevice.dmaAddr(), toDevice.dmaAddr(), 4096);
            assertEquals(Optional.of(CompletionStatus.PAGE_FAULT_NOBOF), writeToDevice.status(), "reading FROM_DEVICE memory is refused");
            IommuFault f = lastFault(m);
            assertEquals(BootedMachine.COPY_ENGINE, f.device());
            assertEquals(fromDevice.dmaAddr(), f.iovaPage());
            assertTrue(f.read());
            assertEquals(VtdFaultReason.READ_NOT_PERMITTED.code(), f.detail().code());
            assertThrows(IllegalArgumentException.class, () -> v.allocDmaBuffer(0, DmaDirection.TO_DEVICE));
            assertThrows(IllegalArgumentException.class, () -> v.allocDmaBuffer(4096, DmaDirection.NONE));
        }
    }

    @Test
    void shouldReturnTheFramesAndUnmapOnFree() { // row 34
        try (BootedMachine m = new BootedMachine(IommuMode.STRICT)) {
            VeridianIommu v = initialized(m);
            DmaMappedBuffer keep = v.allocDmaBuffer(4096, DmaDirection.BIDIRECTIONAL);
            long freeBefore = m.kernel.frames().stats().freeFrames();
            DmaMappedBuffer b = v.allocDmaBuffer(3 * 4096, DmaDirection.BIDIRECTIONAL);
            assertTrue(m.kernel.iommu().domainOf(BootedMachine.COPY_ENGINE).orElseThrow().translate(b.dmaAddr()).isPresent());
            v.freeDmaBuffer(b);
            // Page-table pages the mapping needed may stay (they are shared); the buffer's frames are back.
            assertTrue(m.kernel.frames().stats().freeFrames() >= freeBefore, "free frames restored");
            assertTrue(m.kernel.iommu().domainOf(BootedMachine.COPY_ENGINE).orElseThrow().translate(b.dmaAddr()).isEmpty());
            OpResult r = copy(m, b.dmaAddr(), keep.dmaAddr(), 4096);
            assertEquals(Optional.of(CompletionStatus.PAGE_FAULT_NOBOF), r.status(), "the device faults on a freed buffer");
            assertThrows(IllegalArgumentException.class, () -> v.freeDmaBuffer(b), "double free");
        }
    }

    @Test
    void shouldWalkThreeAndFourLevelTables() { // row 65
        for (int bits : new int[] {39, 48}) {
            MachineConfig c = TestMachines.small(1).withVtd(VtdConfig.DEFAULT.withAddressWidth(bits,
                    bits == 39 ? VtdCapabilityLayout.SAGAW_39_BIT : VtdCapabilityLayout.SAGAW_48_BIT));
            try (BootedMachine m = new BootedMachine(c, IommuMode.STRICT)) {
                VeridianIommu v = initialized(m);
                assertEquals(bits == 39 ? 3 : 4, VtdDomain.of(m.kernel.iommu(), BootedMachine.COPY_ENGINE).orElseThrow().pageTable().levels());
                DmaMappedBufferPair p = DmaMappedBufferPair.of(v);
                m.machine.cpu().fill(p.src().physAddr(), 4096, (byte) bits);
                assertTrue(copy(m, p.src().dmaAddr(), p.dst().dmaAddr(), 4096).isSuccess(), bits + "-bit");
                assertEquals(bits, m.machine.cpu().read8(p.dst().physAddr() + 4095));
            }
        }
    }

    @Test
    void shouldNeverUseAStaleTranslationAfterUnmapAndRemap() { // row 69
        try (BootedMachine m = new BootedMachine(IommuMode.STRICT)) {
            VeridianIommu v = initialized(m);
            DmaMappedBuffer src = v.allocDmaBuffer(4096, DmaDirection.TO_DEVICE);
            m.machine.cpu().fill(src.physAddr(), 4096, (byte) 0x11);
            DmaMappedBuffer first = v.allocDmaBuffer(4096, DmaDirection.FROM_DEVICE);
            assertTrue(copy(m, src.dmaAddr(), first.dmaAddr(), 4096).isSuccess()); // the IOTLB now holds first's page
            v.freeDmaBuffer(first);
            // Hold the freed frame, so the next buffer gets another one and a stale hit would show.
            var oldFrame = m.kernel.memory().allocate(4096, 4096);
            DmaMappedBuffer second = v.allocDmaBuffer(4096, DmaDirection.FROM_DEVICE);
            assertEquals(first.dmaAddr(), second.dmaAddr(), "the freed IOVA comes back (LIFO magazine): same IOVA");
            assertTrue(second.physAddr() != first.physAddr() && oldFrame.physicalAddress() == first.physAddr(), "new frame");
            oldFrame.fill(0, 4096, (byte) 0);
            m.machine.cpu().fill(src.physAddr(), 4096, (byte) 0x22);
            assertTrue(copy(m, src.dmaAddr(), second.dmaAddr(), 4096).isSuccess());
            assertEquals(0x22, m.machine.cpu().read8(second.physAddr()), "the write reached the new frame");
            assertEquals(0, m.machine.cpu().read8(first.physAddr()), "not the old one through a stale IOTLB entry");
        }
    }

    /** Two 4 KiB buffers a copy can move between. */
    record DmaMappedBufferPair(DmaMappedBuffer src, DmaMappedBuffer dst) {
        static DmaMappedBufferPair of(VeridianIommu v) {
            return new DmaMappedBufferPair(v.allocDmaBuffer(4096, DmaDirection.BIDIRECTIONAL), v.allocDmaBuffer(4096, DmaDirection.BIDIRECTIONAL));
        }
    }
}
