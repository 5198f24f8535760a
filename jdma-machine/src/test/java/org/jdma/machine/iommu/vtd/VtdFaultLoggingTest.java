package org.jdma.machine.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.*;
import static org.jdma.machine.iommu.vtd.VtdFixture.DEVICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.iommu.vtd.VtdConfig;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.vtd.VtdFaultRecordLayout;
import org.jdma.platform.irq.MsiMessage;
import org.junit.jupiter.api.Test;
import org.jdma.machine.iommu.vtd.VtdUnit;

/** Primary fault logging (§7.2.1), the fault event (§7.3) and FPD-qualified faults, read as an OS reads them. */
class VtdFaultLoggingTest {

    static final long IOVA = 0x5000_0000L;

    private static int frcd(int i) {
        return frcdOffset(DEFAULT_FRO, i);
    }

    /** A translating unit with nothing mapped: every request of the device faults (read: reason 6). */
    private static VtdFixture faulting(VtdConfig c) {
        VtdFixture f = new VtdFixture(c);
        f.standardSetup();
        return f;
    }

    private static void fault(VtdFixture f, long iova) {
        assertFalse(f.dmaRead(iova, f.buffer(8)).isOk());
    }

    @Test
    void shouldRecordSourceAddressDirectionAndReasonAndSetPpf() {
        try (VtdFixture f = faulting(VtdConfig.DEFAULT)) {
            f.dmaWrite(IOVA + 0x123, new byte[4]);
            int fsts = f.r32(FSTS);
            assertEquals(FSTS_PPF, fsts & FSTS_PPF);
            assertEquals(0, (fsts & FSTS_FRI_MASK) >>> FSTS_FRI_SHIFT);
            assertEquals(IOVA, f.r64(frcd(0)), "fault info is the page address");
            long hi = f.r64(frcd(0) + 8);
            assertTrue(VtdFaultRecordLayout.isFault(hi));
            assertFalse(VtdFaultRecordLayout.isRead(hi), "T = 0: a write");
            assertEquals(VtdFaultReason.WRITE_NOT_PERMITTED.code(), VtdFaultRecordLayout.reason(hi));
            assertEquals(DEVICE.sourceId(), VtdFaultRecordLayout.sourceId(hi));
            // The upper dword as Linux reads it (dmar_readl at +12): F, T and FR.
            assertEquals((int) (hi >>> 32), f.r32(frcd(0) + 12));
            assertEquals(1, f.unit.faultsRecorded());
        }
    }

    @Test
    void shouldClearARecordWhenSoftwareWritesOneToFAndPpfWhenNoneIsLeft() {
        try (VtdFixture f = faulting(VtdConfig.DEFAULT)) {
            fault(f, IOVA);
            fault(f, IOVA + 0x1000);
            assertEquals(2, f.unit.pendingFaultRecords().size());
            f.w32(frcd(0) + 8, -1); // writes to the RO fields of the record change nothing
            assertEquals(IOVA, f.r64(frcd(0)));
            assertTrue(VtdFaultRecordLayout.isFault(f.r64(frcd(0) + 8)));
            f.w32(frcd(0) + 12, (int) (VtdFaultRecordLayout.HI_F >>> 32)); // Linux: writel(DMA_FRCD_F, reg + 12)
            assertFalse(VtdFaultRecordLayout.isFault(f.r64(frcd(0) + 8)));
            assertEquals(FSTS_PPF, f.r32(FSTS) & FSTS_PPF, "record 1 still pending");
            f.w64(frcd(1) + 8, VtdFaultRecordLayout.HI_F);
            assertEquals(0, f.r32(FSTS), "PPF clears with the last record");
        }
    }

    @Test
    void shouldReportTheFirstPendingRecordInFri() {
        try (VtdFixture f = faulting(VtdConfig.DEFAULT)) {
            fault(f, IOVA);
            f.w64(frcd(0) + 8, VtdFaultRecordLayout.HI_F);
            fault(f, IOVA + 0x1000);
            fault(f, IOVA + 0x2000);
            assertEquals(1, (f.r32(FSTS) & FSTS_FRI_MASK) >>> FSTS_FRI_SHIFT);
            assertEquals(IOVA + 0x2000, f.r64(frcd(2)));
        }
    }

    @Test
    void shouldSetPfoAndDropFaultsWhenTheNextRecordIsStillFull() {
        try (VtdFixture f = faulting(VtdConfig.DEFAULT.withFaultRecords(2))) {
            fault(f, IOVA);
            fault(f, IOVA + 0x1000);
            assertEquals(0, f.r32(FSTS) & FSTS_PFO);
            fault(f, IOVA + 0x2000);
            assertEquals(FSTS_PFO, f.r32(FSTS) & FSTS_PFO);
            assertEquals(1, f.unit.faultsDropped());
            assertEquals(List.of(IOVA, IOVA + 0x1000),
                    f.unit.pendingFaultRecords().stream().map(VtdUnit.FaultRecord::pageAddress).toList());

            // While PFO is set nothing is recorded, even into a record software has freed.
            f.w64(frcd(0) + 8, VtdFaultRecordLayout.HI_F);
            fault(f, IOVA + 0x3000);
            assertEquals(2, f.unit.faultsDropped());
            assertEquals(1, f.unit.pendingFaultRecords().size());

            f.w32(FSTS, FSTS_PFO); // RW1C
            assertEquals(0, f.r32(FSTS) & FSTS_PFO);
            fault(f, IOVA + 0x4000);
            assertEquals(IOVA + 0x4000, f.r64(frcd(0)), "recorded into the freed record 0");
        }
    }

    @Test
    void shouldNotRecordQualifiedFaultsOfAContextWithFpd() {
        try (VtdFixture f = new VtdFixture()) {
            f.setRootTable();
            f.context(DEVICE, VtdContextEntryLayout.lo(f.page(), VtdContextEntryLayout.TT_MULTI_LEVEL, true, true),
                    VtdContextEntryLayout.hi(1, VtdContextEntryLayout.AW_39_BIT));
            f.enableTranslation();
            var r = f.dmaRead(IOVA, f.buffer(8));
            assertEquals(VtdFaultReason.READ_NOT_PERMITTED.code(), r.detail().code(), "still blocked");
            assertEquals(0, f.r32(FSTS));
            assertEquals(0, f.unit.faultsRecorded());
            assertEquals(1, f.unit.faultsSuppressed());
        }
    }

    @Test
    void shouldRecordFaultsThatAreNotQualifiedEvenWithFpd() {
        try (VtdFixture f = new VtdFixture()) {
            f.setRootTable();
            // FPD set, but a reserved bit in the context entry itself (0xB) is not a qualified fault.
            f.context(DEVICE, VtdContextEntryLayout.lo(f.page(), 0, true, true), VtdContextEntryLayout.hi(1, 1) | (1L << 7));
            f.enableTranslation();
            fault(f, IOVA);
            assertEquals(VtdFaultReason.CONTEXT_ENTRY_RESERVED.code(), f.unit.pendingFaultRecords().getFirst().reason());
        }
    }

    /** Programs FEDATA/FEADDR with a fresh vector and counts its deliveries. */
    private static int[] faultVector(VtdFixture f) {
        var ic = f.machine.interruptController();
        int vector = ic.allocateVector();
        int[] seen = {0};
        ic.register(vector, v -> seen[0]++);
        MsiMessage msi = ic.messageFor(vector);
        f.w32(FEDATA, msi.data());
        f.w32(FEADDR, (int) msi.address());
        f.w32(FEUADDR, 0);
        return seen;
    }

    @Test
    void shouldSignalTheFirstFaultWithAnMsiAndNoMoreUntilServiced() {
        try (VtdFixture f = faulting(VtdConfig.DEFAULT)) {
            int[] seen = faultVector(f);
            f.w32(FECTL, 0);
            fault(f, IOVA);
            fault(f, IOVA + 0x1000);
            f.machine.eventKernel().runUntilIdle();
            assertEquals(1, seen[0], "PPF was already set for the second fault");
            f.w64(frcd(0) + 8, VtdFaultRecordLayout.HI_F);
            f.w64(frcd(1) + 8, VtdFaultRecordLayout.HI_F);
            fault(f, IOVA + 0x2000);
            f.machine.eventKernel().runUntilIdle();
            assertEquals(2, seen[0]);
            assertEquals(2, f.unit.faultEventMessages());
        }
    }

    @Test
    void shouldHoldTheFaultEventPendingWhileMaskedAndDeliverItOnUnmask() {
        try (VtdFixture f = faulting(VtdConfig.DEFAULT)) {
            int[] seen = faultVector(f); // FECTL.IM is set at reset
            fault(f, IOVA);
            f.machine.eventKernel().runUntilIdle();
            assertEquals(0, seen[0]);
            assertEquals(ECTL_IM | ECTL_IP, f.r32(FECTL));
            f.w32(FECTL, 0);
            f.machine.eventKernel().runUntilIdle();
            assertEquals(1, seen[0]);
            assertEquals(0, f.r32(FECTL), "IP clears once the message is sent");
        }
    }

    @Test
    void shouldDropThePendingFaultEventWhenSoftwareServicesTheFaultsWhileMasked() {
        try (VtdFixture f = faulting(VtdConfig.DEFAULT)) {
            int[] seen = faultVector(f);
            fault(f, IOVA);
            assertEquals(ECTL_IM | ECTL_IP, f.r32(FECTL));
            f.w64(frcd(0) + 8, VtdFaultRecordLayout.HI_F);
            assertEquals(ECTL_IM, f.r32(FECTL), "nothing left pending");
            f.w32(FECTL, 0);
            f.machine.eventKernel().runUntilIdle();
            assertEquals(0, seen[0]);
        }
    }

    @Test
    void shouldSignalOverflowAsAFaultEvent() {
        try (VtdFixture f = faulting(VtdConfig.DEFAULT.withFaultRecords(1))) {
            int[] seen = faultVector(f);
            f.w32(FECTL, 0);
            fault(f, IOVA);
            f.machine.eventKernel().runUntilIdle();
            f.w64(frcd(0) + 8, VtdFaultRecordLayout.HI_F); // serviced: no condition left
            fault(f, IOVA + 0x1000);                        // recorded again: second event
            fault(f, IOVA + 0x2000);                        // overflow while PPF is set: no third
            f.machine.eventKernel().runUntilIdle();
            assertEquals(2, seen[0]);
            assertEquals(FSTS_PFO | FSTS_PPF, f.r32(FSTS) & (FSTS_PFO | FSTS_PPF));
        }
    }

    @Test
    void shouldSendNoMessageToAnAddressOutsideTheInterruptRange() {
        try (VtdFixture f = faulting(VtdConfig.DEFAULT)) {
            f.w32(FEADDR, 0x1000);
            f.w32(FECTL, 0);
            long before = f.cpu.read64(0x1000);
            fault(f, IOVA);
            f.machine.eventKernel().runUntilIdle();
            assertEquals(1, f.unit.messagesDropped());
            assertEquals(before, f.cpu.read64(0x1000));
        }
    }

    @Test
    void shouldTellListenersOfEveryBlockedAccess() {
        try (VtdFixture f = faulting(VtdConfig.DEFAULT.withFaultRecords(1))) {
            List<VtdUnit.BlockedAccess> seen = new ArrayList<>();
            f.unit.addBlockedAccessListener(seen::add);
            fault(f, IOVA);
            f.dmaWrite(IOVA + 0x1000, new byte[4]);
            assertEquals(2, seen.size());
            assertTrue(seen.get(0).recorded());
            assertFalse(seen.get(1).recorded(), "the single record was full");
            assertTrue(seen.get(1).write());
            assertEquals(VtdFaultReason.WRITE_NOT_PERMITTED, seen.get(1).reason());
            assertEquals(DEVICE, seen.get(1).requester());
        }
    }

    @Test
    void shouldTraceFaultsAndInvalidationsOnTheUnitsTrack() {
        try (VtdFixture f = faulting(VtdConfig.DEFAULT)) {
            f.machine.trace().enable(true);
            fault(f, IOVA);
            f.w64(iotlbOffset(DEFAULT_IRO), IOTLB_IVT | ((long) IOTLB_GLOBAL << IOTLB_IIRG_SHIFT));
            List<String> names = f.machine.trace().events().stream()
                    .filter(e -> e.track().equals(f.unit.name())).map(e -> e.name()).toList();
            assertEquals(List.of("fault READ_NOT_PERMITTED", "IOTLB invalidation"), names);
        }
    }
}
