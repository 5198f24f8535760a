package org.jdma.machine.pci;

import static org.jdma.spec.pci.PciConfigLayout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

/**
 * The LPC bridge's configuration space, row by row as {@link LpcBridge} documents it: an ISA
 * bridge type 0 header with ICH9's ids, Command's decode and bus-master bits hard-wired on, no
 * BARs, no capabilities, no interrupt pin. Configuration cycles as ECAM delivers them.
 */
class LpcBridgeTest {

    private final LpcBridge lpc = new LpcBridge("lpc", RequesterId.of(0, 0x1F, 0));

    /** Writes all ones, then all zeros, and returns {after ones, after zeros}. */
    private long[] probe(int offset, int size) {
        long ones = size == 4 ? 0xFFFF_FFFFL : (1L << (8 * size)) - 1;
        lpc.configWrite(offset, size, ones);
        long a = lpc.configRead(offset, size);
        lpc.configWrite(offset, size, 0);
        return new long[] {a, lpc.configRead(offset, size)};
    }

    @Test
    void shouldPresentAsIch9sLpcInterfaceControllerWithReadOnlyIds() {
        assertEquals(0x2918_8086L, lpc.configRead(VENDOR_ID, 4), "Intel 82801IB ICH9 LPC Interface Controller");
        assertEquals(0x06_01_00_02L, lpc.configRead(REVISION_ID, 4), "class 06 01 00 (ISA bridge), revision 02");
        assertEquals(HEADER_TYPE_ENDPOINT, lpc.configRead(HEADER_TYPE, 1), "type 0, single function");
        assertEquals(0x1100_1AF4L, lpc.configRead(SUBSYSTEM_VENDOR_ID, 4));
        for (int off : new int[] {VENDOR_ID, REVISION_ID, SUBSYSTEM_VENDOR_ID}) {
            long before = lpc.configRead(off, 4);
            assertEquals(before, probe(off, 4)[0], "RO at " + off);
            assertEquals(before, probe(off, 4)[1], "RO at " + off);
        }
    }

    @Test
    void shouldHardWireDecodeAndBusMasterOnAndStoreOnlyTheErrorEnables() {
        assertEquals(COMMAND_IO_SPACE | COMMAND_MEMORY_SPACE | COMMAND_BUS_MASTER, lpc.configRead(COMMAND, 2), "reset value");
        long[] p = probe(COMMAND, 2);
        assertEquals(LpcBridge.COMMAND_HARDWIRED | COMMAND_PARITY_ERROR_RESPONSE | COMMAND_SERR_ENABLE, p[0]);
        assertEquals(LpcBridge.COMMAND_HARDWIRED, p[1], "I/O Space, Memory Space and Bus Master Enable cannot be cleared");
        lpc.configWrite(COMMAND, 2, COMMAND_SERR_ENABLE);
        lpc.reset();
        assertEquals(LpcBridge.COMMAND_HARDWIRED, lpc.configRead(COMMAND, 2), "reset clears the error enables");
    }

    @Test
    void shouldHaveNoBarsNoCapabilitiesAndNoInterruptPin() {
        for (int i = 0; i < BAR_COUNT_TYPE0; i++) {
            assertEquals(0, probe(bar(i), 4)[0], "BAR" + i + " reads 0 after all ones: the bridge has no BARs (PCI 3.0 §6.2.5.1)");
        }
        assertEquals(0, lpc.configRead(STATUS, 2) & STATUS_CAPABILITIES_LIST);
        assertEquals(0, lpc.configRead(CAPABILITIES_POINTER, 1));
        assertEquals(0, probe(INTERRUPT_PIN, 1)[0]);
        assertEquals(0xFF, probe(INTERRUPT_LINE, 1)[0], "Interrupt Line is storage for software");
        assertEquals(-1L & 0xFFFF_FFFFL, lpc.configRead(0x1002, 4), "a misaligned access reads all ones and nothing throws");
    }
}
