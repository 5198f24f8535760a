package org.jdma.cli.coherency;

import java.util.function.UnaryOperator;
import org.jdma.machine.Machine;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jdma.kernel.dma.debug.DmaDebugCategory;
import org.jdma.kernel.dma.debug.DmaDebugReport;

/**
 * One run of one scenario variant: what the driver read back and what the checker said.
 *
 * @param scenario which driver
 * @param buggy    the variant with the missing sync (true) or the fixed one
 * @param outcome  the data the driver read, against what it should have read
 * @param reports  every report the checker made, in order
 */
public record ScenarioResult(CoherencyScenario scenario, boolean buggy, Outcome outcome, List<DmaDebugReport> reports) {

    public ScenarioResult {
        reports = List.copyOf(reports);
    }

    public Set<DmaDebugCategory> categories() {
        Set<DmaDebugCategory> s = EnumSet.noneOf(DmaDebugCategory.class);
        reports.forEach(r -> s.add(r.category()));
        return s;
    }

    /**
     * Whether the checker named what went wrong: a coherency-sanitizer finding (one of its five
     * kinds, not a dma-debug check) that names a cache line and the mapping it belongs to.
     */
    public boolean checkerNamedALine() {
        return reports.stream().anyMatch(r -> r.category().sanitizer() && r.lineAddress() >= 0 && r.mapping().isPresent());
    }

    /**
     * The story holds, judged only by what this run observed: the buggy variant read wrong data
     * and the checker named a cache line of a mapping ({@link #checkerNamedALine()}); the fixed
     * variant read the right data and the checker stayed silent. Which findings each scenario
     * draws is for its tests to state.
     */
    public boolean tellsTheStory() {
        return buggy ? !outcome.right() && checkerNamedALine() : outcome.right() && reports.isEmpty();
    }

    /** Runs {@code scenario}'s variant on a fresh non-coherent machine with {@code lineSize}-byte lines. */
    public static ScenarioResult run(CoherencyScenario scenario, boolean buggy, int lineSize, long seed) {
        return run(scenario, buggy, lineSize, seed, m -> m);
    }

    /** As {@link #run(CoherencyScenario, boolean, int, long)}, showing the fresh machine to {@code watch} first. */
    public static ScenarioResult run(CoherencyScenario scenario, boolean buggy, int lineSize, long seed, UnaryOperator<Machine> watch) {
        try (CoherencyRig rig = new CoherencyRig(scenario.cache(lineSize), seed, watch)) {
            Outcome o = scenario.run(rig, buggy);
            return new ScenarioResult(scenario, buggy, o, rig.checker.reports());
        }
    }
}
