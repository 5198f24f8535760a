package org.jdma.machine.iommu.vtd;

import static org.jdma.machine.iommu.vtd.VtdFixture.DATA;
import static org.jdma.machine.iommu.vtd.VtdFixture.DEVICE;
import static org.jdma.machine.iommu.vtd.VtdFixture.MiB;
import static org.jdma.machine.iommu.vtd.VtdFixture.NOT_RAM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jdma.machine.bus.Access;
import org.jdma.machine.bus.AddressTranslator.Translation;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.bus.FaultDetail;
import org.jdma.machine.bus.FaultReason;
import org.jdma.machine.iommu.vtd.VtdConfig;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.vtd.VtdPageEntryLayout;
import org.jdma.spec.vtd.VtdRootEntryLayout;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

/** Legacy-mode translation (§3.4, §3.7, §9): walks, superpages, pass-through, and every fault reason. */
class VtdTranslationTest {

    static final long IOVA = 0x1234_5000L;

    @Test
    void shouldPassRequestsThroughWhileTranslationIsDisabled() {
        try (VtdFixture f = new VtdFixture()) {
            assertSame(f.unit, f.port.translator(), "the default DMAR's unit covers the copy engine");
            f.cpu.write64(DATA, 0x1122_3344_5566_7788L);
            assertEquals(0x1122_3344_5566_7788L, f.dmaReadLong(DATA));
            assertEquals(0, f.unit.translations());
        }
    }

    @Test
    void shouldTranslateThroughThreeLevelsAndKeepEveryByte() {
        try (VtdFixture f = new VtdFixture()) {
            long top = f.standardSetup();
            f.map4k(top, IOVA, DATA);
            f.map4k(top, IOVA + 0x1000, DATA + 0x5000); // not contiguous physically
            byte[] data = new byte[0x1800];
            new java.util.SplittableRandom(7).nextBytes(data);
            DmaResult w = f.dmaWrite(IOVA + 0x400, data);
            assertTrue(w.isOk(), w.toString());
            byte[] first = new byte[0xC00];
            byte[] second = new byte[0xC00];
            f.cpu.read(DATA + 0x400, first);
            f.cpu.read(DATA + 0x5000, second);
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 0, 0xC00), first);
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 0xC00, 0x1800), second);
            MemorySegment back = f.buffer(data.length);
            assertTrue(f.dmaRead(IOVA + 0x400, back).isOk());
            assertArrayEquals(data, back.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void shouldEndATranslatedRunAtThePageBoundaryAndChargeEachWalkStep() {
        try (VtdFixture f = new VtdFixture()) {
            long top = f.standardSetup();
            f.map4k(top, IOVA, DATA);
            VtdConfig c = VtdConfig.DEFAULT;
            Translation t = f.unit.translate(DEVICE, IOVA + 0xF00, 0x1000, Access.READ);
            assertEquals(DATA + 0xF00, t.physical());
            assertEquals(0x100, t.length());
            assertEquals(c.iotlbHitNs() + 5 * c.walkStepNs(), t.costNs(), "root, context, three paging entries");
            Translation again = f.unit.translate(DEVICE, IOVA, 8, Access.READ);
            assertEquals(c.iotlbHitNs(), again.costNs(), "IOTLB and context cache hit");
            assertEquals(1, f.unit.iotlbHits());
            assertEquals(1, f.unit.iotlbMisses());
            assertEquals(1, f.unit.pageWalks());
            assertEquals(5, f.unit.walkSteps());
        }
    }

    @Test
    void shouldWalkFourLevelsForA48BitContext() {
        try (VtdFixture f = new VtdFixture()) {
            f.setRootTable();
            long top = f.translatedContext(2, VtdContextEntryLayout.AW_48_BIT);
            f.enableTranslation();
            // A 39-bit unit that offers 4-level tables (SAGAW bit 2): the walk has four levels, the
            // addresses stay below MGAW.
            f.map(top, 4, IOVA, DATA, 1, true, true);
            f.cpu.write64(DATA + 8, 42);
            assertEquals(42, f.dmaReadLong(IOVA + 8));
            assertEquals(1 + 1 + 4, f.unit.walkSteps());
            assertEquals(VtdFaultReason.ADDRESS_BEYOND_MGAW.code(), f.dmaWrite(1L << 39, new byte[4]).detail().code());
        }
    }

    @Test
    void shouldTranslateAbove39BitsOnlyOnA48BitUnit() {
        try (VtdFixture f = new VtdFixture(VtdConfig.DEFAULT.withAddressWidth(48,
                org.jdma.spec.vtd.VtdCapabilityLayout.SAGAW_39_BIT | org.jdma.spec.vtd.VtdCapabilityLayout.SAGAW_48_BIT))) {
            f.setRootTable();
            long top = f.translatedContext(2, VtdContextEntryLayout.AW_48_BIT);
            f.enableTranslation();
            long iova = 0x7F_1234_5000L;
            f.map(top, 4, iova, DATA, 1, true, true);
            f.cpu.write64(DATA, 99);
            assertEquals(99, f.dmaReadLong(iova));
        }
    }

    @Test
    void shouldTranslateTwoMegabyteSuperpages() {
        try (VtdFixture f = new VtdFixture()) {
            long top = f.standardSetup();
            f.map(top, 3, 0x4000_0000L, DATA, 2, true, true);
            f.cpu.write64(DATA + 0x1F_F000, 7);
            Translation t = f.unit.translate(DEVICE, 0x4000_0000L + 0x1F_F000, 1 * MiB, Access.READ);
            assertEquals(DATA + 0x1F_F000, t.physical());
            assertEquals(0x1000, t.length(), "the run ends at the end of the 2 MiB page");
            assertEquals(7, f.dmaReadLong(0x4000_0000L + 0x1F_F000));
            assertEquals(4, f.unit.walkSteps(), "root, context, level 3, level 2 (leaf)");
        }
    }

    @Test
    void shouldTranslateOneGigabyteSuperpages() {
        try (VtdFixture f = new VtdFixture()) {
            long top = f.standardSetup();
            f.map(top, 3, 0x80_0000_0000L - 0x4000_0000L, 0, 3, true, false); // last GiB of 39 bits -> physical 0
            f.cpu.write64(DATA + 0x10, 0xABCDL);
            Translation t = f.unit.translate(DEVICE, 0x7F_C000_0000L + DATA + 0x10, 64, Access.READ);
            assertEquals(DATA + 0x10, t.physical());
            assertEquals(0xABCD, f.dmaReadLong(0x7F_C000_0000L + DATA + 0x10));
            DmaResult w = f.dmaWrite(0x7F_C000_0000L + DATA, new byte[8]);
            assertEquals(VtdFaultReason.WRITE_NOT_PERMITTED.code(), w.detail().code(), "read-only superpage");
        }
    }

    @Test
    void shouldTreatSuperpageBitsAsReservedWhenSllpsLacksThem() {
        try (VtdFixture f = new VtdFixture(VtdConfig.DEFAULT.withSuperpages(false, false))) {
            long top = f.standardSetup();
            f.map(top, 3, 0x4000_0000L, DATA, 2, true, true);
            assertEquals(VtdFaultReason.PAGING_ENTRY_RESERVED.code(), f.dmaWrite(0x4000_0000L, new byte[4]).detail().code());
        }
    }

    @Test
    void shouldRejectASuperpageWithLowAddressBitsSet() {
        try (VtdFixture f = new VtdFixture()) {
            long top = f.standardSetup();
            f.map(top, 3, 0x4000_0000L, DATA + 0x1000, 2, true, true); // not 2 MiB aligned
            assertEquals(VtdFaultReason.PAGING_ENTRY_RESERVED.code(), f.dmaWrite(0x4000_0000L, new byte[4]).detail().code());
        }
    }

    @Test
    void shouldPassThroughAContextWithTtPassThrough() {
        try (VtdFixture f = new VtdFixture()) {
            f.setRootTable();
            f.context(DEVICE, VtdContextEntryLayout.lo(0, VtdContextEntryLayout.TT_PASS_THROUGH, false, true),
                    VtdContextEntryLayout.hi(3, VtdContextEntryLayout.AW_39_BIT));
            f.enableTranslation();
            f.cpu.write64(DATA, 5);
            assertEquals(5, f.dmaReadLong(DATA));
            assertEquals(0, f.unit.pageWalks());
        }
    }

    @Test
    void shouldLeaveTheInterruptRangeUntranslated() {
        try (VtdFixture f = new VtdFixture()) {
            f.standardSetup(); // nothing mapped: any translated request would fault
            int vector = f.machine.interruptController().allocateVector();
            int[] seen = {0};
            f.machine.interruptController().register(vector, v -> seen[0]++);
            var msi = f.machine.interruptController().messageFor(vector);
            assertTrue(f.port.signalMsi(msi.address(), msi.data()).isOk());
            f.machine.eventKernel().runUntilIdle();
            assertEquals(1, seen[0]);
            assertEquals(0, f.unit.faultsRecorded());
            DmaResult r = f.dmaRead(0xFEE0_0000L, f.buffer(4));
            assertEquals(FaultReason.UNSUPPORTED_REQUEST, r.reason(), "a read there is no DMA remapping fault");
        }
    }

    // ---- fault reasons, one each (§7.1.3 Table 25)

    private static void assertFault(VtdFixture f, VtdFaultReason expected, long iova, boolean write) {
        MemorySegment buf = f.buffer(16);
        buf.fill((byte) 0x5A);
        DmaResult r = write ? f.port.write(iova, buf, 0, 16) : f.port.read(iova, buf, 0, 16);
        assertEquals(VtdFaultKinds.kindOf(expected), r.reason(), r.toString());
        assertEquals(new FaultDetail("VT-d", expected.code(), expected.name()), r.detail(), "expected " + expected + ", got " + r);
        assertEquals(0, r.bytes());
        if (!write) {
            for (long i = 0; i < 16; i++) {
                assertEquals(0x5A, buf.get(ValueLayout.JAVA_BYTE, i), "a blocked read returns nothing");
            }
        }
        var rec = f.unit.pendingFaultRecords().getLast();
        assertEquals(expected.code(), rec.reason());
        assertEquals(DEVICE.sourceId(), rec.sourceId());
        assertEquals(iova & ~0xFFFL, rec.pageAddress());
        assertEquals(!write, rec.read());
    }

    @Test
    void shouldFaultRootEntryNotPresent() {
        try (VtdFixture f = new VtdFixture()) {
            f.setRootTable();
            f.enableTranslation();
            assertFault(f, VtdFaultReason.ROOT_ENTRY_NOT_PRESENT, IOVA, false);
        }
    }

    @Test
    void shouldFaultContextEntryNotPresent() {
        try (VtdFixture f = new VtdFixture()) {
            f.setRootTable();
            f.context(RequesterId.of(0, 5, 0), VtdContextEntryLayout.lo(f.page(), 0, false, true), VtdContextEntryLayout.hi(1, 1));
            f.enableTranslation();
            assertFault(f, VtdFaultReason.CONTEXT_ENTRY_NOT_PRESENT, IOVA, true);
        }
    }

    @Test
    void shouldFaultContextEntryWithAnAddressWidthOutsideSagaw() {
        try (VtdFixture f = new VtdFixture()) {
            f.setRootTable();
            f.context(DEVICE, VtdContextEntryLayout.lo(f.page(), 0, false, true), VtdContextEntryLayout.hi(1, 3)); // 57-bit
            f.enableTranslation();
            assertFault(f, VtdFaultReason.CONTEXT_ENTRY_INVALID, IOVA, false);
        }
    }

    @Test
    void shouldFaultContextEntryWithATranslationTypeTheUnitLacks() {
        for (int tt : new int[] {VtdContextEntryLayout.TT_DEVICE_TLB, VtdContextEntryLayout.TT_RESERVED}) {
            try (VtdFixture f = new VtdFixture()) {
                f.setRootTable();
                f.context(DEVICE, VtdContextEntryLayout.lo(f.page(), tt, false, true), VtdContextEntryLayout.hi(1, 1));
                f.enableTranslation();
                assertFault(f, VtdFaultReason.CONTEXT_ENTRY_INVALID, IOVA, false);
            }
        }
        try (VtdFixture f = new VtdFixture(VtdConfig.DEFAULT.withPassThrough(false))) {
            f.setRootTable();
            f.context(DEVICE, VtdContextEntryLayout.lo(0, VtdContextEntryLayout.TT_PASS_THROUGH, false, true),
                    VtdContextEntryLayout.hi(1, 1));
            f.enableTranslation();
            assertFault(f, VtdFaultReason.CONTEXT_ENTRY_INVALID, IOVA, false);
        }
    }

    @Test
    void shouldFaultAnAddressBeyondTheGuestAddressWidth() {
        try (VtdFixture f = new VtdFixture()) {
            f.standardSetup();
            assertFault(f, VtdFaultReason.ADDRESS_BEYOND_MGAW, 1L << 39, false);
        }
    }

    @Test
    void shouldFaultWritesToReadOnlyPagesAndReadsOfWriteOnlyPages() {
        try (VtdFixture f = new VtdFixture()) {
            long top = f.standardSetup();
            f.map(top, 3, IOVA, DATA, 1, true, false);
            f.map(top, 3, IOVA + 0x1000, DATA + 0x1000, 1, false, true);
            f.cpu.write64(DATA, 0x77);
            assertFault(f, VtdFaultReason.WRITE_NOT_PERMITTED, IOVA, true);
            assertEquals(0x77, f.cpu.read64(DATA), "a blocked write moves nothing");
            assertFault(f, VtdFaultReason.READ_NOT_PERMITTED, IOVA + 0x1000, false);
            assertTrue(f.dmaWrite(IOVA + 0x1000, new byte[8]).isOk(), "write-only page takes writes");
        }
    }

    @Test
    void shouldFaultAnAccessThroughANotPresentEntryByItsDirection() {
        try (VtdFixture f = new VtdFixture()) {
            f.standardSetup();
            assertFault(f, VtdFaultReason.READ_NOT_PERMITTED, IOVA, false);
            assertFault(f, VtdFaultReason.WRITE_NOT_PERMITTED, IOVA, true);
        }
    }

    @Test
    void shouldFaultAPagingEntryItCannotRead() {
        try (VtdFixture f = new VtdFixture()) {
            f.setRootTable();
            f.context(DEVICE, VtdContextEntryLayout.lo(NOT_RAM, 0, false, true), VtdContextEntryLayout.hi(1, 1));
            f.enableTranslation();
            assertFault(f, VtdFaultReason.PAGING_ENTRY_INVALID, IOVA, false);
        }
    }

    @Test
    void shouldFaultARootTableItCannotRead() {
        try (VtdFixture f = new VtdFixture()) {
            f.w64(org.jdma.spec.vtd.VtdRegisterLayout.RTADDR, NOT_RAM);
            f.command(org.jdma.spec.vtd.VtdRegisterLayout.GCMD_SRTP);
            f.enableTranslation();
            assertFault(f, VtdFaultReason.ROOT_TABLE_INVALID, IOVA, false);
        }
    }

    @Test
    void shouldFaultAContextTableItCannotRead() {
        try (VtdFixture f = new VtdFixture()) {
            long root = f.setRootTable();
            f.cpu.write64(root + VtdRootEntryLayout.offsetOf(0), VtdRootEntryLayout.lo(NOT_RAM, true));
            f.enableTranslation();
            assertFault(f, VtdFaultReason.CONTEXT_TABLE_INVALID, IOVA, false);
        }
    }

    @Test
    void shouldFaultReservedBitsInTheRootEntry() {
        try (VtdFixture f = new VtdFixture()) {
            long root = f.setRootTable();
            f.cpu.write64(root + VtdRootEntryLayout.offsetOf(0), VtdRootEntryLayout.lo(f.page(), true) | 0x10);
            f.enableTranslation();
            assertFault(f, VtdFaultReason.ROOT_ENTRY_RESERVED, IOVA, false);
        }
        try (VtdFixture f = new VtdFixture()) {
            long root = f.setRootTable();
            f.cpu.write64(root + VtdRootEntryLayout.offsetOf(0), VtdRootEntryLayout.lo(f.page(), true));
            f.cpu.write64(root + VtdRootEntryLayout.offsetOf(0) + VtdRootEntryLayout.HI, 1);
            f.enableTranslation();
            assertFault(f, VtdFaultReason.ROOT_ENTRY_RESERVED, IOVA, false);
        }
    }

    @Test
    void shouldFaultReservedBitsInTheContextEntry() {
        long[][] bad = {
                {VtdContextEntryLayout.LO_RESERVED & 0x10, 0},              // lo bit 4
                {0, 1L << 7},                                               // hi bit 7
                {0, 1L << 40},                                              // hi above DID
                {0, (long) 0x100 << VtdContextEntryLayout.HI_DID_SHIFT},    // DID 256 with ND 2 (256 ids)
        };
        for (long[] b : bad) {
            try (VtdFixture f = new VtdFixture()) {
                f.setRootTable();
                f.context(DEVICE, VtdContextEntryLayout.lo(f.page(), 0, false, true) | b[0],
                        VtdContextEntryLayout.hi(1, 1) | b[1]);
                f.enableTranslation();
                assertFault(f, VtdFaultReason.CONTEXT_ENTRY_RESERVED, IOVA, false);
            }
        }
    }

    @Test
    void shouldFaultReservedBitsInAPagingEntry() {
        long[] bad = {VtdPageEntryLayout.SNP, VtdPageEntryLayout.TM, 1L << 45 /* above the 39-bit HAW */};
        for (long b : bad) {
            try (VtdFixture f = new VtdFixture()) {
                long top = f.standardSetup();
                long leaf = f.map4k(top, IOVA, DATA);
                f.cpu.write64(leaf, f.cpu.read64(leaf) | b);
                assertFault(f, VtdFaultReason.PAGING_ENTRY_RESERVED, IOVA, false);
            }
        }
    }

    @Test
    void shouldFaultAPageThatMapsOntoTheInterruptRange() {
        try (VtdFixture f = new VtdFixture()) {
            long top = f.standardSetup();
            f.map4k(top, IOVA, 0xFEE0_0000L);
            assertFault(f, VtdFaultReason.INTERRUPT_ADDRESS, IOVA, false);
        }
    }

    @Test
    void shouldIgnoreTheIgnoredBitsOfAPagingEntry() {
        try (VtdFixture f = new VtdFixture()) {
            long top = f.standardSetup();
            long leaf = f.map4k(top, IOVA, DATA);
            f.cpu.write64(leaf, f.cpu.read64(leaf) | VtdPageEntryLayout.IGNORED);
            f.cpu.write64(DATA, 3);
            assertEquals(3, f.dmaReadLong(IOVA));
        }
    }
}
