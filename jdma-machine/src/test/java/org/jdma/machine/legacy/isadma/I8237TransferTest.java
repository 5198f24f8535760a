package org.jdma.machine.legacy.isadma;

import static org.jdma.spec.i8237.I8237Layout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.bus.DmaOrigin;
import org.jdma.machine.legacy.LegacyBus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The 8237A's transfers: counts, terminal count, autoinit, address stepping, pages, priority, cascade. */
class I8237TransferTest {

    private final IsaDmaRig rig = new IsaDmaRig().cascade();

    @AfterEach
    void close() {
        rig.close();
    }

    private void run(DmaProbe p) {
        p.dreq.assertDreq();
        rig.runIdle();
    }

    @Test
    void shouldMoveCountPlusOneUnitsAndReadFfffAfterTerminalCount() {
        DmaProbe p = rig.probe(1);
        rig.program(1, mode(1, MODE_BLOCK, MODE_TYPE_WRITE, false, false), 0x20000, 9);
        run(p);
        assertEquals(10, p.dackTimes.size(), "count 9 moves 10 bytes");
        for (int i = 0; i < 10; i++) {
            assertEquals(i + 1, rig.cpu.read8(0x20000 + i));
        }
        assertEquals(0, rig.cpu.read8(0x2000A), "not one byte more");
        assertEquals(0xFFFF, rig.readWord(countPort(1)));
        assertEquals(1, p.terminalCounts);
    }

    @Test
    void shouldMaskTheChannelAtTerminalCountWithoutAutoinit() {
        DmaProbe p = rig.probe(1);
        rig.program(1, mode(1, MODE_SINGLE, MODE_TYPE_WRITE, false, false), 0x20000, 1);
        run(p);
        p.dreq.assertDreq(); // asks again: masked now
        rig.runIdle();
        assertEquals(2, p.dackTimes.size());
    }

    @Test
    void shouldReloadCurrentFromBaseAtTerminalCountWithAutoinit() {
        DmaProbe p = rig.probe(1);
        rig.program(1, mode(1, MODE_SINGLE, MODE_TYPE_WRITE, true, false), 0x20000, 3);
        p.dropAtTc = false;
        p.dropAfter = 6; // two TCs would be 8: stop after a TC and two more
        run(p);
        assertEquals(6, p.dackTimes.size(), "the channel went on after TC");
        assertEquals(1, p.terminalCounts);
        assertEquals(0x0002, rig.readWord(addressPort(1)), "reloaded to base 0, then two bytes");
        assertEquals(1, rig.readWord(countPort(1)), "reloaded to 3, then two transfers");
        assertEquals(6, rig.cpu.read8(0x20001), "the second round wrote over the first");
    }

    @Test
    void shouldStepTheAddressDownInDecrementMode() {
        DmaProbe p = rig.probe(1);
        rig.program(1, mode(1, MODE_BLOCK, MODE_TYPE_WRITE, false, true), 0x20010, 2);
        run(p);
        assertEquals(1, rig.cpu.read8(0x20010));
        assertEquals(2, rig.cpu.read8(0x2000F));
        assertEquals(3, rig.cpu.read8(0x2000E));
        assertEquals(0x000D, rig.readWord(addressPort(1)));
    }

    @Test
    void shouldReadMemoryIntoTheDeviceOnAReadTransfer() {
        DmaProbe p = rig.probe(1);
        rig.cpu.write(0x30000, new byte[] {9, 8, 7, 6});
        rig.program(1, mode(1, MODE_BLOCK, MODE_TYPE_READ, false, false), 0x30000, 3);
        run(p);
        assertEquals(List.of(9, 8, 7, 6), p.received);
    }

    @Test
    void shouldStepAddressAndCountButTouchNoMemoryOnVerify() {
        DmaProbe p = rig.probe(1);
        rig.program(1, mode(1, MODE_BLOCK, MODE_TYPE_VERIFY, false, false), 0x20000, 3);
        long before = rig.machine.legacyBus().channelPort(1).bytesWritten() + rig.machine.legacyBus().channelPort(1).bytesRead();
        run(p);
        assertEquals(0xFFFF, rig.readWord(countPort(1)));
        assertEquals(4, rig.readWord(addressPort(1)));
        assertEquals(before, rig.machine.legacyBus().channelPort(1).bytesWritten() + rig.machine.legacyBus().channelPort(1).bytesRead());
        assertEquals(0, rig.cpu.read8(0x20000));
    }

    @Test
    void shouldShiftA16BitChannelsAddressAndMoveWords() {
        DmaProbe p = rig.probe(5);
        long at = 0x0034_0100L; // page 0x34, word address 0x0080
        rig.program(5, mode(5, MODE_BLOCK, MODE_TYPE_WRITE, false, false), at, 2);
        assertEquals(0x0080, rig.readWord(addressPort(5)), "the register holds A16..A1");
        run(p);
        assertEquals(1, rig.cpu.read16(at));
        assertEquals(2, rig.cpu.read16(at + 2));
        assertEquals(3, rig.cpu.read16(at + 4));
        assertEquals(6, rig.machine.isaDma().orElseThrow().counters().bytes(5), "three words");
    }

    @Test
    void shouldWrapTheAddressInsideItsPageWithoutCarryingIntoThePageRegister() {
        DmaProbe p = rig.probe(1);
        rig.program(1, mode(1, MODE_BLOCK, MODE_TYPE_WRITE, false, false), 0x2FFFE, 3);
        run(p);
        assertEquals(1, rig.cpu.read8(0x2FFFE));
        assertEquals(2, rig.cpu.read8(0x2FFFF));
        assertEquals(3, rig.cpu.read8(0x20000), "wrapped to the start of page 2");
        assertEquals(4, rig.cpu.read8(0x20001));
        assertEquals(0, rig.cpu.read8(0x30000), "nothing in page 3");
        assertEquals(0x02, rig.cpu.in8(pagePort(1)));
    }

    @Test
    void shouldWrapA16BitChannelInside128KiB() {
        DmaProbe p = rig.probe(6);
        rig.program(6, mode(6, MODE_BLOCK, MODE_TYPE_WRITE, false, false), 0x5FFFE, 1); // page 0x05 -> 0x04 (bit 0 unused)
        run(p);
        assertEquals(1, rig.cpu.read16(0x5FFFE));
        assertEquals(2, rig.cpu.read16(0x40000), "the word after the 128 KiB page's last is its first");
    }

    @Test
    void shouldReachNoAddressAbove16MiB() {
        DmaProbe p = rig.probe(7);
        rig.program(7, mode(7, MODE_BLOCK, MODE_TYPE_WRITE, false, false), 0xFFFFFE, 1);
        run(p);
        assertEquals(1, rig.cpu.read16(0xFFFFFE));
        assertEquals(2, rig.cpu.read16(0xFE0000), "the top page wraps, never into 16 MiB");
        assertEquals(0, rig.cpu.read16(0x1000000));
    }

    @Test
    void shouldServeTheLowestChannelFirstUnderFixedPriority() {
        List<Integer> order = new ArrayList<>();
        DmaProbe p3 = rig.probe(3);
        DmaProbe p1 = rig.probe(1);
        rig.program(3, mode(3, MODE_SINGLE, MODE_TYPE_WRITE, false, false), 0x20000, 1);
        rig.program(1, mode(1, MODE_SINGLE, MODE_TYPE_WRITE, false, false), 0x30000, 1);
        rig.cpu.out8(REG_ALL_MASK, 0x0F);
        p3.dreq.assertDreq();
        p1.dreq.assertDreq();
        rig.cpu.out8(REG_ALL_MASK, 0x00); // both requests are seen at once
        rig.runIdle();
        merge(order, p1, 1, p3, 3);
        assertEquals(List.of(1, 1, 3, 3), order, "channel 1 wins each arbitration while it asks");
    }

    @Test
    void shouldRotateTheServicedChannelToLowestUnderRotatingPriority() {
        List<Integer> order = new ArrayList<>();
        rig.cpu.out8(REG_COMMAND_STATUS, COMMAND_ROTATING);
        DmaProbe p3 = rig.probe(3);
        DmaProbe p1 = rig.probe(1);
        rig.program(3, mode(3, MODE_SINGLE, MODE_TYPE_WRITE, false, false), 0x20000, 1);
        rig.program(1, mode(1, MODE_SINGLE, MODE_TYPE_WRITE, false, false), 0x30000, 1);
        rig.cpu.out8(REG_ALL_MASK, 0x0F);
        p3.dreq.assertDreq();
        p1.dreq.assertDreq();
        rig.cpu.out8(REG_ALL_MASK, 0x00);
        rig.runIdle();
        merge(order, p1, 1, p3, 3);
        assertEquals(List.of(1, 3, 1, 3), order, "each served channel goes to the back");
    }

    private static void merge(List<Integer> order, DmaProbe a, int ca, DmaProbe b, int cb) {
        List<long[]> all = new ArrayList<>();
        a.dackTimes.forEach(t -> all.add(new long[] {t, ca}));
        b.dackTimes.forEach(t -> all.add(new long[] {t, cb}));
        all.sort((x, y) -> Long.compare(x[0], y[0]));
        all.forEach(e -> order.add((int) e[1]));
    }

    @Test
    void shouldServeTheFirstControllerOnlyThroughChannel4InCascadeMode() {
        try (IsaDmaRig bare = new IsaDmaRig()) { // channel 4 as after reset: masked, not cascade
            DmaProbe p = bare.probe(1);
            bare.program(1, mode(1, MODE_BLOCK, MODE_TYPE_WRITE, false, false), 0x20000, 0);
            p.dreq.assertDreq();
            bare.runIdle();
            assertEquals(0, p.dackTimes.size(), "the first controller's HRQ reaches nothing");
            bare.cascade();
            bare.runIdle();
            assertEquals(1, p.dackTimes.size(), "through channel 4 once it cascades");
        }
    }

    @Test
    void shouldServeASoftwareRequestOnlyInBlockMode() {
        rig.program(2, mode(2, MODE_SINGLE, MODE_TYPE_VERIFY, false, false), 0x20000, 3);
        rig.cpu.out8(REG_REQUEST, REQUEST_SET | 2);
        rig.runIdle();
        assertEquals(3, rig.readWord(countPort(2)), "single mode ignores it");
        rig.program(2, mode(2, MODE_BLOCK, MODE_TYPE_VERIFY, false, false), 0x20000, 3);
        rig.cpu.out8(REG_REQUEST, REQUEST_SET | 2);
        rig.runIdle();
        assertEquals(0xFFFF, rig.readWord(countPort(2)));
        assertEquals(0, rig.cpu.in8(REG_COMMAND_STATUS) >>> STATUS_REQUEST_SHIFT, "TC cleared the request");
    }

    @Test
    void shouldCopyMemoryToMemoryOnChannels0And1() {
        rig.cpu.write(0x20000, new byte[] {1, 2, 3, 4, 5});
        rig.cpu.out8(REG_COMMAND_STATUS, COMMAND_MEM_TO_MEM);
        rig.program(0, mode(0, MODE_BLOCK, MODE_TYPE_READ, false, false), 0x20000, 4);
        rig.program(1, mode(1, MODE_BLOCK, MODE_TYPE_WRITE, false, false), 0x30000, 4);
        rig.cpu.out8(REG_REQUEST, REQUEST_SET);
        rig.runIdle();
        byte[] got = new byte[5];
        rig.cpu.read(0x30000, got);
        assertEquals("[1, 2, 3, 4, 5]", java.util.Arrays.toString(got));
        assertEquals(5, rig.cpu.in8(REG_MASTER_CLEAR_TEMPORARY), "the last byte passed through the temporary register");
        assertEquals(1 << 1, rig.cpu.in8(REG_COMMAND_STATUS) & STATUS_TC_MASK, "channel 1's count ended it");
    }

    @Test
    void shouldFillABlockWithOneByteWhenChannel0sAddressHolds() {
        rig.cpu.write8(0x20000, 0xA5);
        rig.cpu.out8(REG_COMMAND_STATUS, COMMAND_MEM_TO_MEM | COMMAND_CH0_ADDRESS_HOLD);
        rig.program(0, mode(0, MODE_BLOCK, MODE_TYPE_READ, false, false), 0x20000, 7);
        rig.program(1, mode(1, MODE_BLOCK, MODE_TYPE_WRITE, false, false), 0x30000, 7);
        rig.cpu.out8(REG_REQUEST, REQUEST_SET);
        rig.runIdle();
        for (int i = 0; i < 8; i++) {
            assertEquals(0xA5, rig.cpu.read8(0x30000 + i));
        }
        assertEquals(0, rig.readWord(addressPort(0)), "held");
    }

    @Test
    void shouldCarryTheLpcBridgesRequesterIdOnEveryChannel() {
        for (int ch : new int[] {0, 1, 2, 3, 5, 6, 7}) {
            assertEquals(new DmaOrigin.LegacyChannel(ch, LegacyBus.LPC_BRIDGE), rig.machine.legacyBus().channelPort(ch).origin());
        }
    }
}
