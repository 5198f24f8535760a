package org.jdma.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jdma.cli.trace.TraceDigestOption;
import org.jdma.cli.coherency.CoherencyScenario;
import org.jdma.cli.coherency.ScenarioResult;
import org.jdma.kernel.dma.debug.DmaDebugReport;
import org.jdma.machine.cache.CacheConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jdma run coherency}: on a non-coherent machine, small copy-engine drivers that each
 * forget one kind of cache maintenance read wrong data, and the DMA-API checker's coherency
 * sanitizer names the cache line, the mapping and the missing call; the same drivers with the
 * right syncs read the right data and the checker stays silent. Exit status 0 when every
 * scenario tells that story ({@link ScenarioResult#tellsTheStory()}: judged by what the run
 * observed), 1 otherwise.
 */
@Command(name = "coherency", mixinStandardHelpOptions = true,
        description = {"Drivers that forget cache syncs on a non-coherent machine: wrong data, and the checker's",
                "report naming the cache line, the mapping and the missing call; then the same drivers done right."})
public final class CoherencyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--line-size", defaultValue = "64",
            description = "Cache line size in bytes (64; 128 as on some arm64 parts). Default: ${DEFAULT-VALUE}.")
    int lineSize;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the machine. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--scenario", paramLabel = "NAME",
            description = "Run only these scenarios (repeatable): forgets-sync-for-device, forgets-sync-for-cpu,"
                    + " writes-while-device-owns, shares-a-cache-line, refilled-during-dma, peeks-before-sync-for-cpu.")
    List<String> only = new ArrayList<>();

    @Option(names = "--stacks", description = "Print each report's full stacks (the map call and where it was detected).")
    boolean stacks;

    @Mixin
    TraceDigestOption traceDigest;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CacheConfig cache = CacheConfig.nonCoherent(lineSize); // validates the line size
        List<CoherencyScenario> scenarios = selected();
        out.printf("jdma run coherency: non-coherent machine, %d-byte lines, %d KiB %d-way write-back cache, copy engine memcpy0, seed %d%n",
                lineSize, cache.capacity() / 1024, cache.ways(), seed);
        int bad = 0;
        int n = 0;
        for (CoherencyScenario s : scenarios) {
            n++;
            out.printf("%n%d. the driver %s%n", n, s.title());
            ScenarioResult buggy = ScenarioResult.run(s, true, lineSize, seed, traceDigest::watch);
            ScenarioResult fixed = ScenarioResult.run(s, false, lineSize, seed, traceDigest::watch);
            out.printf("   buggy driver: %s; checker: %d report%s%n", buggy.outcome().describe(), buggy.reports().size(),
                    buggy.reports().size() == 1 ? "" : "s");
            for (DmaDebugReport r : buggy.reports()) {
                printReport(out, r);
            }
            out.printf("   fixed driver: %s; checker: %s%n", fixed.outcome().describe(),
                    fixed.reports().isEmpty() ? "silent" : fixed.reports().size() + " reports");
            for (DmaDebugReport r : fixed.reports()) {
                printReport(out, r);
            }
            boolean ok = buggy.tellsTheStory() && fixed.tellsTheStory();
            if (!ok) {
                bad++;
                out.printf("   NOT AS EXPECTED: the buggy driver should read wrong data and the checker name a cache line of a mapping,"
                        + " the fixed one read right data with no reports%n");
            }
        }
        out.printf("%nsummary %d scenarios, %d as expected, %d not%n", scenarios.size(), scenarios.size() - bad, bad);
        traceDigest.print(out);
        out.flush();
        return bad == 0 ? 0 : 1;
    }

    private List<CoherencyScenario> selected() {
        if (only.isEmpty()) {
            return List.of(CoherencyScenario.values());
        }
        List<CoherencyScenario> out = new ArrayList<>();
        for (String name : only) {
            CoherencyScenario found = null;
            for (CoherencyScenario s : CoherencyScenario.values()) {
                if (s.optionName().equals(name)) {
                    found = s;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("--scenario " + name + ": no such scenario; one of "
                        + java.util.Arrays.stream(CoherencyScenario.values()).map(CoherencyScenario::optionName).toList());
            }
            out.add(found);
        }
        return out;
    }

    private void printReport(PrintWriter out, DmaDebugReport r) {
        char letter = r.category().sanitizerLetter();
        int check = r.category().linuxCheck();
        String tag = letter != '\0' ? "(" + letter + ")" : check > 0 ? "#" + check : "[" + r.category() + "]";
        out.printf("     %s %s%n", tag, r.message());
        r.mapping().ifPresent(m -> out.printf("         mapping: %s%n", m.describe()));
        StackTraceElement[] map = r.mapStack();
        StackTraceElement[] at = r.reportStack();
        if (stacks) {
            printStack(out, "mapped at", map);
            printStack(out, "detected at", at);
        } else {
            StackTraceElement mapCall = firstOutsideRig(map);
            if (mapCall != null) {
                out.printf("         mapped at: %s%n", mapCall);
            }
            StackTraceElement driver = firstOutside(at);
            if (driver != null) {
                out.printf("         detected at: %s%n", driver);
            }
        }
    }

    /** The first frame of the driver's code: past the CPU and bus plumbing that made the access. */
    private static StackTraceElement firstOutside(StackTraceElement[] stack) {
        for (StackTraceElement e : stack) {
            if (!e.getClassName().startsWith("org.jdma.machine.") && !e.getClassName().startsWith("org.jdma.kernel.")) {
                return e;
            }
        }
        return stack.length > 0 ? stack[0] : null;
    }

    /** The driver's map call: past the scenario rig's map-and-check helper. */
    private static StackTraceElement firstOutsideRig(StackTraceElement[] stack) {
        for (StackTraceElement e : stack) {
            if (!e.getClassName().endsWith(".CoherencyRig")) {
                return e;
            }
        }
        return stack.length > 0 ? stack[0] : null;
    }

    private static void printStack(PrintWriter out, String title, StackTraceElement[] stack) {
        out.printf("         %s:%n", title);
        for (StackTraceElement e : stack) {
            out.printf("           %s%n", e);
        }
    }
}
