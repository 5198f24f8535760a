package org.jdma.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code jdma run memcpy --engines N} and the tour's two-engine step. */
class SeveralEnginesCommandTest {

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

    private static String line(String text, String start) {
        return Arrays.stream(text.split("\n")).filter(l -> l.trim().startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + start + "' in:\n" + text));
    }

    /** The report's row for {@code name}: the name, then numbers. */
    private static List<String> row(String text, String name) {
        String row = Arrays.stream(text.split("\n")).filter(l -> l.matches("\\s*" + name + "\\s+\\d+\\s+\\d+\\s.*")).findFirst()
                .orElseThrow(() -> new AssertionError("no report row for " + name + " in:\n" + text));
        return Arrays.asList(row.trim().split("\\s+"));
    }

    @Test
    void shouldRunEachEngineOnItsCpuAndLandItsInterruptsThere() {
        Run r = jdma("run", "memcpy", "--engines", "4", "--cpus", "2", "--size", "8K", "--count", "5", "--seed", "3");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("4 engines at once on 2 CPUs"), r.out());
        for (int engine = 0; engine < 4; engine++) {
            int e = engine;
            int cpu = e % 2;
            assertTrue(line(r.out(), "memcpy" + e + "chan0 ").contains("-> CPU " + cpu + ", runs on CPU " + cpu), r.out());
            // The /proc/interrupts row: channel, vector, then one count per CPU.
            List<String> irq = Arrays.stream(r.out().split("\n")).filter(l -> l.trim().matches("memcpy" + e + "chan0\\s+\\d+\\s+\\d+\\s+\\d+"))
                    .findFirst().map(l -> Arrays.asList(l.trim().split("\\s+")))
                    .orElseThrow(() -> new AssertionError("no interrupt row for engine " + e + ":\n" + r.out()));
            assertEquals("5", irq.get(2 + cpu), "all five completions on CPU " + cpu + ": " + irq);
            assertEquals("0", irq.get(2 + (1 - cpu)), "none on the other CPU: " + irq);
        }
        assertTrue(line(r.out(), "CPU1").contains("interrupts handled     10"), r.out());
        assertTrue(r.out().contains("total (4 engines): summary 20 tests, 0 failures"), r.out());
    }

    @Test
    void shouldRejectACpuCountTheMachineCannotHave() {
        Run r = jdma("run", "memcpy", "--engines", "2", "--cpus", "0");
        assertTrue(r.status() != 0, r.out() + r.err());
        assertTrue(r.err().contains("--cpus must be between 1 and 255, was 0"), r.err());
    }

    @Test
    void shouldCopyAndVerifyEveryByteOnEachOfThreeEnginesAtOnce() {
        Run r = jdma("run", "memcpy", "--engines", "3", "--size", "32K", "--count", "6", "--seed", "5");
        assertEquals(0, r.status(), r.out() + r.err());
        for (int e = 0; e < 3; e++) {
            assertTrue(r.out().contains("memcpy" + e + "chan0-copy0: summary 6 tests, 0 failures"), r.out());
            List<String> row = row(r.out(), "memcpy" + e + "chan0");
            assertEquals("6", row.get(1), "copies: " + row);
            assertEquals("0", row.get(2), "failures: " + row);
            assertEquals("6", row.get(5), "each engine took one interrupt per copy, its own: " + row);
            assertEquals("{}", row.get(6), "no device error status: " + row);
            assertTrue(line(r.out(), "memcpy" + e + "chan0 ").contains("DMA_STRICT domain " + (e + 1)), r.out());
        }
        assertTrue(r.out().contains("total (3 engines): summary 18 tests, 0 failures"), r.out());
        List<String> total = row(r.out(), "total");
        assertEquals("18", total.get(1));
        assertEquals("18", total.get(5));
        assertTrue(r.out().contains("they overlapped"), r.out());
        assertTrue(r.out().contains("every byte verified"), r.out());
    }

    @Test
    void shouldTakeNoInterruptsOnAnyEngineWhenPolled() {
        Run r = jdma("run", "memcpy", "--engines", "2", "--size", "16K", "--count", "4", "--polled", "--iommu", "off");
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("0", row(r.out(), "memcpy0chan0").get(5));
        assertEquals("0", row(r.out(), "memcpy1chan0").get(5));
        assertTrue(r.out().contains("total (2 engines): summary 8 tests, 0 failures"), r.out());
        assertTrue(r.out().contains("direct DMA"), r.out());
    }

    @Test
    void shouldPrintOnlySummariesWhenQuiet() {
        Run r = jdma("run", "memcpy", "--engines", "2", "--size", "16K", "--count", "3", "--quiet");
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(3, r.out().trim().split("\n").length, r.out());
    }

    @Test
    void shouldKeepTheOneEngineOutputWhenOneEngineIsAskedFor() {
        Run plain = jdma("run", "memcpy", "--size", "16K", "--count", "5", "--seed", "9");
        Run one = jdma("run", "memcpy", "--size", "16K", "--count", "5", "--seed", "9", "--engines", "1");
        assertEquals(0, one.status(), one.err());
        assertEquals(plain.out().replaceAll("wall time .*", ""), one.out().replaceAll("wall time .*", ""));
        assertFalse(one.out().contains("chan0"), one.out());
    }

    @Test
    void shouldRejectMoreEnginesThanBusZeroHolds() {
        Run r = jdma("run", "memcpy", "--engines", "29");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--engines must be between 1 and 28, was 29"), r.err());
    }

    @Test
    void shouldShowTwoEnginesCopyingAtOnceInTheTour() {
        Run r = jdma();
        assertEquals(0, r.status(), r.err());
        String step = r.out().substring(r.out().indexOf("== 6. Two copy engines at once"), r.out().indexOf("== 7. Totals"));
        assertTrue(line(step, "memcpy0chan0").contains("DMA_STRICT domain 1"), step);
        assertTrue(line(step, "memcpy1chan0").contains("DMA_STRICT domain 2"), step);
        String zero = line(step, "memcpy0:");
        String one = line(step, "memcpy1:");
        assertTrue(line(step, "memcpy0chan0").endsWith("-> CPU 1, driven from CPU 1"), step);
        assertTrue(line(step, "memcpy1chan0").endsWith("-> CPU 2, driven from CPU 2"), step);
        assertTrue(zero.contains("4 interrupts (4 of them on CPU 1)") && one.contains("4 interrupts (4 of them on CPU 2)"),
                "each engine's interrupts on its own CPU: " + step);
        assertTrue(zero.contains("4 descriptors, 4 interrupts") && zero.contains("\"engine 0 copied this.")
                && zero.endsWith("(every byte its own engine's)"), step);
        assertTrue(one.contains("4 descriptors, 4 interrupts") && one.contains("\"engine 1 copied this.")
                && one.endsWith("(every byte its own engine's)"), step);
        assertTrue(line(step, "both done").endsWith("they ran at once; 0 failed"), step);
    }
}
