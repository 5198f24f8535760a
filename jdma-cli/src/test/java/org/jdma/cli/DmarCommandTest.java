package org.jdma.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdma.cli.dmar.DmarBytes;
import org.jdma.cli.dmar.DmarInput;
import org.jdma.cli.dmar.EveryStructureTable;
import org.jdma.kernel.acpi.DmarParseException;
import org.jdma.kernel.acpi.DmarParser;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.spec.acpi.AcpiHeaderLayout;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.spec.acpi.DrhdLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DmarCommandTest {

    private record Run(int status, String out, String err) { }

    private static Run jdma(String... args) {
        return run(Main.commandLine(), args);
    }

    /** The dmar command alone, with other places to look when it gets no FILE. */
    private static Run dmarWithSources(List<DmarInput.Source> sources, String... args) {
        CommandLine cl = Main.commandLine();
        CommandLine dmar = new CommandLine(new DmarCommand(sources));
        dmar.setExecutionExceptionHandler(cl.getExecutionExceptionHandler());
        return run(dmar, args);
    }

    private static Run run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    private static Path write(Path dir, String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private static String golden() throws IOException {
        try (InputStream in = DmarCommandTest.class.getResourceAsStream("/org/jdma/cli/dmar/every-structure.dsl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldPrintTheGoldenDisassemblyOfATableWithEveryStructure(@TempDir Path dir) throws IOException {
        Path file = write(dir, "every-structure.dat", EveryStructureTable.bytes());
        Run r = jdma("dmar", file.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        assertEquals(golden(), r.out().replace(file.toString(), "every-structure.dat"));
    }

    @Test
    void shouldWriteEveryFieldAsJson(@TempDir Path dir) throws IOException {
        Path file = write(dir, "t.dat", EveryStructureTable.bytes());
        Run r = jdma("dmar", "--json", file.toString());
        assertEquals(0, r.status(), r.err());
        Map<String, Object> doc = json(r.out());

        assertEquals(file.toString(), doc.get("source"));
        Map<String, Object> header = map(doc.get("header"));
        assertEquals("DMAR", header.get("signature"));
        assertEquals((long) EveryStructureTable.bytes().length, header.get("length"));
        assertEquals(DmarBytes.OEM_ID, header.get("oemId"));
        assertEquals(DmarBytes.OEM_TABLE_ID, header.get("oemTableId"));
        assertEquals(DmarBytes.CREATOR_REVISION, header.get("creatorRevision"));
        assertEquals((long) EveryStructureTable.HOST_ADDRESS_WIDTH, doc.get("hostAddressWidth"));
        assertEquals((long) EveryStructureTable.HOST_ADDRESS_WIDTH + 1, doc.get("physicalAddressBits"));
        assertEquals(Map.of("value", 5L, "intrRemap", true, "x2apicOptOut", false, "dmaCtrlPlatformOptIn", true), doc.get("flags"));

        List<Object> structures = list(doc.get("structures"));
        assertEquals(List.of("DRHD", "DRHD", "RMRR", "ATSR", "RHSA", "ANDD", "SATC", "SIDP", "UNKNOWN"),
                structures.stream().map(s -> map(s).get("type")).toList());
        Map<String, Object> drhd = map(structures.getFirst());
        assertEquals("0xfed90000", drhd.get("registerBase"), "addresses are hex strings");
        assertEquals(false, drhd.get("includePciAll"));
        List<Object> scopes = list(drhd.get("scopes"));
        assertEquals(List.of("PCI_ENDPOINT", "PCI_SUBHIERARCHY", "IOAPIC", "MSI_CAPABLE_HPET", "ACPI_NAMESPACE"),
                scopes.stream().map(s -> map(s).get("type")).toList());
        Map<String, Object> bridge = map(scopes.get(1));
        assertEquals(List.of(Map.of("device", 0x1CL, "function", 0L), Map.of("device", 0L, "function", 1L)), bridge.get("path"));
        assertEquals(8L, map(scopes.get(2)).get("enumerationId"));
        assertEquals(0xF0L, map(scopes.get(2)).get("startBus"));
        assertEquals(true, map(structures.get(1)).get("includePciAll"));
        Map<String, Object> rmrr = map(structures.get(2));
        assertEquals("0x7a000000", rmrr.get("base"));
        assertEquals("0x7a3fffff", rmrr.get("limit"));
        assertEquals(true, map(structures.get(3)).get("allPorts"));
        assertEquals(1L, map(structures.get(4)).get("proximityDomain"));
        assertEquals("\\_SB.PCI0.I2C0", map(structures.get(5)).get("objectName"));
        assertEquals(1L, map(structures.get(5)).get("acpiDeviceNumber"));
        assertEquals(true, map(structures.get(6)).get("atcRequired"));
        assertEquals(0x1FL, map(list(map(structures.get(7)).get("scopes")).getFirst()).get("flags"));
        assertEquals(Map.of("type", "UNKNOWN", "typeCode", 7L, "bytes", "07 00 06 00 aa bb"), structures.get(8));
        assertEquals(List.of(), doc.get("warnings"));
    }

    @Test
    void shouldRejectAMalformedTableWithOneLineNamingTheOffsetAndTheField(@TempDir Path dir) throws IOException {
        byte[] t = EveryStructureTable.bytes();
        t[DmarLayout.STRUCTURES + DrhdLayout.REGISTER_BASE] = 0x10; // register base no longer 4 KiB aligned
        DmarBytes.fixChecksum(t);
        Path file = write(dir, "bad.dat", t);
        for (String[] args : new String[][] {{"dmar", file.toString()}, {"dmar", "--json", file.toString()}}) {
            Run r = jdma(args);
            assertEquals(2, r.status(), r.out());
            assertEquals("", r.out(), "nothing on stdout");
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("jdma: " + file + " is not a valid DMAR table: "), r.err());
            assertTrue(r.err().contains(expectedProblem(t)), r.err());
            assertTrue(r.err().contains("offset 0x38 (DRHD.Register Base Address)"), r.err());
        }
    }

    @Test
    void shouldRejectABadChecksumWithTheOffsetOfTheChecksum(@TempDir Path dir) throws IOException {
        byte[] t = EveryStructureTable.bytes();
        t[AcpiHeaderLayout.CHECKSUM]++;
        Run r = jdma("dmar", write(dir, "t.dat", t).toString());
        assertEquals(2, r.status());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("offset 0x9 (Header.Checksum)"), r.err());
    }

    @Test
    void shouldPrintWhatCanBeReadAndThenTheWarningsWhenLenient(@TempDir Path dir) throws IOException {
        byte[] t = EveryStructureTable.bytes();
        t[AcpiHeaderLayout.CHECKSUM]++;
        t[DmarLayout.STRUCTURES + DrhdLayout.REGISTER_BASE] = 0x10;
        Path file = write(dir, "t.dat", t);
        Run r = jdma("dmar", "--lenient", file.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().contains("Register Base Address : 00000000FED90010"), "the table as far as it reads: " + r.out());
        assertTrue(r.out().contains("Subtable Type : 0006 [SoC Integrated Device Property]"), r.out());
        assertTrue(r.out().contains("**** 2 problems found by the parser"), r.out());
        assertTrue(r.out().contains("\n**** offset 0x9 (Header.Checksum): "), r.out());
        assertTrue(r.out().contains("\n**** offset 0x38 (DRHD.Register Base Address): "), r.out());

        Run j = jdma("dmar", "--lenient", "--json", file.toString());
        assertEquals(0, j.status(), j.err());
        List<Object> warnings = list(json(j.out()).get("warnings"));
        assertEquals(List.of(9L, 0x38L), warnings.stream().map(w -> map(w).get("offset")).toList());
        assertEquals("DRHD.Register Base Address", map(warnings.get(1)).get("field"));
    }

    @Test
    void shouldFailWhenLenientCannotReadEvenTheHeader(@TempDir Path dir) throws IOException {
        Run r = jdma("dmar", "--lenient", write(dir, "apic.dat", "APIC and more bytes than a header".getBytes(StandardCharsets.US_ASCII)).toString());
        assertEquals(2, r.status());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("offset 0x0"), r.err());
        assertFalse(r.err().contains("--lenient shows"), "no advice to use the option already given: " + r.err());
    }

    @Test
    void shouldSayClearlyThatAFileIsMissing(@TempDir Path dir) {
        Path missing = dir.resolve("missing.dat");
        Run r = jdma("dmar", missing.toString());
        assertEquals(2, r.status());
        assertEquals("jdma: " + missing + ": no such file" + System.lineSeparator(), r.err());
    }

    @Test
    void shouldRefuseADirectoryAndAFileTooLargeForATable(@TempDir Path dir) throws IOException {
        Run d = jdma("dmar", dir.toString());
        assertEquals(2, d.status());
        assertTrue(d.err().contains(dir + " is a directory"), d.err());
        Path big = write(dir, "big.dat", new byte[DmarInput.MAX_TABLE_BYTES + 1]);
        Run b = jdma("dmar", big.toString());
        assertEquals(2, b.status());
        assertTrue(b.err().contains("too large for a DMAR table"), b.err());
    }

    @Test
    void shouldReadTheSystemsTableWhenNoFileIsGivenAndItIsReadable(@TempDir Path dir) throws IOException {
        Path sys = write(dir, "DMAR", EveryStructureTable.bytes());
        Run r = dmarWithSources(List.of(DmarInput.systemFirmware(sys), () -> {
            throw new AssertionError("the next source is not asked when the system's table is there");
        }));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains(" * Source: " + sys + "\n"), r.out());
    }

    @Test
    void shouldFallBackToTheNextSourceWhenTheSystemHasNoTable(@TempDir Path dir) {
        byte[] other = DmarBytes.table(39, 1, DmarBytes.drhd(1, 0, 0, 0xFED9_0000L));
        Run r = dmarWithSources(List.of(DmarInput.systemFirmware(dir.resolve("absent")),
                () -> Optional.of(new DmarInput("the next source", other))), "--json");
        assertEquals(0, r.status(), r.err());
        assertEquals("the next source", json(r.out()).get("source"));
        Run none = dmarWithSources(List.of(DmarInput.systemFirmware(dir.resolve("absent"))));
        assertEquals(2, none.status());
        assertTrue(none.err().startsWith("jdma: no DMAR table"), none.err());
    }

    @Test
    void shouldDecodeTheDefaultMachinesTableWhenTheSystemHasNone(@TempDir Path dir) throws IOException {
        Run r = dmarWithSources(DmarCommand.defaultSources(dir.resolve("no-such-DMAR")));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains(" * Source: " + DmarInput.DEFAULT_MACHINE + "\n"), r.out());
        assertTrue(r.out().contains("Subtable Type : 0000 [Hardware Unit Definition]"), r.out());
        byte[] published;
        try (Machine machine = new Machine(MachineConfig.defaults())) {
            published = machine.acpiTable(DmarLayout.SIGNATURE).orElseThrow();
        }
        Path file = write(dir, "machine.dat", published);
        assertEquals(jdma("dmar", file.toString()).out().replace(file.toString(), DmarInput.DEFAULT_MACHINE), r.out(),
                "the same text as for the bytes the machine publishes");
    }

    private static String expectedProblem(byte[] table) {
        try {
            DmarParser.parse(table);
            throw new AssertionError("the parser accepts the table");
        } catch (DmarParseException e) {
            return String.format("offset 0x%x (%s)", e.offset(), e.field());
        }
    }

    // --- a small JSON reader: objects as maps, arrays as lists, integers as Long -------------------

    private static Map<String, Object> json(String text) {
        try (JsonParser p = new JsonFactory().createParser(text)) {
            assertEquals(JsonToken.START_OBJECT, p.nextToken());
            Map<String, Object> doc = map(value(p));
            assertEquals(null, p.nextToken(), "one document");
            return doc;
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static Object value(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String k = p.currentName();
                    p.nextToken();
                    m.put(k, value(p));
                }
                yield m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                yield l;
            }
            case VALUE_NUMBER_INT -> p.getLongValue();
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            case VALUE_NULL -> null;
            default -> p.getText();
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }
}
