package org.jdma.cli.dmar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jdma.cli.Main;
import org.jdma.cli.dmar.IaslDmarFormat.Field;
import org.jdma.kernel.acpi.AcpiTableHeader;
import org.jdma.kernel.acpi.DeviceScope;
import org.jdma.kernel.acpi.DmarParseException;
import org.jdma.kernel.acpi.DmarParser;
import org.jdma.kernel.acpi.DmarTable;
import org.jdma.kernel.acpi.PciPathEntry;
import org.jdma.kernel.acpi.RemappingStructure;
import org.jdma.spec.acpi.DeviceScopeLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code jdma dmar} against ACPICA's own disassembler: for generated valid tables, every line iasl
 * 20200925 prints — offset, length, field name, value — equals {@code jdma dmar}'s, the whole text
 * after the banner is identical, and every field iasl prints equals what the kernel's parser read
 * (its model, turned into iasl's values). SATC and SIDP, where that iasl stops, are compared with
 * fields written by hand from their layouts.
 *
 * <p>Needs iasl (Debian package acpica-tools): tagged {@code iasl}, left out of the default test
 * run, run by {@code ./build iasl}, which fails when iasl is missing.
 */
@Tag("iasl")
class IaslDifferentialTest {

    private static final long SEED = 0x1A5_2020_0925L;
    private static final int TABLES = 40;

    @BeforeAll
    static void requireIasl() {
        if (Iasl.version() == null) {
            fail("iasl is not installed or does not run: these tests need ACPICA's iasl (Debian/Ubuntu: apt-get install acpica-tools)");
        }
    }

    @Test
    void shouldPrintEveryFieldExactlyAsIaslDoesForGeneratedTables(@TempDir Path dir) throws Exception {
        SplittableRandom seeds = new SplittableRandom(SEED);
        int socTables = 0;
        for (int i = 0; i < TABLES; i++) {
            long seed = seeds.nextLong();
            boolean soc = i % 4 == 3;
            RandomDmarTables.Table t = RandomDmarTables.generate(new SplittableRandom(seed), soc);
            String name = "t" + i;
            String context = String.format("table %d (seed %#x, %s with socStructures=%b; SEED %#x)", i, seed,
                    "RandomDmarTables.generate", soc, SEED);
            String iasl = Iasl.disassemble(dir, name, t.bytes());
            String ours = jdmaDmar(dir.resolve(name + ".dat"), context);
            List<Field> iaslFields = Iasl.fields(iasl);
            List<Field> ourFields = Iasl.fields(ours);
            assertTrue(iaslFields.size() > 20, context + ": iasl printed too little:\n" + iasl);
            if (soc) {
                socTables++;
                assertTrue(iasl.contains("**** Unknown DMAR subtable type 0x5"), context + ": iasl 20200925 should stop at SATC:\n" + iasl);
                assertSameFields(before(iaslFields, t.socOffset()), before(ourFields, t.socOffset()), context);
                assertSameFields(t.socFields(), from(ourFields, t.socOffset()), context + " (SATC/SIDP, expected by hand)");
            } else {
                assertSameFields(iaslFields, ourFields, context);
                assertEquals(Iasl.body(iasl), Iasl.body(ours), context + ": text after the banner");
            }
            DmarTable parsed = parse(t.bytes(), context);
            assertEquals(t.model(), parsed, context + ": the parser's model");
            assertSameValues(expectedFromModel(parsed), withoutSubtableLengths(before(iaslFields, t.socOffset())),
                    context + ": iasl's fields vs the parser's model");
        }
        assertTrue(socTables > 0, "some tables carry SATC/SIDP");
    }

    @Test
    void shouldMatchIaslOnTheHandBuiltTable(@TempDir Path dir) throws Exception {
        byte[] known = EveryStructureTable.bytesKnownToIasl();
        String iasl = Iasl.disassemble(dir, "known", known);
        assertEquals(Iasl.body(iasl), Iasl.body(jdmaDmar(dir.resolve("known.dat"), "hand-built table")));
    }

    @Test
    void shouldMatchIaslOnTheDefaultMachinesTable(@TempDir Path dir) throws Exception {
        byte[] table = DmarInput.defaultMachine().find().orElseThrow().bytes();
        String iasl = Iasl.disassemble(dir, "machine", table);
        assertEquals(Iasl.body(iasl), Iasl.body(jdmaDmar(dir.resolve("machine.dat"), "the default machine's table")));
    }

    private static String jdmaDmar(Path file, String context) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute("dmar", file.toString());
        assertEquals(0, status, context + ": jdma dmar failed: " + err);
        return out.toString();
    }

    private static DmarTable parse(byte[] table, String context) {
        try {
            return DmarParser.parse(table);
        } catch (DmarParseException e) {
            return fail(context + ": the parser rejects a valid table: " + e.getMessage(), e);
        }
    }

    private static void assertSameFields(List<Field> expected, List<Field> actual, String context) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            assertEquals(expected.get(i), actual.get(i), context + ": field " + i);
        }
        assertEquals(expected.size(), actual.size(), context + ": number of fields");
    }

    private static void assertSameValues(List<String> expected, List<Field> actual, String context) {
        List<String> got = actual.stream().map(f -> f.name() + " : " + f.value()).toList();
        for (int i = 0; i < Math.min(expected.size(), got.size()); i++) {
            assertEquals(expected.get(i), got.get(i), context + ": field " + i);
        }
        assertEquals(expected.size(), got.size(), context + ": number of fields");
    }

    private static List<Field> before(List<Field> fields, int offset) {
        return offset < 0 ? fields : fields.stream().filter(f -> f.offset() < offset).toList();
    }

    private static List<Field> from(List<Field> fields, int offset) {
        return fields.stream().filter(f -> f.offset() >= offset).toList();
    }

    /** A structure's Length is not in the model (it follows from the encoding); the bytes check covers it. */
    private static List<Field> withoutSubtableLengths(List<Field> fields) {
        return fields.stream().filter(f -> !f.name().equals("Length")).toList();
    }

    /**
     * What iasl must print for a parsed table, field by field ("Name : Value"), through the
     * structures it knows (types 0-4). Reserved fields are not in the model: valid generated
     * tables hold zeros there, which is what is expected.
     */
    private static List<String> expectedFromModel(DmarTable t) {
        List<String> f = new ArrayList<>();
        AcpiTableHeader h = t.header();
        f.add("Signature : \"" + h.signature() + "\"    [DMA Remapping table]");
        f.add("Table Length : " + String.format("%08X", h.length()));
        f.add("Revision : " + String.format("%02X", h.revision()));
        f.add("Checksum : " + String.format("%02X", h.checksum()));
        f.add("Oem ID : \"" + h.oemId() + "\"");
        f.add("Oem Table ID : \"" + h.oemTableId() + "\"");
        f.add("Oem Revision : " + String.format("%08X", h.oemRevision()));
        f.add("Asl Compiler ID : \"" + h.creatorId() + "\"");
        f.add("Asl Compiler Revision : " + String.format("%08X", h.creatorRevision()));
        f.add("Host Address Width : " + String.format("%02X", t.hostAddressWidth()));
        f.add("Flags : " + String.format("%02X", t.flags()));
        f.add("Reserved : 00 00 00 00 00 00 00 00 00 00");
        for (RemappingStructure s : t.structures()) {
            if (s.type() > RemappingStructure.TYPE_ANDD) {
                break;
            }
            f.add(String.format("Subtable Type : %04X [%s]", s.type(), IaslDmarFormat.subtableName(s.type())));
            switch (s) {
                case RemappingStructure.Drhd d -> {
                    f.add(String.format("Flags : %02X", d.flags()));
                    f.add(String.format("Reserved : %02X", d.size()));
                    f.add(String.format("PCI Segment Number : %04X", d.segment()));
                    f.add(String.format("Register Base Address : %016X", d.registerBase()));
                    scopes(f, d.scopes());
                }
                case RemappingStructure.Rmrr r -> {
                    f.add("Reserved : 0000");
                    f.add(String.format("PCI Segment Number : %04X", r.segment()));
                    f.add(String.format("Base Address : %016X", r.base()));
                    f.add(String.format("End Address (limit) : %016X", r.limit()));
                    scopes(f, r.scopes());
                }
                case RemappingStructure.Atsr a -> {
                    f.add(String.format("Flags : %02X", a.flags()));
                    f.add("Reserved : 00");
                    f.add(String.format("PCI Segment Number : %04X", a.segment()));
                    scopes(f, a.scopes());
                }
                case RemappingStructure.Rhsa r -> {
                    f.add("Reserved : 00000000");
                    f.add(String.format("Base Address : %016X", r.registerBase()));
                    f.add(String.format("Proximity Domain : %08X", r.proximityDomain()));
                }
                case RemappingStructure.Andd a -> {
                    f.add("Reserved : 000000");
                    f.add(String.format("Device Number : %02X", a.acpiDeviceNumber()));
                    f.add("Device Name : \"" + a.objectName() + "\"");
                }
                default -> throw new IllegalStateException("iasl 20200925 stops before " + s);
            }
        }
        return f;
    }

    private static void scopes(List<String> f, List<DeviceScope> scopes) {
        for (DeviceScope d : scopes) {
            f.add(String.format("Device Scope Type : %02X [%s]", d.type(), IaslDmarFormat.scopeName(d.type())));
            f.add(String.format("Entry Length : %02X", DeviceScopeLayout.PATH + DeviceScopeLayout.PATH_ENTRY_SIZE * d.path().size()));
            f.add(String.format("Reserved : %04X", d.flags()));
            f.add(String.format("Enumeration ID : %02X", d.enumerationId()));
            f.add(String.format("PCI Bus Number : %02X", d.startBus()));
            for (PciPathEntry p : d.path()) {
                f.add(String.format("PCI Path : %02X,%02X", p.device(), p.function()));
            }
        }
    }
}
