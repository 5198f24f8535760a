package org.jdma.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jdma.cli.coherency.CoherencyScenario;
import org.jdma.cli.coherency.ScenarioResult;
import org.jdma.kernel.dma.debug.DmaDebugCategory;
import org.jdma.kernel.dma.debug.DmaDebugReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/** {@code jdma run coherency}: each forgotten sync gives wrong data and a finding that names line, mapping and call. */
class CoherencyCommandTest {

    /**
     * The findings each buggy driver must draw from the checker's sanitizer, kind by kind (the
     * scenarios themselves carry no expectation; the command judges a run only by what it saw).
     */
    static Set<DmaDebugCategory> expectedFindings(CoherencyScenario scenario) {
        return switch (scenario) {
            case FORGETS_SYNC_FOR_DEVICE -> EnumSet.of(DmaDebugCategory.DEVICE_READ_DIRTY_LINE);
            case FORGETS_SYNC_FOR_CPU -> EnumSet.of(DmaDebugCategory.CPU_READ_STALE_LINE);
            case WRITES_WHILE_DEVICE_OWNS -> EnumSet.of(DmaDebugCategory.CPU_WRITE_DEVICE_OWNED);
            // The counter's read-modify-write both touches and writes the line it shares with the buffer. The counter
            // is in the buffer's own allocation, so (d), which reports only lines shared with another allocation, is silent.
            case SHARES_A_CACHE_LINE -> EnumSet.of(DmaDebugCategory.CPU_TOUCH_DEVICE_OWNED, DmaDebugCategory.CPU_WRITE_DEVICE_OWNED);
            case REFILLED_DURING_DMA -> EnumSet.of(DmaDebugCategory.CPU_READ_STALE_LINE);
            case PEEKS_BEFORE_SYNC_FOR_CPU -> EnumSet.of(DmaDebugCategory.CPU_TOUCH_DEVICE_OWNED, DmaDebugCategory.CPU_READ_STALE_LINE);
        };
    }

    @ParameterizedTest
    @EnumSource(CoherencyScenario.class)
    void shouldReadWrongDataAndReportItWhenTheDriverForgetsASync(CoherencyScenario scenario) {
        ScenarioResult buggy = ScenarioResult.run(scenario, true, 64, 1);
        assertFalse(buggy.outcome().right(), () -> scenario + ": the buggy driver read the right data");
        assertEquals(expectedFindings(scenario), buggy.categories(), () -> scenario + ": " + buggy.reports());
        assertTrue(buggy.tellsTheStory(), () -> scenario + ": " + buggy.reports());
        for (DmaDebugReport r : buggy.reports()) {
            assertTrue(r.category().sanitizer(), () -> "only sanitizer findings expected: " + r);
            assertTrue(r.lineAddress() >= 0, () -> "names the line: " + r);
            assertTrue(r.mapping().isPresent(), () -> "names the mapping: " + r);
            assertTrue(r.category() == DmaDebugCategory.PARTIAL_CACHE_LINE || r.message().contains("missing call: sync"),
                    () -> "names the missing call: " + r);
        }
    }

    @ParameterizedTest
    @EnumSource(CoherencyScenario.class)
    void shouldReadTheRightDataSilentlyWhenTheDriverSyncs(CoherencyScenario scenario) {
        ScenarioResult fixed = ScenarioResult.run(scenario, false, 64, 1);
        assertTrue(fixed.outcome().right(), () -> scenario + ": " + fixed.outcome().describe());
        assertEquals(EnumSet.noneOf(DmaDebugCategory.class), fixed.categories(), () -> fixed.reports().toString());
        assertTrue(fixed.tellsTheStory());
    }

    @Test
    void shouldJudgeARunOnlyByWhatItObserved() {
        // The judge itself: the data and the checker's findings decide, in both directions.
        ScenarioResult buggy = ScenarioResult.run(CoherencyScenario.FORGETS_SYNC_FOR_CPU, true, 64, 1);
        ScenarioResult fixed = ScenarioResult.run(CoherencyScenario.FORGETS_SYNC_FOR_CPU, false, 64, 1);
        assertTrue(buggy.tellsTheStory() && fixed.tellsTheStory());
        assertFalse(new ScenarioResult(buggy.scenario(), true, buggy.outcome(), List.of()).tellsTheStory(),
                "wrong data the checker did not name");
        assertFalse(new ScenarioResult(buggy.scenario(), true, fixed.outcome(), buggy.reports()).tellsTheStory(),
                "findings but the right data: the bug did not show");
        assertFalse(new ScenarioResult(fixed.scenario(), false, fixed.outcome(), buggy.reports()).tellsTheStory(),
                "the fixed driver drew findings");
        assertFalse(new ScenarioResult(fixed.scenario(), false, buggy.outcome(), List.of()).tellsTheStory(),
                "the fixed driver read wrong data");
        List<DmaDebugReport> checksOnly = buggy.reports().stream()
                .map(r -> new DmaDebugReport(DmaDebugCategory.SYNC_DIRECTION_MISMATCH, r.device(), r.message(), r.mapping(),
                        r.lineAddress(), r.mapStack(), r.reportStack()))
                .toList();
        assertFalse(new ScenarioResult(buggy.scenario(), true, buggy.outcome(), checksOnly).tellsTheStory(),
                "a dma-debug check is not the sanitizer naming a cache line");
    }

    @Test
    void shouldTellTheWholeStoryAndExitZero() {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        int status = cl.execute("run", "coherency", "--line-size", "128");
        assertEquals(0, status, out.toString());
        String text = out.toString();
        assertTrue(text.contains("summary 6 scenarios, 6 as expected, 0 not"), text);
        // (d) is not among them: no scenario shares a line with another allocation (their neighbours are their own bytes).
        assertFalse(text.contains("     (d) DMA-API: "), text);
        for (String letter : new String[] {"(a)", "(b)", "(c)", "(e)"}) {
            assertTrue(text.contains("     " + letter + " DMA-API: memcpy0: "), letter + " missing: " + text);
        }
        assertTrue(text.contains("missing call: syncSingleForDevice(DMA_TO_DEVICE)"), text);
        assertTrue(text.lines().anyMatch(l -> l.contains("mapped at: ") && l.contains("org.jdma.cli.coherency.CoherencyScenario")), text);
    }

    @Test
    void shouldRejectAnUnknownScenarioNamingTheChoices() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute("run", "coherency", "--scenario", "nope");
        assertTrue(status != 0);
        assertTrue(err.toString().contains("forgets-sync-for-cpu"), err.toString());
    }
}
