package org.jdma.machine.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.bus.FaultReason;
import org.jdma.machine.dev.rogue.RogueDevice;
import org.jdma.spec.msi.MsiMessageLayout;
import org.jdma.spec.pci.RequesterId;
import org.jdma.spec.vtd.VtdCapabilityLayout;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.vtd.VtdFaultRecordLayout;
import org.jdma.spec.vtd.VtdInterruptRequestLayout;
import org.jdma.spec.vtd.VtdInvalidationDescriptorLayout;
import org.jdma.spec.vtd.VtdIrteLayout;
import org.junit.jupiter.api.Test;

/**
 * Interrupt remapping as an OS programs it (VT-d §5.1, §9.10): IRTA and GCMD.SIRTP, IRE, CFI;
 * interrupt requests from two devices (the copy engine at 00:04.0 and a rogue at 00:10.0) remapped,
 * passed or blocked, each fault reason provoked and read back from the fault recording registers,
 * and the interrupt entry cache stale until an IEC descriptor.
 */
class VtdInterruptRemappingTest {

    private static final RequesterId ENGINE = VtdFixture.DEVICE;
    private static final RequesterId ROGUE = RogueDevice.slot(0);
    /** IRTA.S = 7: 256 entries. */
    private static final int S = 7;
    private static final int VECTOR = 0x41;
    private static final int OTHER_VECTOR = 0x52;

    /** A fixture with a rogue device, an interrupt remapping table, the queue, and remapping on. */
    static final class Ir implements AutoCloseable {
        final VtdFixture f;
        final long table;
        final VtdInvalidationTest.Queue queue;
        final long[] handled = new long[256];

        Ir(boolean enable) {
            this(VtdConfig.DEFAULT, enable);
        }

        Ir(VtdConfig unit, boolean enable) {
            f = new VtdFixture(MachineConfig.defaults().withVtd(unit).withDevice(RogueDevice.spec(0)));
            table = f.page();
            queue = new VtdInvalidationTest.Queue(f);
            for (int v : new int[] {VECTOR, OTHER_VECTOR}) {
                f.machine.interruptController().register(v, vector -> handled[vector]++);
            }
            f.w64(IRTA, table | S);
            f.command(GCMD_SIRTP);
            assertTrue((f.r32(GSTS) & GCMD_SIRTP) != 0, "IRTPS after SIRTP");
            if (enable) {
                f.command(GCMD_IRE);
                assertTrue((f.r32(GSTS) & GCMD_IRE) != 0, "IRES after IRE");
            }
        }

        void irte(int index, long lo, long hi) {
            long at = table + (long) index * VtdIrteLayout.SIZE;
            f.cpu.write64(at + VtdIrteLayout.HI, hi);
            f.cpu.write64(at + VtdIrteLayout.LO, lo);
        }

        DmaPort port(RequesterId rid) {
            return f.machine.dmaPorts().stream().filter(p -> p.requester().equals(rid)).findFirst().orElseThrow();
        }

        /** Sends a request from {@code rid} and lets the interrupt reach its handler. */
        DmaResult send(RequesterId rid, long address, int data) {
            DmaResult r = port(rid).signalMsi(address, data);
            f.machine.clock().runFor(10_000);
            return r;
        }

        DmaResult sendRemappable(RequesterId rid, int index) {
            return send(rid, VtdInterruptRequestLayout.address(index, true), 0);
        }

        void iec(long lo) {
            queue.put(lo, 0);
            queue.submit();
            assertEquals(0, f.r32(FSTS) & FSTS_IQE, "the IEC descriptor ran");
        }

        /** The fault records holding a fault, as the unit reports them. */
        List<VtdUnit.FaultRecord> faults() {
            return f.unit.pendingFaultRecords();
        }

        @Override
        public void close() {
            f.close();
        }
    }

    private static long hiFor(RequesterId rid) {
        return VtdIrteLayout.hi(rid.sourceId(), 0, VtdIrteLayout.SVT_REQUESTER_ID);
    }

    private static void assertFault(Ir ir, DmaResult r, VtdFaultReason reason, RequesterId rid, int index) {
        assertFalse(r.isOk(), "blocked: " + r);
        assertEquals(reason.code(), r.detail().code(), r.toString());
        List<VtdUnit.FaultRecord> records = ir.faults();
        assertEquals(1, records.size(), records.toString());
        VtdUnit.FaultRecord rec = records.getFirst();
        assertEquals(reason.code(), rec.reason());
        assertEquals(rid.sourceId(), rec.sourceId());
        assertEquals(index, VtdFaultRecordLayout.interruptIndex(rec.pageAddress()), "FI holds the interrupt index");
        assertFalse(rec.read(), "an interrupt request is a write");
    }

    @Test
    void shouldAdvertiseInterruptRemappingAndLatchTheTable() {
        try (Ir ir = new Ir(false)) {
            assertTrue((ir.f.r64(ECAP) & VtdCapabilityLayout.ECAP_IR) != 0);
            assertEquals(15, (ir.f.r64(ECAP) & (VtdCapabilityLayout.ECAP_MHMV_MASK << VtdCapabilityLayout.ECAP_MHMV_SHIFT))
                    >>> VtdCapabilityLayout.ECAP_MHMV_SHIFT);
            assertEquals(ir.table | S, ir.f.r64(IRTA));
            ir.f.w64(IRTA, ir.table | S | IRTA_EIME);
            assertEquals(ir.table | S, ir.f.r64(IRTA), "EIME is reserved without ECAP.EIM");
            assertEquals(0, ir.f.r32(GSTS) & GCMD_IRE);
        }
    }

    @Test
    void shouldDeliverAnyMessageUnchangedWhileRemappingIsOff() {
        try (Ir ir = new Ir(false)) {
            DmaResult r = ir.send(ENGINE, MsiMessageLayout.address(1), VECTOR);
            assertTrue(r.isOk());
            assertEquals(1, ir.f.machine.interruptController().dispatched(VECTOR, 1));
        }
    }

    @Test
    void shouldTakeVectorAndCpuFromTheEntryNotTheRequest() {
        try (Ir ir = new Ir(true)) {
            ir.irte(5, VtdIrteLayout.lo(VECTOR, 2, false), hiFor(ENGINE));
            DmaResult r = ir.sendRemappable(ENGINE, 5);
            assertTrue(r.isOk(), r.toString());
            assertEquals(1, ir.f.machine.interruptController().dispatched(VECTOR, 2), "entry 5's vector on APIC id 2");
            assertEquals(1, ir.handled[VECTOR]);
            // The sub-handle adds to the handle: handle 4 + sub-handle 1 is entry 5.
            assertTrue(ir.send(ENGINE, VtdInterruptRequestLayout.address(4, true), 1).isOk());
            assertEquals(2, ir.f.machine.interruptController().dispatched(VECTOR, 2));
            assertEquals(0, ir.faults().size());
        }
    }

    @Test
    void shouldBlockCompatibilityFormatUnlessCfiIsSet() {
        try (Ir ir = new Ir(true)) {
            DmaResult r = ir.send(ENGINE, MsiMessageLayout.address(0), VECTOR);
            assertFault(ir, r, VtdFaultReason.IR_COMPATIBILITY_BLOCKED, ENGINE, 0);
            assertEquals(FaultReason.BLOCKED, r.reason());
            assertEquals(0, ir.handled[VECTOR], "nothing delivered");

            ir.f.command(GCMD_CFI);
            assertTrue((ir.f.r32(GSTS) & GCMD_CFI) != 0, "CFIS after CFI");
            assertTrue(ir.send(ENGINE, MsiMessageLayout.address(0), VECTOR).isOk());
            assertEquals(1, ir.handled[VECTOR], "with CFIS a compatibility message passes unremapped");
        }
    }

    @Test
    void shouldRefuseReservedBitsInTheRequest() {
        try (Ir ir = new Ir(true)) {
            ir.irte(3, VtdIrteLayout.lo(VECTOR, 0, false), hiFor(ENGINE));
            DmaResult r = ir.send(ENGINE, VtdInterruptRequestLayout.address(3, true), 0x1_0000);
            assertFault(ir, r, VtdFaultReason.IR_REQUEST_RESERVED, ENGINE, 3);
            assertEquals(0, ir.handled[VECTOR]);
        }
    }

    @Test
    void shouldRefuseAnIndexBeyondTheTableEvenWithFpd() {
        try (Ir ir = new Ir(true)) {
            DmaResult r = ir.sendRemappable(ENGINE, 256);
            assertFault(ir, r, VtdFaultReason.IR_INDEX_BEYOND_TABLE, ENGINE, 256);
            assertEquals(FaultReason.OUT_OF_RANGE, r.reason());
        }
    }

    @Test
    void shouldRefuseAnEntryThatIsNotPresentAndLetFpdSuppressTheRecord() {
        try (Ir ir = new Ir(true)) {
            assertFault(ir, ir.sendRemappable(ENGINE, 9), VtdFaultReason.IR_ENTRY_NOT_PRESENT, ENGINE, 9);
            ir.f.cpu.write64(ir.table + 10 * 16, VtdIrteLayout.LO_FPD); // not present, FPD
            DmaResult r = ir.sendRemappable(ENGINE, 10);
            assertFalse(r.isOk(), "still blocked");
            assertEquals(1, ir.faults().size(), "FPD: not recorded");
            assertEquals(1, ir.f.unit.faultsSuppressed());
        }
    }

    @Test
    void shouldRefuseATableThatIsNotRam() {
        try (Ir ir = new Ir(true)) {
            ir.f.w64(IRTA, VtdFixture.NOT_RAM | S);
            ir.f.command(GCMD_SIRTP);
            assertFault(ir, ir.sendRemappable(ENGINE, 1), VtdFaultReason.IR_TABLE_INVALID, ENGINE, 1);
        }
    }

    @Test
    void shouldRefuseReservedBitsInAPresentEntry() {
        long[][] bad = {
                {VtdIrteLayout.lo(VECTOR, 0, false) | VtdIrteLayout.LO_IM, hiFor(ENGINE)},
                {VtdIrteLayout.lo(VECTOR, 0, false) | 1L << 13, hiFor(ENGINE)},
                {VtdIrteLayout.lo(VECTOR, 0, false) | 1L << 33, hiFor(ENGINE)},
                {VtdIrteLayout.lo(VECTOR, 0, false), hiFor(ENGINE) | 1L << 84 - 64},
        };
        for (long[] e : bad) {
            try (Ir ir = new Ir(true)) {
                ir.irte(7, e[0], e[1]);
                assertFault(ir, ir.sendRemappable(ENGINE, 7), VtdFaultReason.IR_ENTRY_RESERVED, ENGINE, 7);
            }
        }
    }

    @Test
    void shouldRefuseAnotherDevicesEntryBySourceId() {
        try (Ir ir = new Ir(true)) {
            ir.irte(2, VtdIrteLayout.lo(VECTOR, 0, false), hiFor(ENGINE));
            DmaResult r = ir.sendRemappable(ROGUE, 2);
            assertFault(ir, r, VtdFaultReason.IR_SOURCE_INVALID, ROGUE, 2);
            assertEquals(FaultReason.NO_PERMISSION, r.reason());
            assertEquals(0, ir.handled[VECTOR]);
            assertTrue(ir.sendRemappable(ENGINE, 2).isOk(), "the entry's own device still gets through");
        }
    }

    @Test
    void shouldValidateTheSourceAsEachSvtAndSqSays() {
        int engine = ENGINE.sourceId(); // 00:04.0 = 0x0020
        record Case(int sid, int sq, int svt, boolean engineOk, boolean rogueOk) { }
        List<Case> cases = List.of(
                new Case(0, 0, VtdIrteLayout.SVT_NONE, true, true),
                new Case(engine, 0, VtdIrteLayout.SVT_REQUESTER_ID, true, false),
                new Case(engine | 0x4, 0, VtdIrteLayout.SVT_REQUESTER_ID, false, false),   // function 4 of device 4
                new Case(engine | 0x4, 1, VtdIrteLayout.SVT_REQUESTER_ID, true, false),   // SQ 01 ignores bit 2
                new Case(engine | 0x7, 3, VtdIrteLayout.SVT_REQUESTER_ID, true, false),   // SQ 11 ignores bits 2:0
                new Case(VtdIrteLayout.busRange(0, 0), 0, VtdIrteLayout.SVT_BUS_RANGE, true, true),
                new Case(VtdIrteLayout.busRange(1, 4), 0, VtdIrteLayout.SVT_BUS_RANGE, false, false),
                new Case(engine, 0, VtdIrteLayout.SVT_RESERVED, false, false));
        for (Case c : cases) {
            try (Ir ir = new Ir(true)) {
                ir.irte(1, VtdIrteLayout.lo(VECTOR, 0, false), VtdIrteLayout.hi(c.sid, c.sq, c.svt));
                assertEquals(c.engineOk, ir.sendRemappable(ENGINE, 1).isOk(), c + " engine");
                assertEquals(c.rogueOk, ir.sendRemappable(ROGUE, 1).isOk(), c + " rogue");
            }
        }
    }

    @Test
    void shouldKeepAStaleEntryUntilAnIndexSelectiveIec() {
        try (Ir ir = new Ir(true)) {
            ir.irte(6, VtdIrteLayout.lo(VECTOR, 0, false), hiFor(ENGINE));
            assertTrue(ir.sendRemappable(ENGINE, 6).isOk());
            assertEquals(1, ir.handled[VECTOR]);
            ir.irte(6, VtdIrteLayout.lo(OTHER_VECTOR, 0, false), hiFor(ENGINE));
            ir.sendRemappable(ENGINE, 6);
            assertEquals(2, ir.handled[VECTOR], "the cached entry is used until invalidated");
            assertEquals(0, ir.handled[OTHER_VECTOR]);

            ir.iec(VtdInvalidationDescriptorLayout.iecIndex(8, 3)); // entries 8..15: not 6
            ir.sendRemappable(ENGINE, 6);
            assertEquals(3, ir.handled[VECTOR], "an IEC of another block leaves it");
            ir.iec(VtdInvalidationDescriptorLayout.iecIndex(4, 2)); // entries 4..7
            ir.sendRemappable(ENGINE, 6);
            assertEquals(1, ir.handled[OTHER_VECTOR], "fresh after the IEC");
        }
    }

    @Test
    void shouldDropEveryEntryOnAGlobalIec() {
        try (Ir ir = new Ir(true)) {
            ir.irte(1, VtdIrteLayout.lo(VECTOR, 0, false), hiFor(ENGINE));
            ir.irte(2, VtdIrteLayout.lo(VECTOR, 0, false), hiFor(ENGINE));
            ir.sendRemappable(ENGINE, 1);
            ir.sendRemappable(ENGINE, 2);
            assertEquals(2, ir.f.unit.interruptEntryCacheSize());
            ir.irte(1, 0, 0);
            ir.iec(VtdInvalidationDescriptorLayout.iecGlobal());
            assertEquals(0, ir.f.unit.interruptEntryCacheSize());
            assertFault(ir, ir.sendRemappable(ENGINE, 1), VtdFaultReason.IR_ENTRY_NOT_PRESENT, ENGINE, 1);
        }
    }

    @Test
    void shouldStopTheQueueAtAnIecDescriptorWithReservedBits() {
        try (Ir ir = new Ir(true)) {
            ir.queue.put(VtdInvalidationDescriptorLayout.iecGlobal() | 1L << 60, 0);
            ir.queue.submit();
            assertEquals(FSTS_IQE, ir.f.r32(FSTS) & FSTS_IQE);
        }
    }

    @Test
    void shouldRefuseIecOnAUnitWithoutInterruptRemapping() {
        try (VtdFixture f = new VtdFixture(VtdConfig.DEFAULT.withInterruptRemapping(false))) {
            assertEquals(0, f.r64(ECAP) & VtdCapabilityLayout.ECAP_IR);
            VtdInvalidationTest.Queue q = new VtdInvalidationTest.Queue(f);
            q.put(VtdInvalidationDescriptorLayout.iecGlobal(), 0);
            q.submit();
            assertEquals(FSTS_IQE, f.r32(FSTS) & FSTS_IQE);
            f.command(GCMD_IRE);
            assertEquals(0, f.r32(GSTS) & GCMD_IRE, "IRE is ignored without ECAP.IR");
        }
    }
}
