package org.jdma.machine.dev.memcpy;

import static org.jdma.spec.memcpy.CopyEngineRegisters.*;
import static org.jdma.machine.dev.memcpy.EngineRig.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jdma.platform.irq.MsiMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.Opcode;

/**
 * Every per-descriptor error status, triggered by a deliberately bad descriptor: the record names
 * it, no data moves, and the engine completes the next good descriptor.
 */
class CopyEngineErrorsTest {

    /** Config with limits small enough to cross: 4 KiB transfers, 8-byte alignment, 16 MSI-X entries. */
    private static final CopyEngineConfig STRICT = CopyEngineConfig.DEFAULT.withMaxTransferShift(12).withAlignmentShift(3);

    record Case(String name, CompletionStatus expected, Function<Long, Desc> descriptor) {
        @Override public String toString() { return name; }
    }

    private static final long SRC = DATA;
    private static final long DST = DATA + 0x10000;

    static Stream<Case> badDescriptors() {
        return Stream.of(
                new Case("PASID set", CompletionStatus.NOZERO_RESERVE, r -> memmove(SRC, DST, 64, r).word(CopyDescriptorLayout.PASID_PRIV, 1)),
                new Case("Priv set", CompletionStatus.NOZERO_RESERVE, r -> memmove(SRC, DST, 64, r).word(CopyDescriptorLayout.PASID_PRIV, 1 << 31)),
                new Case("reserved 0x26", CompletionStatus.NOZERO_RESERVE, r -> memmove(SRC, DST, 64, r).setByte(CopyDescriptorLayout.RSVD1 + 1, 1)),
                new Case("op-specific 0x28", CompletionStatus.NOZERO_RESERVE, r -> memmove(SRC, DST, 64, r).setByte(CopyDescriptorLayout.OP_SPECIFIC, 1)),
                new Case("op-specific 0x3F", CompletionStatus.NOZERO_RESERVE, r -> memmove(SRC, DST, 64, r).setByte(0x3F, 0x80)),
                new Case("BATCH of 1", CompletionStatus.DESC_CNT_ERANGE, r -> memmove(SRC, DST, 1, r).op(Opcode.BATCH.code(), RECORD_FLAGS)),
                new Case("BATCH of 65", CompletionStatus.DESC_CNT_ERANGE,
                        r -> memmove(SRC, DST, CopyDescriptorLayout.MAX_BATCH_SIZE + 1, r).op(Opcode.BATCH.code(), RECORD_FLAGS)),
                new Case("BATCH list +8", CompletionStatus.DESCLIST_ALIGN, r -> memmove(SRC + 8, DST, 2, r).op(Opcode.BATCH.code(), RECORD_FLAGS)),
                new Case("opcode 0xFF", CompletionStatus.BAD_OPCODE, r -> memmove(SRC, DST, 64, r).op(0xFF, RECORD_FLAGS)),
                new Case("completion record status flag", CompletionStatus.INVALID_FLAGS,
                        r -> memmove(SRC, DST, 64, r).op(Opcode.MEMMOVE.code(), RECORD_FLAGS | CopyDescriptorLayout.FLAG_CRSTS)),
                new Case("chain-link LAST flag outside a chain", CompletionStatus.INVALID_FLAGS,
                        r -> memmove(SRC, DST, 64, r).op(Opcode.MEMMOVE.code(), RECORD_FLAGS | CopyDescriptorLayout.FLAG_LINK_LAST)),
                new Case("CHAIN list +8", CompletionStatus.DESCLIST_ALIGN, r -> memmove(SRC + 8, DST, 0, r).op(Opcode.CHAIN.code(), RECORD_FLAGS)),
                new Case("flag bit 23", CompletionStatus.INVALID_FLAGS,
                        r -> memmove(SRC, DST, 64, r).op(Opcode.MEMMOVE.code(), RECORD_FLAGS | 1 << 23)),
                new Case("size 0", CompletionStatus.XFER_ERANGE, r -> memmove(SRC, DST, 0, r)),
                new Case("size 4097", CompletionStatus.XFER_ERANGE, r -> memmove(SRC, DST, 4097, r)),
                new Case("fill size 0", CompletionStatus.XFER_ERANGE, r -> memfill(-1L, DST, 0, r)),
                new Case("compare size 0xFFFFFFFF", CompletionStatus.XFER_ERANGE, r -> compare(SRC, DST, 0xFFFF_FFFFL, r)),
                new Case("memmove src +1", CompletionStatus.ADDR_ALIGN, r -> memmove(SRC + 1, DST, 64, r)),
                new Case("memmove dst +4", CompletionStatus.ADDR_ALIGN, r -> memmove(SRC, DST + 4, 64, r)),
                new Case("memfill dst +2", CompletionStatus.ADDR_ALIGN, r -> memfill(-1L, DST + 2, 64, r)),
                new Case("compare second +1", CompletionStatus.ADDR_ALIGN, r -> compare(SRC, DST + 1, 64, r)),
                new Case("RCI handle 16", CompletionStatus.INT_HANDLE_INVAL,
                        r -> memmove(SRC, DST, 64, r).op(Opcode.MEMMOVE.code(), RECORD_FLAGS | CopyDescriptorLayout.FLAG_RCI).handle(16)),
                new Case("RCI handle 0xFFFF", CompletionStatus.INT_HANDLE_INVAL,
                        r -> noop(r).op(Opcode.NOOP.code(), RECORD_FLAGS | CopyDescriptorLayout.FLAG_RCI).handle(0xFFFF)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDescriptors")
    void shouldCompleteABadDescriptorWithItsStatusMoveNothingAndGoOn(Case c) {
        try (EngineRig rig = new EngineRig(EngineRig.config(STRICT))) {
            rig.enable(16);
            byte[] src = new byte[8192];
            Arrays.fill(src, (byte) 0x5A);
            rig.cpu.write(SRC, src);
            int bad = rig.submit(c.descriptor().apply(recordAddress(0)));
            int good = rig.submit(memmove(SRC, DST + 0x4000, 64, recordAddress(1)));
            rig.runIdle();

            Completion rec = rig.record(recordAddress(bad));
            assertEquals(c.expected(), rec.code(), c.name());
            assertEquals(0, rec.bytesCompleted(), "no progress reported");
            assertArrayEquals(new byte[8192], rig.bytes(DST, 8192), "no data moved");
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(good)).code(), "next good descriptor");
            assertEquals(0x5A, rig.bytes(DST + 0x4000, 1)[0]);
            assertEquals(2, rig.reg64(COMPLETED));
            assertEquals(0, rig.reg(ERROR), "a descriptor error is no ring error");
            assertEquals(STATE_RUNNING | STATUS_IDLE, rig.reg(STATUS));
            assertEquals(1L, rig.engine.errorsByStatus().get(c.expected()));
        }
    }

    @Test
    void shouldNameTheUnsupportedFlagsInTheRecord() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            int flags = RECORD_FLAGS | CopyDescriptorLayout.FLAG_CRSTS | CopyDescriptorLayout.FLAG_CR | 1 << 20;
            rig.submit(noop(recordAddress(0)).op(Opcode.NOOP.code(), flags));
            rig.runIdle();
            Completion c = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.INVALID_FLAGS, c.code());
            assertEquals(CopyDescriptorLayout.FLAG_CRSTS | CopyDescriptorLayout.FLAG_CR | 1 << 20, c.invalidFlags());
        }
    }

    @Test
    void shouldReportTheFirstFailingCheckInDatasheetOrder() {
        int rci = RECORD_FLAGS | CopyDescriptorLayout.FLAG_RCI;
        List<Case> layered = List.of(
                new Case("reserved before opcode", CompletionStatus.NOZERO_RESERVE, r -> noop(r).op(0x7F, RECORD_FLAGS).word(0, 1)),
                new Case("opcode before flags", CompletionStatus.BAD_OPCODE, r -> noop(r).op(0x7F, RECORD_FLAGS | CopyDescriptorLayout.FLAG_CRSTS)),
                new Case("flags before size", CompletionStatus.INVALID_FLAGS,
                        r -> memmove(SRC, DST, 0, r).op(Opcode.MEMMOVE.code(), RECORD_FLAGS | CopyDescriptorLayout.FLAG_CRSTS)),
                new Case("size before alignment", CompletionStatus.XFER_ERANGE, r -> memmove(SRC + 1, DST, 0, r)),
                new Case("alignment before handle", CompletionStatus.ADDR_ALIGN,
                        r -> memmove(SRC + 1, DST, 64, r).op(Opcode.MEMMOVE.code(), rci).handle(999)));
        try (EngineRig rig = new EngineRig(EngineRig.config(STRICT))) {
            rig.enable(16);
            for (int i = 0; i < layered.size(); i++) {
                rig.submit(layered.get(i).descriptor().apply(recordAddress(i)));
            }
            rig.runIdle();
            for (int i = 0; i < layered.size(); i++) {
                assertEquals(layered.get(i).expected(), rig.record(recordAddress(i)).code(), layered.get(i).name());
            }
        }
    }

    @Test
    void shouldWriteNoRecordToAMisalignedAddressAndFlagACompletionFault() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            rig.cpu.fill(RECORDS, 128, (byte) 0xEE);
            long misaligned = RECORDS + 40;
            rig.submit(noop(misaligned));
            rig.submit(noop(recordAddress(4)));
            rig.runIdle();
            byte[] untouched = new byte[128];
            Arrays.fill(untouched, (byte) 0xEE);
            assertArrayEquals(untouched, rig.bytes(RECORDS, 128));
            assertEquals(ERROR_COMPLETION_FAULT, rig.reg(ERROR));
            assertEquals(misaligned, rig.reg64(ERROR_ADDRESS));
            assertEquals(STATE_RUNNING, rig.state(), "a completion fault does not halt");
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(4)).code());
            assertEquals(1L, rig.engine.errorsByStatus().get(CompletionStatus.CRA_ALIGN));
        }
    }

    @Test
    void shouldNotWriteAnyRecordToAMisalignedAddressWhateverTheStatus() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            rig.cpu.fill(RECORDS, 64, (byte) 0xEE);
            rig.submit(noop(RECORDS + 8).op(0x7F, RECORD_FLAGS)); // BAD_OPCODE is found first
            rig.runIdle();
            byte[] untouched = new byte[64];
            Arrays.fill(untouched, (byte) 0xEE);
            assertArrayEquals(untouched, rig.bytes(RECORDS, 64));
            assertEquals(ERROR_COMPLETION_FAULT, rig.reg(ERROR));
        }
    }

    @Test
    void shouldReportAReadFaultWithItsAddressAndTheBytesDoneBeforeIt() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            long src = RAM_SIZE - 100;
            rig.cpu.fill(src, 100, (byte) 0x77);
            rig.submit(memmove(src, DST, 300, recordAddress(0)));
            rig.submit(noop(recordAddress(1)));
            rig.runIdle();
            Completion c = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.PAGE_FAULT_NOBOF, c.code());
            assertFalse(c.writeFault());
            assertEquals(RAM_SIZE, c.faultAddress());
            assertEquals(100, c.bytesCompleted());
            byte[] want = new byte[101];
            Arrays.fill(want, 0, 100, (byte) 0x77);
            assertArrayEquals(want, rig.bytes(DST, 101), "the prefix before the fault, nothing after");
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(1)).code());
        }
    }

    @Test
    void shouldSetBitSevenWhenTheFaultIsOnAWrite() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            rig.submit(memfill(0x1111_1111_1111_1111L, RAM_SIZE - 64, 128, recordAddress(0)));
            rig.submit(memmove(SRC, HOLE, 16, recordAddress(1)));
            rig.runIdle();
            Completion fill = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.PAGE_FAULT_NOBOF.code() | CompletionStatus.WRITE_FAULT_BIT, fill.status());
            assertEquals(RAM_SIZE, fill.faultAddress());
            assertEquals(64, fill.bytesCompleted());
            Completion move = rig.record(recordAddress(1));
            assertTrue(move.writeFault());
            assertEquals(HOLE, move.faultAddress());
            assertEquals(0, move.bytesCompleted());
            assertEquals(2L, rig.engine.errorsByStatus().get(CompletionStatus.PAGE_FAULT_NOBOF));
        }
    }

    @Test
    void shouldReportACompareFaultOnEitherSource() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            rig.submit(compare(HOLE, SRC, 64, recordAddress(0)));
            rig.submit(compare(SRC, HOLE + 0x1000, 64, recordAddress(1)));
            rig.runIdle();
            assertEquals(new Completion(CompletionStatus.PAGE_FAULT_NOBOF.code(), 0, 0, HOLE, 0), rig.record(recordAddress(0)));
            assertEquals(new Completion(CompletionStatus.PAGE_FAULT_NOBOF.code(), 0, 0, HOLE + 0x1000, 0), rig.record(recordAddress(1)));
        }
    }

    @Test
    void shouldFlagACompletionFaultWhenTheRecordCannotBeWrittenAndGoOn() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            rig.cpu.fill(SRC, 64, (byte) 3);
            rig.submit(memmove(SRC, DST, 64, HOLE));
            rig.submit(noop(recordAddress(1)));
            rig.runIdle();
            assertEquals(3, rig.bytes(DST, 1)[0], "the data still moved");
            assertEquals(ERROR_COMPLETION_FAULT, rig.reg(ERROR));
            assertEquals(HOLE, rig.reg64(ERROR_ADDRESS), "the record address");
            assertEquals(STATE_RUNNING | STATUS_IDLE, rig.reg(STATUS));
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(1)).code());
            assertEquals(2, rig.reg64(COMPLETED));
        }
    }

    @Test
    void shouldRaiseTheErrorInterruptWhenAnErrorBitIsSetAndEnabled() {
        try (EngineRig rig = new EngineRig()) {
            int vector = rig.machine.interrupts().allocateVector();
            int[] errors = new int[1];
            rig.machine.interrupts().register(vector, v -> errors[0]++);
            rig.msix(5, rig.machine.interrupts().messageFor(vector));
            rig.write(ERR_INT_HANDLE, 5);
            rig.write64(RING_BASE, RING);
            rig.write(RING_SIZE, 16);
            rig.write(CONTROL, CONTROL_ENABLE | CONTROL_ERR_INT_EN);
            rig.ringSize = 16;

            rig.submit(memmove(SRC, DST, 64, HOLE)); // COMPLETION_FAULT
            rig.runIdle();
            assertEquals(1, errors[0]);
            rig.submit(memmove(SRC, DST, 64, HOLE)); // same bit still set: no new edge
            rig.runIdle();
            assertEquals(1, errors[0]);
            rig.write(SUBMIT_INDEX, 77); // SUBMIT_RANGE: a new bit
            rig.runIdle();
            assertEquals(2, errors[0]);
            rig.write(ERROR, 0xF);
            rig.submit(memmove(SRC, DST, 64, HOLE));
            rig.runIdle();
            assertEquals(3, errors[0], "after clearing, the bit interrupts again");

            rig.write(CONTROL, CONTROL_ENABLE); // ERR_INT_EN off
            rig.write(ERROR, 0xF);
            rig.submit(memmove(SRC, DST, 64, HOLE));
            rig.runIdle();
            assertEquals(3, errors[0], "no error interrupt when ERR_INT_EN is clear");
        }
    }

    @Test
    void shouldRaiseTheErrorInterruptOnAFetchFault() {
        try (EngineRig rig = new EngineRig()) {
            int vector = rig.machine.interrupts().allocateVector();
            long[] seenError = {-1};
            rig.machine.interrupts().register(vector, v -> seenError[0] = rig.reg(ERROR));
            MsiMessage m = rig.machine.interrupts().messageFor(vector);
            rig.msix(0, m);
            rig.write64(RING_BASE, HOLE);
            rig.write(RING_SIZE, 4);
            rig.write(CONTROL, CONTROL_ENABLE | CONTROL_ERR_INT_EN);
            rig.write(SUBMIT_INDEX, 1);
            rig.runIdle();
            assertEquals(ERROR_FETCH_FAULT, seenError[0], "the handler sees the cause");
            assertEquals(STATE_HALTED, rig.state());
            assertEquals(HOLE, rig.reg64(ERROR_ADDRESS));
        }
    }
}
