package org.jdma.machine.firmware.acpi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.firmware.acpi.McfgTableBuilder.Allocation;
import org.junit.jupiter.api.Test;

/** The MCFG table the firmware writes (PCI Firmware Specification 3.2 §4.1.2), byte for byte. */
class McfgTableBuilderTest {

    static byte[] hex(String spaced) {
        return HexFormat.ofDelimiter(" ").parseHex(spaced);
    }

    @Test
    void shouldPublishTheDefaultMachinesMcfgByteForByte() {
        try (Machine m = Machine.createDefault()) {
            // Hand-computed: "MCFG", length 60, revision 1, checksum, JDMA ids (as the DMAR's), 8 reserved,
            // one allocation: base 0xb0000000, segment 0, buses 00-ff, 4 reserved.
            assertArrayEquals(hex("4D 43 46 47 3C 00 00 00 01 48 4A 44 4D 41 20 20 4A 44 4D 41 4D 41 43 48 01 00 00 00"
                    + " 4A 44 4D 41 01 00 00 00 00 00 00 00 00 00 00 00"
                    + " 00 00 00 B0 00 00 00 00 00 00 00 FF 00 00 00 00"), m.acpiTable("MCFG").orElseThrow());
        }
    }

    @Test
    void shouldSumToZeroAndCarryEveryAllocationInOrder() {
        byte[] t = McfgTableBuilder.build(AcpiTableIds.jdma(1, "T"), List.of(new Allocation(0xE000_0000L, 0, 0, 0x3F),
                new Allocation(0x1_0000_0000L, 1, 0x10, 0x1F)));
        assertEquals(44 + 32, t.length);
        int sum = 0;
        for (byte b : t) {
            sum += b;
        }
        assertEquals(0, sum & 0xFF);
        assertArrayEquals(hex("00 00 00 00 01 00 00 00 01 00 10 1F 00 00 00 00"), java.util.Arrays.copyOfRange(t, 60, 76));
    }

    @Test
    void shouldRefuseAllocationsTheSpecificationDoesNotAllow() {
        var ids = AcpiTableIds.jdma(1, "T");
        assertEquals("MCFG: at least one allocation structure is needed",
                assertThrows(IllegalArgumentException.class, () -> McfgTableBuilder.build(ids, List.of())).getMessage());
        assertEquals("MCFG allocation 0, Start/End Bus Number: 0x5..0x4: need 0 <= start <= end <= 0xff",
                assertThrows(IllegalArgumentException.class, () -> McfgTableBuilder.build(ids,
                        List.of(new Allocation(0xE000_0000L, 0, 5, 4)))).getMessage());
        assertEquals("MCFG allocation 0, Base Address: 0xe0001000 must be 1 MiB aligned and its buses must not wrap past 2^64",
                assertThrows(IllegalArgumentException.class, () -> McfgTableBuilder.build(ids,
                        List.of(new Allocation(0xE000_1000L, 0, 0, 4)))).getMessage());
        assertEquals("MCFG allocation 1, Start/End Bus Number: buses 04-08 of segment 0000 are also in allocation 0",
                assertThrows(IllegalArgumentException.class, () -> McfgTableBuilder.build(ids,
                        List.of(new Allocation(0xE000_0000L, 0, 0, 4), new Allocation(0xD000_0000L, 0, 4, 8)))).getMessage());
        assertEquals("MCFG allocation 0, PCI Segment Group: 0x10000 is not a u16",
                assertThrows(IllegalArgumentException.class, () -> McfgTableBuilder.build(ids,
                        List.of(new Allocation(0xE000_0000L, 0x10000, 0, 4)))).getMessage());
    }
}
