package org.jdma.kernel.acpi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.jdma.machine.Machine;
import org.jdma.machine.firmware.acpi.AcpiTableIds;
import org.jdma.machine.firmware.acpi.McfgTableBuilder;
import org.jdma.machine.firmware.acpi.McfgTableBuilder.Allocation;
import org.jdma.machine.pci.PciHostConfig;
import org.jdma.spec.acpi.AcpiHeaderLayout;
import org.jdma.spec.acpi.McfgLayout;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

/** The MCFG parser (PCI Firmware Specification 3.2 §4.1.2): round trips with the firmware's builder, and every rejection. */
class McfgParserTest {

    static byte[] table(Allocation... allocations) {
        return McfgTableBuilder.build(AcpiTableIds.jdma(1, "TEST"), List.of(allocations));
    }

    /** Fixes the checksum after a test edits bytes. */
    static byte[] resum(byte[] t) {
        t[AcpiHeaderLayout.CHECKSUM] = 0;
        int sum = 0;
        for (byte b : t) {
            sum += b;
        }
        t[AcpiHeaderLayout.CHECKSUM] = (byte) -sum;
        return t;
    }

    static McfgParseException rejected(byte[] t) {
        return assertThrows(McfgParseException.class, () -> McfgParser.parse(t));
    }

    @Test
    void shouldReadTheMachinesMcfgAsTheFirmwareWroteIt() throws McfgParseException {
        try (Machine m = Machine.createDefault()) {
            byte[] bytes = m.acpiTable(McfgLayout.SIGNATURE).orElseThrow();
            McfgTable t = McfgParser.parse(bytes);
            assertEquals(new AcpiTableHeader("MCFG", 60, 1, bytes[9] & 0xFF, "JDMA  ", "JDMAMACH", 1, "JDMA", 1), t.header());
            McfgAllocation a = new McfgAllocation(PciHostConfig.DEFAULT.ecamBase(), 0, 0, 0xFF);
            assertEquals(List.of(a), t.allocations());
            assertEquals(0xB000_0000L + (4L << 15) + 0x10, a.configAddress(RequesterId.of(0, 4, 0), 0x10));
            assertEquals(List.of(), McfgParser.parseLenient(bytes).warnings());
        }
    }

    @Test
    void shouldRoundTripRandomAllocationsThroughBuilderAndParser() throws McfgParseException {
        long seed = 0x3CF6_0001L;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < 200; i++) {
            int n = 1 + rnd.nextInt(5);
            Allocation[] in = new Allocation[n];
            for (int k = 0; k < n; k++) {
                int start = rnd.nextInt(256);
                int end = start + rnd.nextInt(256 - start);
                in[k] = new Allocation(rnd.nextLong(1L << 20) << 20, k, start, end); // one segment each: no overlap
            }
            McfgTable t = McfgParser.parse(table(in));
            for (int k = 0; k < n; k++) {
                assertEquals(new McfgAllocation(in[k].baseAddress(), in[k].segment(), in[k].startBus(), in[k].endBus()),
                        t.allocations().get(k), "seed " + seed + " table " + i);
            }
        }
    }

    @Test
    void shouldRejectWhatIsNotAnMcfgTable() {
        assertEquals("offset 0x0 (Header.Signature): no table: the byte array is null", rejected(null).getMessage());
        byte[] dmar = table(new Allocation(0xE000_0000L, 0, 0, 0));
        dmar[0] = 'D';
        assertEquals("Header.Signature", rejected(dmar).field());
        assertEquals("table is 3 bytes, too short for the 4-byte signature",
                rejected(Arrays.copyOf(table(new Allocation(0xE000_0000L, 0, 0, 0)), 3)).problem().message());
        McfgParseException shortOne = rejected(Arrays.copyOf(table(new Allocation(0xE000_0000L, 0, 0, 0)), 40));
        assertEquals(40, shortOne.offset());
        assertEquals("MCFG.Reserved", shortOne.field());
    }

    @Test
    void shouldRejectABadLengthChecksumOrEntryCount() {
        byte[] t = table(new Allocation(0xE000_0000L, 0, 0, 0xFF));
        byte[] truncated = Arrays.copyOf(t, t.length - 4);
        McfgParseException len = rejected(truncated);
        assertEquals(AcpiHeaderLayout.LENGTH, len.offset());
        assertEquals("Header.Table Length", len.field());
        assertEquals("Table Length 0x3c but the array holds 0x38 bytes", len.problem().message());

        byte[] badSum = t.clone();
        badSum[AcpiHeaderLayout.CHECKSUM]++;
        assertEquals("Header.Checksum", rejected(badSum).field());

        byte[] ragged = Arrays.copyOf(t, t.length - 4);
        ragged[AcpiHeaderLayout.LENGTH] = (byte) ragged.length;
        McfgParseException partial = rejected(resum(ragged));
        assertEquals(McfgLayout.ALLOCATIONS, partial.offset());
        assertTrue(partial.getMessage().contains("0xc bytes follow the reserved field, not a whole number of 16-byte allocation structures"),
                partial.getMessage());

        byte[] empty = Arrays.copyOf(t, McfgLayout.ALLOCATIONS);
        empty[AcpiHeaderLayout.LENGTH] = (byte) empty.length;
        assertEquals("the table has no allocation structure", rejected(resum(empty)).problem().message());
    }

    @Test
    void shouldRejectAllocationsThatCannotBeRight() {
        byte[] t = table(new Allocation(0xE000_0000L, 0, 0, 0x10));
        byte[] backwards = t.clone();
        backwards[McfgLayout.ALLOCATIONS + McfgLayout.START_BUS] = 0x20;
        McfgParseException e = rejected(resum(backwards));
        assertEquals(McfgLayout.ALLOCATIONS + McfgLayout.START_BUS, e.offset());
        assertEquals("MCFG.Start Bus Number", e.field());
        assertEquals("allocation 0: Start Bus 0x20 is above End Bus 0x10", e.problem().message());
        byte[] misaligned = t.clone();
        misaligned[McfgLayout.ALLOCATIONS + 2] = 0x01; // base 0xe0010000
        assertEquals("allocation 0: Base Address 0xe0010000 is not 1 MiB aligned", rejected(resum(misaligned)).problem().message());
    }

    @Test
    void shouldWarnOfReservedBytesLenientlyAndReadWhatIsThere() throws McfgParseException {
        byte[] t = table(new Allocation(0xE000_0000L, 0, 0, 0x10), new Allocation(0xD000_0000L, 1, 0, 0));
        t[McfgLayout.RESERVED + 3] = 7;
        t[McfgLayout.ALLOCATIONS + McfgLayout.ALLOCATION_SIZE + McfgLayout.ALLOCATION_RESERVED] = 1;
        t[McfgLayout.ALLOCATIONS + McfgLayout.START_BUS] = 0x20;
        resum(t);
        McfgParser.Result r = McfgParser.parseLenient(t);
        assertEquals(List.of(McfgLayout.RESERVED, McfgLayout.ALLOCATIONS + McfgLayout.START_BUS,
                McfgLayout.ALLOCATIONS + McfgLayout.ALLOCATION_SIZE + McfgLayout.ALLOCATION_RESERVED),
                r.warnings().stream().map(AcpiTableProblem::offset).sorted().toList());
        assertEquals(List.of(new McfgAllocation(0xD000_0000L, 1, 0, 0)), r.table().allocations(), "the bad one is dropped");
        // Strict mode does not reject reserved bytes (later revisions may use them), only the bad allocation.
        assertEquals("MCFG.Start Bus Number", rejected(t).field());
        byte[] onlyReserved = table(new Allocation(0xE000_0000L, 0, 0, 0x10));
        onlyReserved[McfgLayout.RESERVED] = 1;
        assertArrayEquals(new int[] {0, 0x10}, McfgParser.parse(resum(onlyReserved)).allocations().stream()
                .flatMapToInt(a -> java.util.stream.IntStream.of(a.startBus(), a.endBus())).toArray());
    }
}
