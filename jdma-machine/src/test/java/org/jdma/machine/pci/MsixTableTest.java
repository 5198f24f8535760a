package org.jdma.machine.pci;

import static org.jdma.spec.pci.MsixTableLayout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jdma.platform.irq.MsiMessage;

/** MSI-X table and PBA per PCI Local Bus Spec 3.0 §6.8.2, sending through a real machine's bus. */
class MsixTableTest {

    private Machine machine;
    private MsixTable table;
    private final List<Integer> dispatched = new ArrayList<>();
    private int vector;

    @BeforeEach
    void setUp() {
        machine = new Machine(MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("low", 0, 1 << 20))));
        machine.dmaPorts().getFirst().busMasterEnabled(true);
        table = new MsixTable(100, machine.dmaPorts().getFirst());
        table.control(true, false); // MSI-X Enable set, Function Mask clear
        vector = machine.interrupts().allocateVector();
        machine.interrupts().register(vector, dispatched::add);
    }

    @AfterEach
    void tearDown() {
        machine.close();
    }

    private void program(int entry, MsiMessage m) {
        table.writeTable((long) entry * ENTRY_SIZE + ADDR_LO, 4, m.address() & 0xFFFF_FFFFL);
        table.writeTable((long) entry * ENTRY_SIZE + ADDR_HI, 4, m.address() >>> 32);
        table.writeTable((long) entry * ENTRY_SIZE + DATA, 4, m.data() & 0xFFFF_FFFFL);
    }

    private void mask(int entry, boolean masked) {
        table.writeTable((long) entry * ENTRY_SIZE + VECTOR_CONTROL, 4, masked ? VECTOR_MASKED : 0);
    }

    private long pba(int word) {
        return table.readPba((long) word * PBA_WORD_SIZE, 8);
    }

    @Test
    void shouldSizeTheTableAndPbaFromTheEntryCount() {
        assertEquals(1600, table.tableSize());
        assertEquals(16, table.pbaSize(), "100 entries need two QWORDs of pending bits");
        assertEquals(8, new MsixTable(1, machine.dmaPorts().getFirst()).pbaSize());
    }

    @Test
    void shouldResetEveryEntryMaskedWithZeroAddressAndData() {
        for (int e = 0; e < table.entries(); e++) {
            assertEquals(VECTOR_MASKED, table.readTable((long) e * ENTRY_SIZE + VECTOR_CONTROL, 4), "entry " + e);
            assertEquals(0, table.readTable((long) e * ENTRY_SIZE + ADDR_LO, 8));
            assertEquals(0, table.readTable((long) e * ENTRY_SIZE + DATA, 4));
        }
        program(3, machine.interrupts().messageFor(vector));
        mask(3, false);
        table.signal(99);
        table.reset();
        assertTrue(table.masked(3));
        assertEquals(0, table.address(3));
        assertEquals(0, pba(1));
    }

    @Test
    void shouldReadReservedBitsAsZero() {
        table.writeTable(ADDR_LO, 4, 0xFEE0_0003L);
        assertEquals(0xFEE0_0000L, table.readTable(ADDR_LO, 4), "Message Address [1:0]");
        table.writeTable(VECTOR_CONTROL, 4, 0xFFFF_FFFEL);
        assertEquals(0, table.readTable(VECTOR_CONTROL, 4), "Vector Control [31:1]");
        table.writeTable(ADDR_HI, 4, 0xFFFF_FFFFL);
        assertEquals(0xFFFF_FFFFL, table.readTable(ADDR_HI, 4), "Upper Address is all there");
    }

    @Test
    void shouldTakeQwordAccessesAsTwoDwordsLowFirst() {
        table.writeTable(ENTRY_SIZE + ADDR_LO, 8, 0x0000_0001_FEE0_1000L);
        assertEquals(0x1_FEE0_1000L, table.address(1));
        assertEquals(0xFEE0_1000L, table.readTable(ENTRY_SIZE + ADDR_LO, 4));
        assertEquals(1, table.readTable(ENTRY_SIZE + ADDR_HI, 4));
        table.writeTable(ENTRY_SIZE + DATA, 8, (long) VECTOR_MASKED << 32 | 0x41);
        assertEquals((long) VECTOR_MASKED << 32 | 0x41, table.readTable(ENTRY_SIZE + DATA, 8));
    }

    @Test
    void shouldDropAndCountAccessesOfTheWrongSizeOrAlignment() {
        table.writeTable(DATA, 2, 0xFFFF);
        table.writeTable(DATA + 1, 4, 0xFFFF_FFFFL);
        table.writeTable(ADDR_HI, 8, -1L); // QWORD not QWORD-aligned
        table.writeTable(table.tableSize(), 4, 1);
        table.writeTable(-4, 4, 1);
        assertEquals(0, table.readTable(DATA, 4));
        assertEquals(0, table.readTable(ADDR_HI, 4));
        assertEquals(0, table.readTable(DATA, 1));
        assertEquals(0, table.readPba(table.pbaSize(), 8));
        assertEquals(7, table.unclaimedAccesses());
    }

    @Test
    void shouldSendAtOnceWhenUnmasked() {
        program(0, machine.interrupts().messageFor(vector));
        mask(0, false);
        assertTrue(table.signal(0));
        machine.clock().runUntilIdle();
        assertEquals(List.of(vector), dispatched);
        assertEquals(1, table.sent());
        assertEquals(0, pba(0));
    }

    @Test
    void shouldSetThePendingBitWhenMaskedAndSendOnceOnUnmask() {
        program(70, machine.interrupts().messageFor(vector));
        assertFalse(table.signal(70));
        assertFalse(table.signal(70));
        machine.clock().runUntilIdle();
        assertEquals(List.of(), dispatched);
        assertEquals(1L << 6, pba(1), "entry 70 is bit 6 of QWORD 1");
        assertEquals(1L << 6, table.readPba(8, 4), "low DWORD of QWORD 1");
        assertEquals(0, table.readPba(12, 4));
        assertTrue(table.pending(70));

        mask(70, false);
        machine.clock().runUntilIdle();
        assertEquals(List.of(vector), dispatched, "one message for the pending bit");
        assertEquals(0, pba(1));
        mask(70, true);
        mask(70, false);
        machine.clock().runUntilIdle();
        assertEquals(1, dispatched.size(), "nothing pending, nothing sent");
    }

    @Test
    void shouldSendTheMessageTheEntryHoldsWhenItIsUnmasked() {
        int other = machine.interrupts().allocateVector();
        machine.interrupts().register(other, dispatched::add);
        program(5, machine.interrupts().messageFor(vector));
        table.signal(5);
        program(5, machine.interrupts().messageFor(other)); // reprogrammed while masked
        table.writeTable(5L * ENTRY_SIZE + DATA, 8, machine.interrupts().messageFor(other).data() & 0xFFFF_FFFFL); // QWORD: data + unmask
        machine.clock().runUntilIdle();
        assertEquals(List.of(other), dispatched);
    }

    @Test
    void shouldIgnoreWritesToThePendingBitArray() {
        table.signal(2);
        table.writePba(0, 8, 0);
        table.writePba(0, 4, -1L);
        assertEquals(1L << 2, pba(0));
        assertEquals(0, table.unclaimedAccesses(), "well-formed PBA writes are dropped, not counted as unclaimed");
    }

    @Test
    void shouldIgnoreSignalsForEntriesOutsideTheTable() {
        assertFalse(table.signal(100));
        assertFalse(table.signal(-1));
        assertEquals(0, table.sent() + table.pended());
    }

    @Test
    void shouldWriteAMessageOutsideTheInterruptRangeThroughTheBusWithoutThrowing() {
        List<String> bus = new ArrayList<>();
        machine.addBusMonitor((rid, access, addr, len, msi, ok, t) -> bus.add(access + " " + Long.toHexString(addr) + " " + len + " msi=" + msi + " ok=" + ok));
        table.writeTable(ADDR_LO, 4, 0x8000_0000L); // a hole
        table.writeTable(DATA, 4, 0x1234);
        mask(0, false);
        table.signal(0);
        table.writeTable(ENTRY_SIZE + ADDR_LO, 4, 0x100); // RAM: a plain DMA write of the data
        table.writeTable(ENTRY_SIZE + DATA, 4, 0xCAFE_F00DL);
        mask(1, false);
        table.signal(1);
        assertEquals(List.of("WRITE 80000000 0 msi=false ok=false", "WRITE 100 4 msi=false ok=true"), bus);
        assertEquals(1, table.sendFaults());
        assertEquals(2, table.sent());
        assertEquals(0xCAFE_F00D, machine.cpu().read32(0x100));
        assertEquals(0, machine.interruptController().received());
    }
}
