package org.jdma.cli.dmar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.List;
import org.jdma.cli.dmar.IaslDmarFormat.Field;
import org.jdma.kernel.acpi.McfgAllocation;
import org.jdma.kernel.acpi.McfgParser;
import org.jdma.kernel.acpi.McfgTable;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.pci.PciHostConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MCFG table the machine's firmware writes, as ACPICA's disassembler reads it: every field iasl
 * prints is at the offset and of the length PCI Firmware Specification 3.2 §4.1.2 gives, with the
 * value the kernel's parser read, and iasl finds nothing wrong (no checksum complaint).
 *
 * <p>Needs iasl (Debian package acpica-tools): tagged {@code iasl}, run by {@code ./build iasl}.
 */
@Tag("iasl")
class IaslMcfgTest {

    @BeforeAll
    static void requireIasl() {
        if (Iasl.version() == null) {
            fail("iasl is not installed or does not run: this test needs ACPICA's iasl (Debian/Ubuntu: apt-get install acpica-tools)");
        }
    }

    @Test
    void shouldBeDecodedByIaslFieldForFieldAsTheKernelReadsIt(@TempDir Path dir) throws Exception {
        PciHostConfig pci = new PciHostConfig(0xE000_0000L, 0x3F, 0xF000_0000L, 0xFEC0_0000L, 0x80_0000_0000L, 0x100_0000_0000L);
        for (MachineConfig config : List.of(MachineConfig.defaults(), MachineConfig.defaults().withPci(pci))) {
            byte[] table;
            try (Machine m = new Machine(config)) {
                table = m.acpiTable("MCFG").orElseThrow();
            }
            McfgTable parsed = McfgParser.parse(table);
            McfgAllocation a = parsed.allocations().getFirst();
            String text = Iasl.disassemble(dir, "mcfg" + Long.toHexString(a.baseAddress()), table);
            assertFalse(text.toLowerCase(java.util.Locale.ROOT).contains("incorrect"), text);
            assertEquals(List.of(
                    new Field(0x00, 4, "Signature", "\"MCFG\"    [Memory Mapped Configuration table]"),
                    new Field(0x04, 4, "Table Length", String.format("%08X", parsed.header().length())),
                    new Field(0x08, 1, "Revision", String.format("%02X", parsed.header().revision())),
                    new Field(0x09, 1, "Checksum", String.format("%02X", parsed.header().checksum())),
                    new Field(0x0A, 6, "Oem ID", "\"" + parsed.header().oemId() + "\""),
                    new Field(0x10, 8, "Oem Table ID", "\"" + parsed.header().oemTableId() + "\""),
                    new Field(0x18, 4, "Oem Revision", String.format("%08X", parsed.header().oemRevision())),
                    new Field(0x1C, 4, "Asl Compiler ID", "\"" + parsed.header().creatorId() + "\""),
                    new Field(0x20, 4, "Asl Compiler Revision", String.format("%08X", parsed.header().creatorRevision())),
                    new Field(0x24, 8, "Reserved", "0000000000000000"),
                    new Field(0x2C, 8, "Base Address", String.format("%016X", a.baseAddress())),
                    new Field(0x34, 2, "Segment Group Number", String.format("%04X", a.segment())),
                    new Field(0x36, 1, "Start Bus Number", String.format("%02X", a.startBus())),
                    new Field(0x37, 1, "End Bus Number", String.format("%02X", a.endBus())),
                    new Field(0x38, 4, "Reserved", "00000000")), Iasl.fields(text));
        }
    }
}
