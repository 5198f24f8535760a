package org.jdma.cli.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.jdma.cli.Main;
import org.jdma.kernel.jfr.DmaMapEvent;
import org.jdma.kernel.jfr.DmaUnmapEvent;
import org.jdma.machine.jfr.DescriptorCompletionEvent;
import org.jdma.machine.jfr.InterruptDeliveredEvent;
import org.jdma.machine.jfr.IommuFaultEvent;
import org.jdma.machine.jfr.IotlbInvalidationEvent;
import org.jdma.machine.jfr.IotlbMissEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --jfr FILE}: the recording holds jdma's events, as many as the run's own report counts. */
class JfrOptionTest {

    @TempDir
    Path dir;

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(args);
        return new String[] {Integer.toString(status), out.toString(), err.toString()};
    }

    private static List<RecordedEvent> events(Path file, String name) throws IOException {
        return RecordingFile.readAllEvents(file).stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }

    private static long number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no match for " + regex + " in:\n" + text);
        return Long.parseLong(m.group(1).replace(",", ""));
    }

    @Test
    void shouldRecordAsManyEventsAsTheMemcpyReportCounts() throws IOException {
        Path file = dir.resolve("memcpy.jfr");
        String[] r = run("run", "memcpy", "--count", "6", "--size", "8K", "--seed", "5", "--jfr", file.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("jfr: recording written to " + file), r[2]);
        String report = r[1];

        List<RecordedEvent> maps = events(file, DmaMapEvent.NAME);
        List<RecordedEvent> unmaps = events(file, DmaUnmapEvent.NAME);
        // dmatest maps both whole buffers before each copy and unmaps them after.
        assertEquals(12, maps.size(), "map events");
        assertEquals(12, unmaps.size(), "unmap events");
        for (RecordedEvent m : maps) {
            assertEquals(8192, m.getLong("size"));
            assertEquals("iommu", m.getString("backend"));
            assertFalse(m.getBoolean("failed"));
            assertNotEquals(m.getLong("physical"), m.getLong("dmaAddress"), "strict mode: the device gets an IOVA");
            assertTrue(List.of("TO_DEVICE", "BIDIRECTIONAL").contains(m.getString("direction")), m.getString("direction"));
            assertFalse(m.getDuration().isNegative());
        }
        assertEquals(maps.stream().map(m -> m.getLong("dmaAddress")).sorted().toList(),
                unmaps.stream().map(u -> u.getLong("dmaAddress")).sorted().toList(), "every IOVA mapped is unmapped");

        List<RecordedEvent> completions = events(file, DescriptorCompletionEvent.NAME);
        assertEquals(number(report, "descriptors\\s+(\\d+) completed"), completions.size());
        assertTrue(completions.stream().allMatch(c -> c.getBoolean("success") && c.getString("opcode").equals("MEMMOVE")
                && c.getString("device").equals("memcpy0") && c.getLong("bytes") > 0), completions.toString());
        long bytes = completions.stream().mapToLong(c -> c.getLong("bytes")).sum();
        assertEquals(number(report, "bytes copied\\s+([\\d,]+)"), bytes, "bytes of the completions = bytes copied");

        long vector = number(report, "MSI-X vector (\\d+)");
        long irqs = events(file, InterruptDeliveredEvent.NAME).stream().filter(e -> e.getInt("vector") == vector).count();
        assertEquals(number(report, "interrupts\\s+(\\d+) completion"), irqs);

        assertEquals(number(report, "IOTLB [\\d,]+ hits / ([\\d,]+) misses"), events(file, IotlbMissEvent.NAME).size());
        Matcher inv = Pattern.compile("global/domain/page \\[(\\d+), (\\d+), (\\d+)\\]").matcher(report);
        assertTrue(inv.find(), report);
        // The report is printed before the driver is torn down, whose ring unmapping invalidates too:
        // compare what happened up to the last dmatest unmap (a strict unmap invalidates inside it).
        java.time.Instant lastUnmap = unmaps.stream().map(RecordedEvent::getEndTime).max(java.time.Instant::compareTo).orElseThrow();
        List<RecordedEvent> invalidations = events(file, IotlbInvalidationEvent.NAME).stream()
                .filter(e -> !e.getStartTime().isAfter(lastUnmap)).toList();
        String[] grains = {"global", "domain", "page"};
        for (int g = 0; g < 3; g++) {
            String grain = grains[g];
            assertEquals(Long.parseLong(inv.group(g + 1)), invalidations.stream().filter(e -> e.getString("granularity").equals(grain)).count(),
                    grain + " invalidations");
        }
        assertTrue(invalidations.stream().filter(e -> e.getString("granularity").equals("page")).allMatch(e -> e.getLong("span") >= 4096));
        assertEquals(0, events(file, IommuFaultEvent.NAME).size(), "a clean run has no faults");
    }

    @Test
    void shouldRecordTheIommuFaultsOfAnAttack() throws IOException {
        Path file = dir.resolve("attack.jfr");
        String[] r = run("run", "attack", "--mode", "strict", "--jfr", file.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        List<RecordedEvent> faults = events(file, IommuFaultEvent.NAME);
        assertFalse(faults.isEmpty(), "strict mode blocks the attacks: each block is a fault event");
        assertTrue(faults.stream().anyMatch(f -> f.getString("requester").contains("00:10.0") && !f.getBoolean("interrupt")
                && f.getString("reason").endsWith("NOT_PERMITTED")), faults.toString());
        assertTrue(faults.stream().anyMatch(f -> f.getBoolean("interrupt")), "forged MSIs are refused by interrupt remapping");
    }

    @Test
    void shouldWriteNothingWithoutTheOption() {
        String[] r = run("run", "memcpy", "--count", "1", "--quiet");
        assertEquals("0", r[0], r[1] + r[2]);
        assertFalse(r[2].contains("jfr:"), r[2]);
        assertTrue(Files.notExists(dir.resolve("memcpy.jfr")));
    }
}
