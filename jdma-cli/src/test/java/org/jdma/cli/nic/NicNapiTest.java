package org.jdma.cli.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.jdma.cli.Main;
import org.jdma.kernel.jfr.DmaMapEvent;
import org.jdma.machine.jfr.InterruptDeliveredEvent;
import org.jdma.spec.ixgbe.IxgbeRegisters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code jdma run nic --mode napi}: the forwarder receives through the driver's NAPI polls, each
 * queue's vector moderated by EITR; nothing is lost below capacity, polls batch under load, and
 * the interrupt rate follows the packet rate or the EITR interval, whichever is lower.
 */
class NicNapiTest {

    @TempDir
    Path dir;

    private static String json(String... args) {
        List<String> a = new ArrayList<>(List.of("run", "nic"));
        a.addAll(List.of(args));
        a.add("--json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertEquals(0, cl.execute(a.toArray(String[]::new)), out + "\n" + err);
        return out.toString();
    }

    /** The first value of {@code "key"}: the total's, written before the intervals. */
    private static double field(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\" : (-?[0-9][0-9.]*(?:[eE][-+]?[0-9]+)?)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Double.parseDouble(m.group(1));
    }

    private static double sequenceField(String json, String key) {
        return field(json.substring(json.indexOf("\"sequenceAb\"")), key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"off", "strict", "lazy"})
    void shouldForwardEveryFrameThroughNapiBelowCapacity(String iommu) {
        String j = json("fwd", "--mode", "napi", "--iommu", iommu, "--size", "512", "--rate", "20%", "--count", "2000",
                "--duration", "20ms");
        assertEquals(0, field(j, "drops"), j);
        assertEquals(2000, field(j, "framesAb"), j);
        assertEquals(0, sequenceField(j, "lost") + sequenceField(j, "reordered") + sequenceField(j, "duplicated"), j);
        assertTrue(field(j, "polls") > 0, "the frames came through NAPI polls: " + j);
        assertTrue(field(j, "txCleaned") > 0, "B's polls reclaimed what it sent: " + j);
    }

    @Test
    void shouldTakeWholeBudgetsWithFewInterruptsUnderLoad() {
        String j = json("fwd", "--mode", "napi", "--iommu", "off", "--duration", "300us");
        double polls = field(j, "polls");
        double full = field(j, "fullPolls");
        assertTrue(full > polls / 3, String.format("%.0f of %.0f polls took 64 frames: %s", full, polls, j));
        assertTrue(field(j, "interruptsPerPacket") < 0.05, j);
    }

    @ParameterizedTest
    @ValueSource(strings = {"off", "strict"})
    void shouldSpendAtMostAllOfTheCpuOnPollsAndForwardNoFasterThanTheirCostAllows(String iommu) {
        String j = json("fwd", "--mode", "napi", "--iommu", iommu, "--duration", "1ms");
        double busy = field(j, "busyCpus");
        assertTrue(busy <= 1.0 + 1e-6, "one CPU polls both ports' queues, one poll at a time: " + j);
        assertTrue(busy > 0.95, "64-byte frames at line rate keep it busy: " + j);
        double chargedNs = field(j, "driverNsPerPacket") + field(j, "mappingNsPerPacket") + field(j, "iommuNsPerPacket");
        assertTrue(field(j, "mppsAb") <= 1e3 / chargedNs + 1e-6,
                "each forwarded frame takes its charged CPU time on the one CPU: " + j);
        assertTrue(field(j, "drops") > 0, "what the CPU cannot take is dropped: " + j);
    }

    @Test
    void shouldForwardLargeFramesAtLineRateThroughNapiWithCpuToSpare() {
        String j = json("fwd", "--mode", "napi", "--iommu", "off", "--size", "1518", "--duration", "1ms");
        assertTrue(field(j, "mppsAb") > 0.8, "the wire limits: 0.81 Mpps: " + j);
        assertTrue(field(j, "busyCpus") < 0.5, j);
        assertEquals(0, field(j, "drops"), j);
    }

    @Test
    void shouldBoundTheInterruptRateByTheEitrInterval() {
        // 1,518-byte frames at line rate: the CPU keeps up, so each poll takes fewer than its budget and re-arms
        // (at 64 bytes it cannot, and NAPI stays in polling without interrupts)
        String j = json("fwd", "--mode", "napi", "--iommu", "off", "--itr", "20", "--size", "1518", "--duration", "1ms");
        long intervalNs = 10 * IxgbeRegisters.EITR_INTERVAL_UNIT_NS;   // 20 us rounds to 10 steps
        double seconds = (field(j, "endNs") - field(j, "startNs")) / 1e9;
        double interrupts = field(j, "interruptsPerS") * seconds;
        int vectors = 2;   // A's queue vector and B's
        double bound = vectors * (seconds * 1e9 / intervalNs + 1);
        assertTrue(interrupts <= bound + 1e-6, String.format("%.0f interrupts, at most %.1f: %s", interrupts, bound, j));
        assertTrue(interrupts >= bound * 0.8, "under load every vector fires as often as EITR allows: " + j);
    }

    @Test
    void shouldInterruptOncePerPacketOnEachPortAtALowRate() {
        String j = json("fwd", "--mode", "napi", "--iommu", "off", "--itr", "0", "--rate", "0.1%", "--count", "50",
                "--duration", "10ms");
        assertEquals(50, field(j, "framesAb"), j);
        assertEquals(2.0, field(j, "interruptsPerPacket"), 1e-9, "A's receive and B's transmit completion, each frame: " + j);
        assertEquals(0, field(j, "fullPolls"), j);
    }

    @Test
    void shouldRecordEveryInterruptTheReportCountsWithJfr() throws IOException {
        Path file = dir.resolve("nic.jfr");
        String j = json("fwd", "--mode", "napi", "--iommu", "strict", "--itr", "0", "--rate", "0.1%", "--count", "20",
                "--duration", "10ms", "--jfr", file.toString());
        double startNs = field(j, "startNs");
        long reported = Math.round(field(j, "interruptsPerPacket") * field(j, "framesAb"));
        List<RecordedEvent> interrupts = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(InterruptDeliveredEvent.NAME))
                .filter(e -> e.getLong("modeledNs") >= startNs)
                .filter(e -> e.getString("source").contains(NicRig.SLOT_A.toString())
                        || e.getString("source").contains(NicRig.SLOT_B.toString())).toList();
        assertEquals(40, reported, j);
        // Per port and vector: each port's queue vector fired once per frame (A on receive, B on transmit
        // completion); besides them, B's link-up reaches its other-causes vector, signalled before the sources started.
        List<Long> perVector = interrupts.stream()
                .collect(Collectors.groupingBy(e -> e.getString("source") + " " + e.getInt("vector"), Collectors.counting()))
                .values().stream().sorted(Comparator.reverseOrder()).toList();
        assertEquals(List.of(20L, 20L), perVector.subList(0, 2), perVector.toString());
        assertEquals(reported, perVector.get(0) + perVector.get(1), "one event per interrupt the run reported");
        assertTrue(perVector.size() <= 3 && perVector.stream().skip(2).allMatch(n -> n == 1), perVector.toString());
        assertTrue(RecordingFile.readAllEvents(file).stream().anyMatch(e -> e.getEventType().getName().equals(DmaMapEvent.NAME)),
                "the driver's streaming maps are recorded too");
    }

    @Test
    void shouldGenerateWithStrictUnmapsWhileNapiPollsCleanTheSameRing() {
        // The generator's send unmaps (strict: an invalidation wait lets the machine run); a NAPI poll of
        // the same queue that runs meanwhile must not clean the ring under it.
        String j = json("pktgen", "--mode", "napi", "--iommu", "strict", "--size", "1518", "--duration", "2ms");
        assertTrue(field(j, "framesAb") > 1000, j);
        assertTrue(field(j, "polls") > 0, "the port's NAPI polls ran: " + j);
    }

    @Test
    void shouldPollWithoutInterruptsByDefault() {
        String j = json("fwd", "--iommu", "off", "--duration", "200us");
        assertEquals(0, field(j, "interruptsPerS"), j);
        assertEquals(0, field(j, "polls"), j);
    }

    @Test
    void shouldNameTheRxOptionThatIsWrong() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("run", "nic", "fwd", "--mode", "irq"));
        assertTrue(err.toString().contains("--mode must be poll or napi, was irq"), err.toString());
        assertEquals(2, cl.execute("run", "nic", "fwd", "--mode", "napi", "--itr", "2000"));
        assertTrue(err.toString().contains("--itr must be 0..1046 us"), err.toString());
        assertEquals(2, cl.execute("run", "nic", "fwd", "--itr", "10"));
        assertTrue(err.toString().contains("--itr moderates interrupts: use it with --mode napi"), err.toString());
    }
}
