package org.jdma.machine.dev.memcpy;

import static org.jdma.spec.memcpy.CopyEngineRegisters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jdma.machine.mmio.RegisterAccess;
import org.jdma.machine.mmio.Register;
import org.junit.jupiter.api.Test;
import org.jdma.spec.memcpy.CopyEngineRegisters;

/** The register map against the datasheet ({@link CopyEngineRegisters}), row by row, through MMIO. */
class CopyEngineRegistersTest {

    /** The datasheet's table as data: name, offset, width, access, bits that exist, reset value. */
    private static final List<Register> DATASHEET = List.of(
            new Register("VERSION", 0x000, 4, RegisterAccess.RO, 0xFFFF, 0x0100),
            new Register("CAP", 0x004, 4, RegisterAccess.RO, 0xFF7F_1F1FL,
                    31 | 0 << 8 | 16 << 16 | CAP_CHAIN | CAP_BLOCK_ON_FAULT | 15 << 24),
            new Register("CONTROL", 0x008, 4, RegisterAccess.RW, 0x7, 0),
            new Register("STATUS", 0x00C, 4, RegisterAccess.RO, 0x303, STATUS_IDLE),
            new Register("RING_BASE", 0x010, 8, RegisterAccess.RW, ~0x3FL, 0),
            new Register("RING_SIZE", 0x018, 4, RegisterAccess.RW, 0xFFFF_FFFFL, 0),
            new Register("ERROR", 0x01C, 4, RegisterAccess.RW1C, 0x1F, 0),
            new Register("FETCH_INDEX", 0x020, 4, RegisterAccess.RO, 0xFFFF_FFFFL, 0),
            new Register("SUBMIT_INDEX", 0x024, 4, RegisterAccess.RW, 0xFFFF_FFFFL, 0),
            new Register("ERROR_ADDRESS", 0x028, 8, RegisterAccess.RO, -1L, 0),
            new Register("COMPLETED", 0x030, 8, RegisterAccess.RO, -1L, 0),
            new Register("ERR_INT_HANDLE", 0x038, 4, RegisterAccess.RW, 0xFFFF, 0),
            new Register("PAGE_REQ_ADDRESS", 0x040, 8, RegisterAccess.RO, -1L, 0),
            new Register("PAGE_REQ", 0x048, 4, RegisterAccess.RO, 0x3, 0),
            new Register("PAGE_RESPONSE", 0x04C, 4, RegisterAccess.WO, 0xF, 0));

    @Test
    void shouldDeclareEveryDatasheetRowWithItsOffsetWidthAccessMaskAndReset() {
        try (EngineRig rig = new EngineRig()) {
            assertEquals(DATASHEET, rig.engine.registerTable());
        }
    }

    @Test
    void shouldReadResetValuesThroughMmio() {
        try (EngineRig rig = new EngineRig()) {
            for (Register r : DATASHEET) {
                long v = r.width() == 8 ? rig.reg64(r.offset()) : rig.reg(r.offset());
                assertEquals(r.reset(), v, r.name() + " after reset");
            }
        }
    }

    @Test
    void shouldComputeCapFromTheEngineConfig() {
        CopyEngineConfig c = new CopyEngineConfig(10, 10, 20, 3, 10, 8);
        try (EngineRig rig = new EngineRig(EngineRig.config(c))) {
            long cap = rig.reg(CAP);
            assertEquals(20, cap & CAP_MAX_XFER_SHIFT_MASK);
            assertEquals(3, (cap & CAP_ALIGN_SHIFT_MASK) >>> CAP_ALIGN_SHIFT_SHIFT);
            assertEquals(10, (cap & CAP_MAX_RING_SHIFT_MASK) >>> CAP_MAX_RING_SHIFT_SHIFT);
            assertEquals(8 - 1, (cap & CAP_MSIX_SIZE_MASK) >>> CAP_MSIX_SIZE_SHIFT);
            assertEquals(CAP_CHAIN | CAP_BLOCK_ON_FAULT, cap & (CAP_CHAIN | CAP_BLOCK_ON_FAULT), "chains and block on fault are advertised");
        }
    }

    @Test
    void shouldFitTheLargestMsixTableJustBeforeThePba() {
        assertEquals(128, CopyEngineConfig.MAX_MSIX_ENTRIES);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CopyEngineConfig.DEFAULT.withMsixEntries(129));
        assertTrue(e.getMessage().contains("0x1800"), e.getMessage());
        try (EngineRig rig = new EngineRig(EngineRig.config(CopyEngineConfig.DEFAULT.withMsixEntries(128)))) {
            assertEquals(127, rig.reg(CAP) >>> CAP_MSIX_SIZE_SHIFT);
            int last = MSIX_TABLE + 127 * MSIX_ENTRY_SIZE;
            rig.write(last + MSIX_DATA, 0x77);
            assertEquals(0x77, rig.reg(last + MSIX_DATA));
            assertEquals(MSIX_VECTOR_MASKED, rig.reg(last + MSIX_VECTOR_CONTROL));
            assertEquals(0, rig.reg64(MSIX_PBA + 8), "PBA word 1 (entries 64..127)");
        }
    }

    @Test
    void shouldIgnoreWritesToReadOnlyRegisters() {
        try (EngineRig rig = new EngineRig()) {
            for (Register r : DATASHEET) {
                if (r.access() != RegisterAccess.RO) {
                    continue;
                }
                long before = r.width() == 8 ? rig.reg64(r.offset()) : rig.reg(r.offset());
                if (r.width() == 8) {
                    rig.write64(r.offset(), -1L);
                    assertEquals(before, rig.reg64(r.offset()), r.name());
                } else {
                    rig.write(r.offset(), 0xFFFF_FFFFL);
                    assertEquals(before, rig.reg(r.offset()), r.name());
                }
            }
        }
    }

    @Test
    void shouldReadReservedBitsOfReadWriteRegistersAsZero() {
        try (EngineRig rig = new EngineRig()) {
            rig.write64(RING_BASE, -1L);
            assertEquals(~0x3FL, rig.reg64(RING_BASE));
            rig.write(RING_SIZE, 0xFFFF_FFFFL);
            assertEquals(0xFFFF_FFFFL, rig.reg(RING_SIZE));
            rig.write(ERR_INT_HANDLE, 0xFFFF_FFFFL);
            assertEquals(0xFFFF, rig.reg(ERR_INT_HANDLE));
            rig.write(CONTROL, 0xFFFF_FFF8L | CONTROL_ERR_INT_EN);
            assertEquals(CONTROL_ERR_INT_EN, rig.reg(CONTROL));
        }
    }

    @Test
    void shouldReadSixtyFourBitRegistersAsTwoHalves() {
        try (EngineRig rig = new EngineRig()) {
            rig.write(RING_BASE, 0x1234_5640L);
            rig.write(RING_BASE + 4, 0x9);
            assertEquals(0x9_1234_5640L, rig.reg64(RING_BASE));
            assertEquals(0x1234_5640L, rig.reg(RING_BASE));
            assertEquals(0x9, rig.reg(RING_BASE + 4));
        }
    }

    @Test
    void shouldClearErrorBitsOnlyWhereOneIsWritten() {
        try (EngineRig rig = new EngineRig()) {
            rig.write(CONTROL, CONTROL_ENABLE); // RING_SIZE 0: RING_CONFIG
            rig.write(SUBMIT_INDEX, 5); // disabled, RING_SIZE 0: SUBMIT_RANGE
            assertEquals(ERROR_RING_CONFIG | ERROR_SUBMIT_RANGE, rig.reg(ERROR));
            rig.write(ERROR, 0);
            assertEquals(ERROR_RING_CONFIG | ERROR_SUBMIT_RANGE, rig.reg(ERROR));
            rig.write(ERROR, ERROR_RING_CONFIG | ERROR_FETCH_FAULT);
            assertEquals(ERROR_SUBMIT_RANGE, rig.reg(ERROR));
            rig.write(ERROR, 0xFFFF_FFFFL);
            assertEquals(0, rig.reg(ERROR));
        }
    }

    @Test
    void shouldSelfClearResetAndReturnEveryRegisterToItsResetValue() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(8);
            rig.write(ERR_INT_HANDLE, 3);
            rig.write(CONTROL, CONTROL_ENABLE | CONTROL_ERR_INT_EN);
            rig.submit(EngineRig.noop(EngineRig.recordAddress(0)));
            rig.runIdle();
            rig.write(SUBMIT_INDEX, 99); // SUBMIT_RANGE
            assertEquals(1, rig.reg64(COMPLETED));
            assertEquals(1, rig.reg(FETCH_INDEX));
            assertEquals(ERROR_SUBMIT_RANGE, rig.reg(ERROR));

            rig.write(CONTROL, CONTROL_RESET | CONTROL_ENABLE);

            for (Register r : DATASHEET) {
                long v = r.width() == 8 ? rig.reg64(r.offset()) : rig.reg(r.offset());
                assertEquals(r.reset(), v, r.name() + " after RESET");
            }
            assertEquals(STATE_DISABLED, rig.state());
        }
    }

    @Test
    void shouldRouteTheMsixTableAndPbaAndLeaveTheRestUnclaimed() {
        try (EngineRig rig = new EngineRig()) {
            long entry1 = MSIX_TABLE + MSIX_ENTRY_SIZE;
            assertEquals(MSIX_VECTOR_MASKED, rig.reg((int) entry1 + MSIX_VECTOR_CONTROL));
            rig.write((int) entry1 + MSIX_DATA, 0xABCD);
            assertEquals(0xABCD, rig.reg((int) entry1 + MSIX_DATA));
            assertEquals(0, rig.reg(MSIX_PBA));
            // Past the 16-entry table, in the gap before the PBA, and past the registers: nothing there.
            int gap = MSIX_TABLE + 16 * MSIX_ENTRY_SIZE;
            rig.write(gap, 0xFFFF_FFFFL);
            assertEquals(0, rig.reg(gap));
            rig.write(0x040, 0xFFFF_FFFFL);
            assertEquals(0, rig.reg(0x040));
        }
    }

    @Test
    void shouldRejectSubmitIndexOutsideTheRingAndKeepTheDoorbell() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(8);
            rig.write(SUBMIT_INDEX, 8);
            assertEquals(ERROR_SUBMIT_RANGE, rig.reg(ERROR));
            assertEquals(0, rig.reg(SUBMIT_INDEX));
            assertTrue((rig.reg(STATUS) & STATUS_IDLE) != 0);
            assertEquals(0, rig.reg(FETCH_INDEX));
        }
    }
}
