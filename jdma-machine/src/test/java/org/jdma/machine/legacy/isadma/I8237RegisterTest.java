package org.jdma.machine.legacy.isadma;

import static org.jdma.spec.i8237.I8237Layout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The 8237A's registers as the datasheet says, through the ports the PC/AT decodes. */
class I8237RegisterTest {

    private final IsaDmaRig rig = new IsaDmaRig();

    @AfterEach
    void close() {
        rig.close();
    }

    @Test
    void shouldSequenceAddressBytesThroughTheFlipFlopLowFirstAndRestartItOnRegister12() {
        var cpu = rig.cpu;
        cpu.out8(REG_CLEAR_FLIP_FLOP, 0);
        cpu.out8(addressPort(2), 0x34);
        cpu.out8(addressPort(2), 0x12);
        assertEquals(0x1234, rig.readWord(addressPort(2)), "written low then high, read low then high");
        cpu.out8(addressPort(2), 0x78); // the flip-flop now expects the low byte
        cpu.out8(REG_CLEAR_FLIP_FLOP, 0);
        cpu.out8(addressPort(2), 0xCD); // ... again the low byte: the 0x78 was overwritten
        cpu.out8(addressPort(2), 0xAB);
        assertEquals(0xABCD, rig.readWord(addressPort(2)));
        cpu.out8(countPort(2), 0x78);
        cpu.out8(countPort(2), 0x56);
        assertEquals(0xCD, cpu.in8(addressPort(2)), "the low byte of the address ...");
        assertEquals(0x56, cpu.in8(countPort(2)), "... leaves the one flip-flop of the controller on the high byte, for any register");
    }

    @Test
    void shouldDecodeTheSecondControllersRegistersAtEvenPortsOnly() {
        var cpu = rig.cpu;
        cpu.out8(registerPort(5, REG_CLEAR_FLIP_FLOP), 0);
        cpu.out8(addressPort(5), 0x11);
        cpu.out8(addressPort(5), 0x22);
        assertEquals(0xC4, addressPort(5));
        assertEquals(0x2211, rig.readWord(0xC4));
        assertEquals(0xFF, cpu.in8(0xC5), "odd ports select nothing");
        cpu.out8(0xC5, 0x99);
        assertEquals(0x2211, rig.readWord(0xC4));
    }

    @Test
    void shouldReadTheSetTcBitsOnceAndClearThemOnTheStatusRead() {
        rig.cascade();
        DmaProbe p = rig.probe(1);
        rig.program(1, mode(1, MODE_SINGLE, MODE_TYPE_WRITE, false, false), 0x10000, 0);
        p.dreq.assertDreq();
        rig.runIdle();
        int status = rig.cpu.in8(REG_COMMAND_STATUS);
        assertEquals(1 << 1, status & STATUS_TC_MASK, "channel 1 reached TC");
        assertEquals(0, rig.cpu.in8(REG_COMMAND_STATUS) & STATUS_TC_MASK, "reading status cleared it");
    }

    @Test
    void shouldReportPendingRequestsInTheHighNibbleEvenWhenMasked() {
        DmaProbe p = rig.probe(2);
        p.dreq.assertDreq(); // channel 2 is masked since reset
        assertEquals(1 << 2, rig.cpu.in8(REG_COMMAND_STATUS) >>> STATUS_REQUEST_SHIFT);
        assertEquals(0, p.dackTimes.size(), "a masked channel is not served");
    }

    @Test
    void shouldClearTheTcBitOfAChannelWhoseModeIsWritten() {
        rig.cascade();
        DmaProbe p = rig.probe(1);
        rig.program(1, mode(1, MODE_SINGLE, MODE_TYPE_WRITE, false, false), 0x10000, 0);
        p.dreq.assertDreq();
        rig.runIdle();
        rig.cpu.out8(REG_MODE, mode(1, MODE_SINGLE, MODE_TYPE_WRITE, false, false));
        assertEquals(0, rig.cpu.in8(REG_COMMAND_STATUS) & STATUS_TC_MASK);
    }

    @Test
    void shouldEnterTheDatasheetsResetStateOnMasterClear() {
        var cpu = rig.cpu;
        cpu.out8(REG_COMMAND_STATUS, COMMAND_ROTATING);
        cpu.out8(REG_CLEAR_MASK, 0);
        cpu.out8(REG_REQUEST, REQUEST_SET | 2);
        cpu.out8(addressPort(0), 0x55); // flip-flop now on the high byte
        cpu.out8(REG_MASTER_CLEAR_TEMPORARY, 0);
        assertEquals(0, cpu.in8(REG_COMMAND_STATUS), "status 0, no software request left");
        assertEquals(0, cpu.in8(REG_MASTER_CLEAR_TEMPORARY), "temporary 0");
        cpu.out8(addressPort(0), 0x66);
        cpu.out8(addressPort(0), 0x77);
        assertEquals(0x7766, rig.readWord(addressPort(0)), "flip-flop cleared: the next byte is the low one");
        DmaProbe p = rig.probe(3);
        rig.cascade();
        p.dreq.assertDreq();
        rig.runIdle();
        assertEquals(0, p.dackTimes.size(), "every channel masked");
    }

    @Test
    void shouldReadAllOnesFromWriteOnlyRegisters() {
        assertEquals(0xFF, rig.cpu.in8(REG_MODE));
        assertEquals(0xFF, rig.cpu.in8(REG_REQUEST));
    }

    @Test
    void shouldKeepEveryPageRegisterAsAByteLatch() {
        for (int port = PAGE_BASE; port < PAGE_BASE + PAGE_PORTS; port++) {
            rig.cpu.out8(port, port ^ 0x5A);
        }
        for (int port = PAGE_BASE; port < PAGE_BASE + PAGE_PORTS; port++) {
            assertEquals(port ^ 0x5A, rig.cpu.in8(port));
        }
        assertTrue(rig.machine.isaDma().isPresent());
    }
}
