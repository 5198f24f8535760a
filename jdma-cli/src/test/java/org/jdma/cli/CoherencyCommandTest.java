package org.jdma.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.EnumSet;
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

    @ParameterizedTest
    @EnumSource(CoherencyScenario.class)
    void shouldReadWrongDataAndReportItWhenTheDriverForgetsASync(CoherencyScenario scenario) {
        ScenarioResult buggy = ScenarioResult.run(scenario, true, 64, 1);
        assertFalse(buggy.outcome().right(), () -> scenario + ": the buggy driver read the right data");
        assertTrue(buggy.categories().containsAll(scenario.expected()), () -> scenario + ": " + buggy.reports());
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
        assertTrue(fixed.asExpected());
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
        for (String letter : new String[] {"(a)", "(b)", "(c)", "(d)", "(e)"}) {
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
