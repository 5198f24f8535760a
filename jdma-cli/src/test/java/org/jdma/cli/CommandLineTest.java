package org.jdma.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class CommandLineTest {

    private record Run(int status, String out, String err) { }

    private static Run jdma(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    /**
     * Picocli formats every description with {@code String.format}; a bare {@code %} (or a default
     * value holding one) makes it log a warning to {@code System.err} and print the text raw.
     */
    @Test
    void shouldRenderEveryCommandsHelpWithoutFormatWarnings() {
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream logged = new java.io.ByteArrayOutputStream();
        List<String> rendered = new ArrayList<>();
        try {
            System.setErr(new java.io.PrintStream(logged, true, java.nio.charset.StandardCharsets.UTF_8));
            List<CommandLine> commands = new ArrayList<>(List.of(Main.commandLine()));
            for (int i = 0; i < commands.size(); i++) {
                CommandLine command = commands.get(i);
                commands.addAll(command.getSubcommands().values());
                command.getUsageMessage(CommandLine.Help.Ansi.OFF);
                rendered.add(command.getCommandSpec().qualifiedName());
            }
        } finally {
            System.setErr(stderr);
        }
        assertTrue(rendered.contains("jdma run nic"), "walked " + rendered);
        String warnings = logged.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(warnings.contains("picocli WARN"), warnings);
    }

    @Test
    void shouldRunTheTourWithNoArguments() {
        Run r = jdma();
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("0000:00:04.0  memcpy0"), r.out());
        assertTrue(r.out().contains("buffers differ at byte 12345"), r.out());
        assertTrue(r.out().contains("PAGE_FAULT_NOBOF (write) at 0x80000000"), r.out());
        assertTrue(r.out().contains("XFER_ERANGE"), r.out());
        assertTrue(r.out().contains("submitted 8, drained 8"), r.out());
    }

    @Test
    void shouldTellTheIommuStoryInBringUpOrderInTheTour() {
        String out = jdma().out();
        assertTrue(out.contains("DRHD  unit registers at 0xfed90000, segment 0, INCLUDE_PCI_ALL"), out);
        assertTrue(out.contains("VT-d unit at 0xfed90000 (read through MMIO): VER 1.0"), out);
        assertTrue(out.contains("queued invalidation yes, pass-through yes"), out);
        int rootTable = out.indexOf("root table at");
        int attached = out.indexOf("attached to DMA_STRICT domain");
        int enabled = out.indexOf("translation enabled");
        assertTrue(rootTable > 0 && rootTable < attached && attached < enabled,
                "root table, then domains, then TE: " + out);
        String a = line(out, "buffer A:");
        long phys = Long.decode(between(a, "phys=", ","));
        long iova = Long.decode(a.substring(a.indexOf("(IOVA) ") + "(IOVA) ".length()).trim());
        assertTrue(phys != iova, "the device sees an IOVA, not the physical address: " + a);
        assertTrue(line(out, "dmar0 translated").matches(".*IOTLB [1-9][0-9]* hits, [1-9][0-9]* misses.*"), out);
    }

    @Test
    void shouldShowTheFaultRecordTheKernelReadForEachUnmappedAddressInTheTour() {
        String out = jdma().out();
        String b = line(out, "buffer B:");
        String bPhys = between(b, "phys=", ",");
        // The device read B through its physical address: blocked, reported in the completion record
        // and in the unit's fault record, as a read of a not-present page.
        assertTrue(out.contains("PAGE_FAULT_NOBOF (read) at " + bPhys), out);
        assertTrue(out.contains("device 0000:00:04.0 R page " + bPhys + ", reason 0x6 READ_NOT_PERMITTED"), out);
        assertTrue(out.contains("device 0000:00:04.0 W page 0x80000000, reason 0x5 WRITE_NOT_PERMITTED"), out);
        assertFalse(out.contains("no IOMMU fault was reported"), out);
        String afterFaults = out.substring(out.indexOf("keeps running"));
        assertTrue(line(afterFaults, "MEMMOVE 4 KiB A -> B").contains("SUCCESS, 4096 bytes"), out);
        assertTrue(line(out, "dmar0:").contains("2 faults recorded"), out);
    }

    @Test
    void shouldShowTheCompletionVectorLandingOnCpuTwoInTheTour() {
        String out = jdma().out();
        assertTrue(out.contains("4 CPUs (local APIC ids 0..3)"), out);
        String affinity = line(out, "interrupt affinity:");
        assertTrue(affinity.contains("-> CPU 2") && affinity.contains("now names APIC id 2"), affinity);
        String vector = between(affinity, "vector ", " ->");
        String row = line(out, "vector " + vector + " ");
        String totals = out.lines().filter(l -> l.contains("descriptors completed")).findFirst().orElseThrow();
        long completions = Long.parseLong(between(totals, "completed, ", " completion interrupts"));
        assertTrue(completions > 0, out);
        assertTrue(row.matches("\\s*vector " + vector + "\\s+0\\s+0\\s+" + completions + "\\s+0\\s+memcpy0 MSI-X 0"),
                "every completion interrupt on CPU 2: " + row);
        assertTrue(line(out, "CPU 2:").endsWith(completions + " interrupts handled"), out);
        assertFalse(line(out, "CPU 1:").contains(" 0 MMIO writes"), "CPU 1 rang the doorbells: " + out);
    }

    @Test
    void shouldPrintTheSameTourForTheSameSeed() {
        assertEquals(jdma("tour", "--seed", "4").out(), jdma("tour", "--seed", "4").out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"off", "strict", "lazy", "identity"})
    void shouldCopyAndVerifyEveryByteUnderEachIommuMode(String mode) {
        Run r = jdma("run", "memcpy", "--size", "32K", "--count", "24", "--seed", "11", "--iommu", mode);
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("summary 24 tests, 0 failures"), r.out());
        assertTrue(r.out().contains("(simulated, IOMMU " + mode + ")"), r.out());
        assertTrue(line(r.out(), "iommu").trim().startsWith("iommu              " + mode + ":"), r.out());
    }

    @Test
    void shouldInvalidateEachUnmapWhenStrictAndQueueItWhenLazy() {
        Run strict = jdma("run", "memcpy", "--size", "32K", "--count", "10", "--seed", "2", "--iommu", "strict");
        Run lazy = jdma("run", "memcpy", "--size", "32K", "--count", "10", "--seed", "2", "--iommu", "lazy");
        // Two buffers mapped and unmapped per copy: strict invalidates 20 page ranges, lazy none.
        assertTrue(line(strict.out(), "dmar0:").endsWith("global/domain/page [1, 1, 20]"), strict.out());
        assertTrue(line(lazy.out(), "dmar0:").endsWith("global/domain/page [1, 1, 0]"), lazy.out());
        assertTrue(line(lazy.out(), "flush queue:").trim().startsWith("flush queue: 20 unmaps queued"), lazy.out());
        assertEquals(line(strict.out(), "bytes copied"), line(lazy.out(), "bytes copied"), "same seed, same copies");
    }

    @Test
    void shouldRejectAnUnknownIommuModeByName() {
        Run r = jdma("run", "memcpy", "--iommu", "sometimes");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--iommu must be one of off, strict, lazy, identity, was sometimes"), r.err());
    }

    @Test
    void shouldCopyAndVerifyEveryByteInBothCompletionModes() {
        Run irq = jdma("run", "memcpy", "--size", "64K", "--count", "40", "--seed", "3");
        Run polled = jdma("run", "memcpy", "--size", "64K", "--count", "40", "--seed", "3", "--polled");
        assertEquals(0, irq.status(), irq.out() + irq.err());
        assertEquals(0, polled.status(), polled.out() + polled.err());
        assertTrue(irq.out().contains("summary 40 tests, 0 failures"), irq.out());
        assertTrue(irq.out().contains("40 completion, 0 error"), irq.out());
        assertTrue(polled.out().contains("0 completion, 0 error"), "polled mode takes no interrupts: " + polled.out());
        assertEquals(line(irq.out(), "bytes copied"), line(polled.out(), "bytes copied"), "same seed, same copies");
    }

    @Test
    void shouldCopyAndVerifyEveryByteOnANonCoherentMachine() {
        Run r = jdma("run", "memcpy", "--size", "16K", "--count", "12", "--seed", "4", "--non-coherent");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("non-coherent cache"), r.out());
        assertTrue(r.out().contains("summary 12 tests, 0 failures"), r.out());
    }

    @Test
    void shouldHonourTheEnginesAlignmentWhenChoosingOffsets() {
        Run r = jdma("run", "memcpy", "--size", "3", "--count", "20", "--seed", "9", "--quiet");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("summary 20 tests, 0 failures"), r.out());
    }

    @Test
    void shouldWriteTheSameTraceBytesForTheSameSeed(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        Path c = dir.resolve("c.json");
        assertEquals(0, jdma("run", "memcpy", "--size", "32K", "--count", "12", "--seed", "5", "--trace", a.toString()).status());
        assertEquals(0, jdma("run", "memcpy", "--size", "32K", "--count", "12", "--seed", "5", "--trace", b.toString()).status());
        assertEquals(0, jdma("run", "memcpy", "--size", "32K", "--count", "12", "--seed", "6", "--trace", c.toString()).status());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)), "another seed, another run");
    }

    @Test
    void shouldWriteAChromeTraceWithATrackPerDeviceAndRingAndASlicePerDescriptor(@TempDir Path dir) throws IOException {
        Path t = dir.resolve("t.json");
        assertEquals(0, jdma("run", "memcpy", "--size", "16K", "--count", "10", "--trace", t.toString()).status());
        List<Map<String, Object>> events = readEvents(t);
        Map<Long, String> threadNames = new HashMap<>();
        for (Map<String, Object> e : events) {
            assertTrue(e.containsKey("ph") && e.containsKey("pid") && e.containsKey("tid") && e.containsKey("name"), e.toString());
            if ("M".equals(e.get("ph")) && "thread_name".equals(e.get("name"))) {
                threadNames.put((Long) e.get("tid"), (String) e.get("argname"));
            }
        }
        assertTrue(threadNames.containsValue("memcpy0"), threadNames.toString());
        assertTrue(threadNames.containsValue("memcpy0/ring"), threadNames.toString());
        Set<String> perTrack = new HashSet<>();
        int deviceSlices = 0;
        int ringSlices = 0;
        double lastTs = -1;
        for (Map<String, Object> e : events) {
            if (!"X".equals(e.get("ph"))) {
                continue;
            }
            assertTrue(e.containsKey("ts") && e.containsKey("dur"), "complete events carry ts and dur: " + e);
            String track = threadNames.get((Long) e.get("tid"));
            perTrack.add(track);
            if ("memcpy0".equals(track)) {
                deviceSlices++;
                assertEquals("MEMMOVE", e.get("name"));
            } else if ("memcpy0/ring".equals(track)) {
                ringSlices++;
                double ts = ((Number) e.get("ts")).doubleValue();
                assertTrue(ts > lastTs, "ring slices in time order");
                lastTs = ts;
            }
        }
        assertEquals(10, deviceSlices, "one device slice per descriptor");
        assertEquals(10, ringSlices, "one ring slice per descriptor");
    }

    @Test
    void shouldRejectBadOptionsWithOneClearLine() {
        Run r = jdma("run", "memcpy", "--size", "0");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--size must be between 1 byte and 1G, was 0"), r.err());
        Run bad = jdma("run", "memcpy", "--size", "lots");
        assertTrue(bad.status() != 0);
        assertTrue(bad.err().contains("lots"), bad.err());
    }

    @Test
    void shouldReportAnyCommandExceptionOnOneLineAndNeverAsNull() {
        assertEquals("IllegalStateException", Main.oneLine(new IllegalStateException()));
        assertEquals("IllegalStateException", Main.oneLine(new IllegalStateException("  ")));
        assertEquals("first; second", Main.oneLine(new IllegalArgumentException("first\n  second\n")));
    }

    private static String between(String text, String from, String to) {
        int i = text.indexOf(from) + from.length();
        return text.substring(i, text.indexOf(to, i));
    }

    private static String line(String text, String prefix) {
        return text.lines().filter(l -> l.trim().startsWith(prefix)).findFirst().orElse("<none>");
    }

    /** Flat view of each trace event; a thread_name's args.name is put under "argname". */
    private static List<Map<String, Object>> readEvents(Path file) throws IOException {
        List<Map<String, Object>> events = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            assertEquals(JsonToken.START_OBJECT, p.nextToken());
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (!field.equals("traceEvents")) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    Map<String, Object> e = new HashMap<>();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String k = p.currentName();
                        JsonToken v = p.nextToken();
                        if (v == JsonToken.START_OBJECT) {
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String ak = p.currentName();
                                p.nextToken();
                                if (ak.equals("name")) {
                                    e.put("argname", p.getText());
                                } else {
                                    p.skipChildren();
                                }
                            }
                        } else if (v == JsonToken.VALUE_NUMBER_INT) {
                            e.put(k, p.getLongValue());
                        } else if (v == JsonToken.VALUE_NUMBER_FLOAT) {
                            e.put(k, p.getDoubleValue());
                        } else {
                            e.put(k, p.getText());
                        }
                    }
                    events.add(e);
                }
            }
        }
        return events;
    }
}
