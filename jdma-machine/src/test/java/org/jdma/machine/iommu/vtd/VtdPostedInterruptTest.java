package org.jdma.machine.iommu.vtd;

import static org.jdma.spec.vtd.VtdPostedDescriptorLayout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jdma.machine.bus.DmaResult;
import org.jdma.spec.pci.RequesterId;
import org.jdma.spec.vtd.VtdCapabilityLayout;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.vtd.VtdFaultRecordLayout;
import org.jdma.spec.vtd.VtdIrteLayout;
import org.jdma.spec.vtd.VtdPostedDescriptorLayout;
import org.junit.jupiter.api.Test;

/**
 * Posted interrupts (VT-d §5.2.3, §9.11, §9.12) on a unit with CAP.PI: a posted-format entry sets
 * its virtual vector in the descriptor's PIR, and the notification event goes out only when ON was
 * clear and SN does not suppress it; a descriptor outside RAM is fault 0x27.
 */
class VtdPostedInterruptTest {

    private static final RequesterId ENGINE = VtdFixture.DEVICE;
    /** The notification vector: OTHER_VECTOR of the remapping test's fixture has a handler. */
    private static final int NV = 0x52;
    private static final int VV = 0x61;
    private static final int APIC = 1;
    private static final VtdConfig UNIT = VtdConfig.DEFAULT.withPostedInterrupts(true);

    private static long hi(long pda) {
        return VtdIrteLayout.postedHi(ENGINE.sourceId(), 0, VtdIrteLayout.SVT_REQUESTER_ID, pda);
    }

    private static long pir(VtdInterruptRemappingTest.Ir ir, long pid, int vector) {
        return ir.f.cpu.read64(pid + pirWordOffset(vector)) & pirBit(vector);
    }

    private static long control(VtdInterruptRemappingTest.Ir ir, long pid) {
        return ir.f.cpu.read64(pid + CONTROL);
    }

    /** A zeroed page holding a descriptor with notification vector NV to APIC id APIC. */
    private static long descriptor(VtdInterruptRemappingTest.Ir ir, boolean sn) {
        long pid = ir.f.page();
        ir.f.cpu.write64(pid + CONTROL, VtdPostedDescriptorLayout.control(NV, APIC, false, sn));
        return pid;
    }

    @Test
    void shouldAdvertisePostedInterruptsOnlyWhenConfigured() {
        assertTrue((UNIT.cap() & VtdCapabilityLayout.CAP_PI) != 0);
        assertEquals(0, VtdConfig.DEFAULT.cap() & VtdCapabilityLayout.CAP_PI);
        assertFalse(VtdConfig.DEFAULT.withPostedInterrupts(true).withInterruptRemapping(false).postedInterrupts(),
                "no posting without remapping");
        assertThrows(IllegalArgumentException.class,
                () -> VtdConfig.DEFAULT.withInterruptRemapping(false).withPostedInterrupts(true));
    }

    @Test
    void shouldLayOutThePostedEntryAndDescriptorAtTheirBitOffsets() {
        long pda = 0x1_2345_6780L;
        long lo = VtdIrteLayout.postedLo(VV, pda, true, false);
        assertEquals(1, lo & 1, "P");
        assertEquals(1, (lo >>> 15) & 1, "IM");
        assertEquals(1, (lo >>> 14) & 1, "URG");
        assertEquals(VV, (lo >>> 16) & 0xFF, "VV in 23:16");
        assertEquals(0x2345_6780L >>> 6, lo >>> 38, "PDA[31:6] in 63:38");
        assertEquals(1, hi(pda) >>> 32, "PDA[63:32] in 127:96");
        assertEquals(pda, VtdIrteLayout.postedDescriptor(lo, hi(pda)));
        long control = VtdPostedDescriptorLayout.control(NV, 3, true, true);
        assertEquals(0x0000_0300_0052_0003L, control, "ON bit 256, SN 257, NV 279:272, NDST 319:288 with the APIC id in 15:8");
        assertEquals(8, pirWordOffset(0x41), "vector 0x41 in PIR bits 127:64");
        assertEquals(1L << 1, pirBit(0x41));
    }

    @Test
    void shouldPostTheVirtualVectorAndNotifyOnlyWhileOnIsClear() {
        try (var ir = new VtdInterruptRemappingTest.Ir(UNIT, true)) {
            long pid = descriptor(ir, false);
            ir.irte(7, VtdIrteLayout.postedLo(VV, pid, false, false), hi(pid));
            ir.irte(8, VtdIrteLayout.postedLo(VV + 64, pid, false, false), hi(pid));

            DmaResult r = ir.sendRemappable(ENGINE, 7);
            assertTrue(r.isOk(), r.toString());
            assertTrue(pir(ir, pid, VV) != 0, "VV set in PIR");
            assertTrue(on(control(ir, pid)), "ON set with the notification");
            assertEquals(1, ir.f.machine.interruptController().dispatched(NV, APIC), "notification NV to NDST");
            assertEquals(0, ir.f.machine.interruptController().dispatched(VV, APIC), "the virtual vector is not delivered");

            assertTrue(ir.sendRemappable(ENGINE, 8).isOk());
            assertTrue(pir(ir, pid, VV + 64) != 0, "a second vector lands in the next PIR word");
            assertEquals(1, ir.f.machine.interruptController().dispatched(NV, APIC), "ON was set: no second notification");

            // Software drains PIR and clears ON: the next posting notifies again.
            ir.f.cpu.write64(pid + CONTROL, control(ir, pid) & ~ON);
            assertTrue(ir.sendRemappable(ENGINE, 7).isOk());
            assertEquals(2, ir.f.machine.interruptController().dispatched(NV, APIC));
            assertEquals(List.of(), ir.faults());
            assertEquals(3, ir.f.unit.postedInterruptCounters()[0]);
            assertEquals(2, ir.f.unit.postedInterruptCounters()[1]);
        }
    }

    @Test
    void shouldSuppressTheNotificationWhileSnIsSetUnlessTheEntryIsUrgent() {
        try (var ir = new VtdInterruptRemappingTest.Ir(UNIT, true)) {
            long pid = descriptor(ir, true);
            ir.irte(2, VtdIrteLayout.postedLo(VV, pid, false, false), hi(pid));
            ir.irte(3, VtdIrteLayout.postedLo(VV + 1, pid, true, false), hi(pid));

            assertTrue(ir.sendRemappable(ENGINE, 2).isOk());
            assertTrue(pir(ir, pid, VV) != 0, "posted while suppressed");
            assertFalse(on(control(ir, pid)), "SN: ON stays clear");
            assertEquals(0, ir.f.machine.interruptController().dispatched(NV, APIC));

            assertTrue(ir.sendRemappable(ENGINE, 3).isOk());
            assertTrue(on(control(ir, pid)), "URG overrides SN");
            assertEquals(1, ir.f.machine.interruptController().dispatched(NV, APIC));
        }
    }

    @Test
    void shouldRecordFault0x27WhenTheDescriptorIsNotMemory() {
        try (var ir = new VtdInterruptRemappingTest.Ir(UNIT, true)) {
            long beyondRam = 0x40_0000_0000L;
            ir.irte(9, VtdIrteLayout.postedLo(VV, beyondRam, false, false), hi(beyondRam));
            DmaResult r = ir.sendRemappable(ENGINE, 9);
            assertFalse(r.isOk());
            assertEquals(VtdFaultReason.IR_POSTED_DESCRIPTOR_INVALID.code(), r.detail().code());
            List<VtdUnit.FaultRecord> records = ir.faults();
            assertEquals(1, records.size());
            assertEquals(0x27, records.getFirst().reason());
            assertEquals(ENGINE.sourceId(), records.getFirst().sourceId());
            assertEquals(9, VtdFaultRecordLayout.interruptIndex(records.getFirst().pageAddress()));
            assertEquals(0, ir.f.machine.interruptController().dispatched(NV, APIC));
        }
    }

    @Test
    void shouldRefuseReservedBitsOfAPostedEntry() {
        try (var ir = new VtdInterruptRemappingTest.Ir(UNIT, true)) {
            long pid = descriptor(ir, false);
            ir.irte(4, VtdIrteLayout.postedLo(VV, pid, false, false) | 1L << 24, hi(pid));
            DmaResult r = ir.sendRemappable(ENGINE, 4);
            assertEquals(VtdFaultReason.IR_ENTRY_RESERVED.code(), r.detail().code());
            assertEquals(0, pir(ir, pid, VV), "nothing posted");
        }
    }

    @Test
    void shouldTreatImAsReservedOnAUnitWithoutPostedInterrupts() {
        try (var ir = new VtdInterruptRemappingTest.Ir(VtdConfig.DEFAULT, true)) {
            long pid = descriptor(ir, false);
            ir.irte(4, VtdIrteLayout.postedLo(VV, pid, false, false), hi(pid));
            DmaResult r = ir.sendRemappable(ENGINE, 4);
            assertEquals(VtdFaultReason.IR_ENTRY_RESERVED.code(), r.detail().code());
            assertEquals(0, pir(ir, pid, VV));
            assertEquals(0, ir.f.unit.postedInterruptCounters()[0]);
        }
    }
}
