package org.jdma.machine.dev.memcpy;

import static org.jdma.spec.memcpy.CopyEngineRegisters.*;
import static org.jdma.machine.dev.memcpy.EngineRig.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jdma.machine.bus.Access;
import org.jdma.machine.bus.BusTiming;
import org.junit.jupiter.api.Test;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.Opcode;

/** What each opcode does to memory and what its completion record says; ring lifecycle. */
class CopyEngineOperationsTest {

    /** dmatest's patterns: source bytes have bit 7 set, destination bytes do not; low bits count. */
    private static byte[] pattern(int length, int base) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (base | (~i & 0x1F) | (i >> 5 & 0x40));
        }
        return b;
    }

    @Test
    void shouldMoveExactlyTheRequestedBytesAndReportSuccess() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            byte[] src = pattern(4096, 0x80);
            byte[] dst = pattern(4096, 0x00);
            rig.cpu.write(DATA, src);
            rig.cpu.write(DATA + 0x10000, dst);
            int srcOff = 13;
            int dstOff = 101;
            int len = 3001;
            int slot = rig.submit(memmove(DATA + srcOff, DATA + 0x10000 + dstOff, len, recordAddress(0)));
            rig.runIdle();

            byte[] expected = dst.clone();
            System.arraycopy(src, srcOff, expected, dstOff, len);
            assertArrayEquals(expected, rig.bytes(DATA + 0x10000, 4096), "destination: copied range and untouched edges");
            assertArrayEquals(src, rig.bytes(DATA, 4096), "source untouched");
            Completion c = rig.record(recordAddress(slot));
            assertEquals(CompletionStatus.SUCCESS, c.code());
            assertEquals(len, c.bytesCompleted());
            assertEquals(0, c.faultAddress());
            assertEquals(1, rig.reg64(COMPLETED));
            assertEquals(len, rig.engine.bytesMoved());
        }
    }

    @Test
    void shouldMoveOverlappingRangesWithMemmoveSemantics() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            byte[] original = pattern(1000, 0x80);
            rig.cpu.write(DATA, original);
            rig.submit(memmove(DATA, DATA + 10, 900, recordAddress(0)));
            rig.runIdle();
            byte[] expected = original.clone();
            System.arraycopy(original, 0, expected, 10, 900);
            assertArrayEquals(expected, rig.bytes(DATA, 1000));
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(0)).code());
        }
    }

    @Test
    void shouldFillWithTheEightBytePatternLittleEndianFromTheFirstByte() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            rig.cpu.fill(DATA, 64, (byte) 0x55);
            long pattern = 0x0807_0605_0403_0201L;
            rig.submit(memfill(pattern, DATA + 3, 45, recordAddress(0)));
            rig.runIdle();
            byte[] got = rig.bytes(DATA, 64);
            for (int i = 0; i < 64; i++) {
                int want = i >= 3 && i < 48 ? ((i - 3) % 8) + 1 : 0x55;
                assertEquals(want, got[i] & 0xFF, "byte " + i);
            }
            Completion c = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.SUCCESS, c.code());
            assertEquals(45, c.bytesCompleted());
        }
    }

    @Test
    void shouldReportEqualBuffersWithResultZeroAndTheFullSize() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            byte[] p = pattern(777, 0x80);
            rig.cpu.write(DATA, p);
            rig.cpu.write(DATA + 0x1000, p);
            rig.submit(compare(DATA, DATA + 0x1000, 777, recordAddress(0)));
            rig.runIdle();
            Completion c = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.SUCCESS, c.code());
            assertEquals(0, c.result());
            assertEquals(777, c.bytesCompleted());
            assertEquals(0, rig.engine.bytesMoved(), "COMPARE writes nothing");
        }
    }

    @Test
    void shouldReportTheOffsetOfTheFirstDifference() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            byte[] p = pattern(777, 0x80);
            rig.cpu.write(DATA, p);
            p[500] ^= 1;
            p[600] ^= 1;
            rig.cpu.write(DATA + 0x1000, p);
            rig.submit(compare(DATA, DATA + 0x1000, 777, recordAddress(0)));
            rig.runIdle();
            Completion c = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.SUCCESS, c.code());
            assertEquals(1, c.result());
            assertEquals(500, c.bytesCompleted());
        }
    }

    @Test
    void shouldCompleteNoopWithSuccessAndNoBytes() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            rig.cpu.fill(recordAddress(0), 32, (byte) 0xEE);
            rig.submit(noop(recordAddress(0)));
            rig.runIdle();
            Completion c = rig.record(recordAddress(0));
            assertEquals(new Completion(CompletionStatus.SUCCESS.code(), 0, 0, 0, 0), c, "every field written");
        }
    }

    @Test
    void shouldWriteNoRecordUnlessBothRcrAndCravAreSet() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            rig.cpu.fill(RECORDS, 4 * 32, (byte) 0xEE);
            rig.submit(noop(recordAddress(0)).op(Opcode.NOOP.code(), CopyDescriptorLayout.FLAG_CRAV));
            rig.submit(noop(recordAddress(1)).op(Opcode.NOOP.code(), CopyDescriptorLayout.FLAG_RCR));
            rig.submit(noop(recordAddress(2)).op(Opcode.NOOP.code(), 0));
            rig.submit(noop(recordAddress(3)));
            rig.runIdle();
            byte[] untouched = new byte[3 * 32];
            Arrays.fill(untouched, (byte) 0xEE);
            assertArrayEquals(untouched, rig.bytes(RECORDS, 3 * 32));
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(3)).code());
            assertEquals(4, rig.reg64(COMPLETED), "COMPLETED counts descriptors without records too");
        }
    }

    @Test
    void shouldWorkAroundTheRingManyTimes() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(4);
            for (int i = 0; i < 25; i++) {
                rig.cpu.fill(DATA + i * 64L, 64, (byte) i);
                int slot = rig.submit(memmove(DATA + i * 64L, DATA + 0x10000 + i * 64L, 64, recordAddress(0) + 32L * (i % 2)));
                if (i % 3 == 2) {
                    rig.runIdle();
                }
                assertTrue(slot < 4);
                // The driver may have at most 3 outstanding: wait when the ring is full.
                if ((rig.tail + 1) % 4 == rig.reg(FETCH_INDEX)) {
                    rig.runIdle();
                }
            }
            rig.runIdle();
            for (int i = 0; i < 25; i++) {
                byte[] want = new byte[64];
                Arrays.fill(want, (byte) i);
                assertArrayEquals(want, rig.bytes(DATA + 0x10000 + i * 64L, 64), "block " + i);
            }
            assertEquals(25, rig.reg64(COMPLETED));
            assertEquals(rig.tail, rig.reg(FETCH_INDEX));
            assertEquals(STATE_RUNNING | STATUS_IDLE, rig.reg(STATUS));
        }
    }

    @Test
    void shouldWriteTheRecordSetupPlusPortCostPlusCompletionLatencyAfterMovingTheData() {
        try (EngineRig rig = new EngineRig()) {
            BusTiming t = rig.machine.config().busTiming();
            CopyEngineConfig c = rig.engine.config();
            List<long[]> seen = new ArrayList<>(); // access ordinal, address, length, time
            rig.machine.addBusMonitor((rid, access, addr, len, msi, ok, time) ->
                    seen.add(new long[] {access.ordinal(), addr, len, time}));
            rig.enable(16);
            long src = DATA;
            long dst = DATA + 0x10000;
            int len = 1024;
            rig.submit(memmove(src, dst, len, recordAddress(0)));
            rig.runIdle();

            long fetchAt = seen.get(0)[3];
            long dataAt = seen.stream().filter(e -> e[0] == Access.WRITE.ordinal() && e[1] == dst).findFirst().orElseThrow()[3];
            long recordAt = seen.stream().filter(e -> e[1] == recordAddress(0)).findFirst().orElseThrow()[3];
            long fetchCost = t.readLatencyNs() + t.wireTimeNs(1);
            long copyCost = t.readLatencyNs() + t.writeLatencyNs() + t.wireTimeNs(len / t.transactionBytes());
            assertEquals(fetchAt, dataAt, "data moves in the fetch event");
            assertEquals(fetchCost + c.setupLatencyNs() + copyCost + c.completionLatencyNs(), recordAt - dataAt);
            assertEquals(recordAt - fetchAt, rig.engine.busyTimeNs());
        }
    }

    @Test
    void shouldRefuseABadRingAndStayDisabled() {
        long[][] bad = {{RING, 0}, {RING, 1}, {RING, 3}, {RING, 96}, {RING, 1L << 17}, {RING + 8, 16}};
        for (long[] b : bad) {
            try (EngineRig rig = new EngineRig()) {
                rig.write64(RING_BASE, b[0]);
                rig.write(RING_SIZE, b[1]);
                rig.write(CONTROL, CONTROL_ENABLE);
                String what = "base " + Long.toHexString(b[0]) + " size " + b[1];
                assertEquals(ERROR_RING_CONFIG, rig.reg(ERROR), what);
                assertEquals(STATE_DISABLED, rig.state(), what);
                assertEquals(0, rig.reg(CONTROL) & CONTROL_ENABLE, what + ": ENABLE reads back 0");
            }
        }
    }

    @Test
    void shouldAcceptTheSmallestAndLargestRing() {
        for (int size : new int[] {2, 1 << 16}) {
            try (EngineRig rig = new EngineRig()) {
                rig.enable(size);
                assertEquals(STATE_RUNNING, rig.state(), "size " + size);
                assertEquals(0, rig.reg(ERROR));
            }
        }
    }

    @Test
    void shouldFinishTheDescriptorInProgressButFetchNoMoreAfterDisable() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            for (int i = 0; i < 4; i++) {
                rig.put(i, noop(recordAddress(i)));
            }
            rig.write(SUBMIT_INDEX, 4);
            rig.machine.clock().runFor(1); // first descriptor fetched, its completion pending
            assertEquals(1, rig.reg(FETCH_INDEX));
            rig.write(CONTROL, 0);
            rig.runIdle();
            assertEquals(STATE_DISABLED, rig.state());
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(0)).code(), "in-progress descriptor completed");
            assertEquals(0, rig.record(recordAddress(1)).status(), "nothing fetched after disable");
            assertEquals(1, rig.reg(FETCH_INDEX));
            assertEquals(1, rig.reg64(COMPLETED));

            rig.write(CONTROL, CONTROL_ENABLE);
            assertEquals(0, rig.reg(FETCH_INDEX), "enable starts the ring empty");
            assertEquals(0, rig.reg(SUBMIT_INDEX), "enable starts the ring empty");
            rig.runIdle();
            assertEquals(0, rig.record(recordAddress(1)).status(), "no stale doorbell acted on");
        }
    }

    @Test
    void shouldAbandonTheDescriptorInFlightOnReset() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            rig.cpu.fill(DATA, 256, (byte) 7);
            rig.submit(memmove(DATA, DATA + 0x1000, 256, recordAddress(0)));
            rig.machine.clock().runFor(1); // data moved, record pending
            assertEquals(7, rig.bytes(DATA + 0x1000, 1)[0]);
            rig.write(CONTROL, CONTROL_RESET);
            rig.runIdle();
            assertEquals(0, rig.record(recordAddress(0)).status(), "no record after RESET");
            assertEquals(0, rig.reg64(COMPLETED));
            assertEquals(STATE_DISABLED | STATUS_IDLE, rig.reg(STATUS));
            assertEquals(1, rig.engine.descriptorsFetched());
            assertEquals(0, rig.engine.descriptorsCompleted());
            assertEquals(1, rig.engine.descriptorsAbandoned(), "fetched, then dropped by RESET");

            rig.enable(16);
            rig.submit(noop(recordAddress(1)));
            rig.runIdle();
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(1)).code(), "works again after RESET");
            assertEquals(2, rig.engine.descriptorsFetched());
            assertEquals(1, rig.engine.descriptorsCompleted());
            assertEquals(1, rig.engine.descriptorsAbandoned(), "the NOOP completed: nothing more abandoned");
        }
    }

    @Test
    void shouldHaltOnAFetchFaultAndRecoverAfterReenable() {
        try (EngineRig rig = new EngineRig()) {
            // Two slots in RAM, two beyond its end.
            long base = RAM_SIZE - 2 * CopyDescriptorLayout.SIZE;
            rig.enable(base, 4);
            rig.submit(noop(recordAddress(0)));
            rig.submit(noop(recordAddress(1)));
            rig.write(SUBMIT_INDEX, 3);
            rig.runIdle();
            assertEquals(STATE_HALTED, rig.state());
            assertEquals(ERROR_FETCH_FAULT, rig.reg(ERROR));
            assertEquals(RAM_SIZE, rig.reg64(ERROR_ADDRESS));
            assertEquals(2, rig.reg(FETCH_INDEX), "stays on the slot it could not read");
            assertEquals(2, rig.reg64(COMPLETED));
            assertFalse((rig.reg(STATUS) & STATUS_IDLE) != 0);

            rig.write(CONTROL, 0);
            rig.write(ERROR, ERROR_FETCH_FAULT);
            rig.enable(16);
            rig.submit(noop(recordAddress(5)));
            rig.runIdle();
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(5)).code());
            assertEquals(STATE_RUNNING, rig.state());
        }
    }

    @Test
    void shouldLatchTheRingAtEnable() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            rig.write64(RING_BASE, HOLE);
            rig.write(RING_SIZE, 2);
            rig.submit(noop(recordAddress(0)));
            rig.runIdle();
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(0)).code());
            assertEquals(0, rig.reg(ERROR));
        }
    }

    @Test
    void shouldKeepStatisticsAcrossReset() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            rig.submit(noop(recordAddress(0)));
            rig.submit(new EngineRig.Desc().op(0x7F, RECORD_FLAGS).completion(recordAddress(1)));
            rig.runIdle();
            rig.write(CONTROL, CONTROL_RESET);
            assertEquals(2, rig.engine.descriptorsCompleted());
            assertEquals(1L, rig.engine.errorsByStatus().get(CompletionStatus.BAD_OPCODE));
            assertEquals(1, rig.engine.errorsByStatus().size());
        }
    }
}
