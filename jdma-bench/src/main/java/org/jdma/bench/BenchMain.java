package org.jdma.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * JMH's {@code org.openjdk.jmh.Main} with the same command line, plus a comparison at the end:
 * for every benchmark whose method name starts with {@code jdma} (a subject), the ratio of its
 * score to each peer (a method of the same class that does not start with {@code jdma}) measured
 * on the same case: every parameter the peer has is set the same in the subject's run (a subject
 * may have more, such as the driver's completion mode). Bytes/s is added where there is a
 * {@code size} parameter. The table is printed and written to {@code target/jmh-summary.md}.
 *
 * <p>Ratio bounds are conservative: [(a - ea) / (b + eb), (a + ea) / (b - eb)] from JMH's 99.9%
 * error half-widths {@code ea}, {@code eb}, so "≥ 1" at the lower bound means "faster, beyond
 * the measured noise".
 *
 * <p>Benchmarks that count the machine time they simulated (an auxiliary counter {@code modeledNs}
 * or {@code modeledUs}, summed per wall second) get a second table: the simulation's speed as a
 * multiple of real time (1.0× = one modeled second per wall second).
 */
public final class BenchMain {

    private static final String SUBJECT_PREFIX = "jdma";
    private static final Path SUMMARY = Path.of("target", "jmh-summary.md");

    private BenchMain() {
    }

    public static void main(String[] args) throws IOException {
        try {
            CommandLineOptions options = new CommandLineOptions(args);
            Runner runner = new Runner(options);
            if (options.shouldHelp()) {
                options.showHelp();
            } else if (options.shouldList()) {
                runner.list();
            } else if (options.shouldListWithParams()) {
                runner.listWithParams(options);
            } else if (options.shouldListProfilers()) {
                options.listProfilers();
            } else if (options.shouldListResultFormats()) {
                options.listResultFormats();
            } else {
                String summary = summarize(runner.run());
                System.out.println();
                System.out.print(summary);
                writeSummary(summary);
            }
        } catch (NoBenchmarksException e) {
            System.err.println("No benchmarks match the filter; list them with -l.");
            System.exit(1);
        } catch (CommandLineOptionException e) {
            System.err.println("Error parsing command line: " + e.getMessage());
            System.exit(1);
        } catch (RunnerException e) {
            System.err.print("ERROR: ");
            e.printStackTrace(System.err);
            System.exit(1);
        }
    }

    private static void writeSummary(String summary) {
        try {
            Files.createDirectories(SUMMARY.getParent());
            Files.writeString(SUMMARY, summary, StandardCharsets.UTF_8);
            System.out.println("Comparison saved to " + SUMMARY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + SUMMARY.toAbsolutePath(), e);
        }
    }

    /** One benchmark result: its class, method, parameters (by name) and primary score. */
    private record Score(String benchmarkClass, String method, TreeMap<String, String> params, double score,
                         double error, String unit) {
        boolean isSubject() {
            return method.startsWith(SUBJECT_PREFIX);
        }

        String paramsText() {
            StringBuilder b = new StringBuilder();
            params.forEach((k, v) -> b.append(b.isEmpty() ? "" : " ").append(k).append('=').append(v));
            return b.toString();
        }

        /** Bytes per operation, when the benchmark has a size parameter; else -1. */
        long size() {
            String v = params.get("size");
            return v == null ? -1 : Long.parseLong(v);
        }

        /** A peer measures the same case when every parameter it has is set the same here. */
        boolean sameCaseAs(Score peer) {
            return benchmarkClass.equals(peer.benchmarkClass)
                    && peer.params.entrySet().stream().allMatch(e -> e.getValue().equals(params.get(e.getKey())));
        }
    }

    /** {@code r}'s primary result, with its benchmark's class and method and its parameters. */
    private static Score score(RunResult r) {
        String full = r.getParams().getBenchmark();
        int dot = full.lastIndexOf('.');
        String cls = full.substring(full.lastIndexOf('.', dot - 1) + 1, dot);
        TreeMap<String, String> params = new TreeMap<>();
        for (String p : r.getParams().getParamsKeys()) {
            params.put(p, r.getParams().getParam(p));
        }
        Result<?> primary = r.getPrimaryResult();
        return new Score(cls, full.substring(dot + 1), params, primary.getScore(), primary.getScoreError(),
                primary.getScoreUnit());
    }

    static String summarize(Collection<RunResult> results) {
        List<Score> scores = new ArrayList<>();
        for (RunResult r : results) {
            scores.add(score(r));
        }
        scores.sort(Comparator.comparing(Score::benchmarkClass).thenComparing(Score::paramsText)
                .thenComparing(Score::method));
        StringBuilder out = new StringBuilder();
        out.append("| benchmark | params | score | bytes/s | vs peer | ratio [bounds] |\n");
        out.append("|---|---|---|---|---|---|\n");
        for (Score s : scores) {
            if (!s.isSubject()) {
                continue;
            }
            boolean anyPeer = false;
            for (Score p : scores) {
                if (!p.isSubject() && s.sameCaseAs(p)) {
                    anyPeer = true;
                    row(out, s, p);
                }
            }
            if (!anyPeer) {
                row(out, s, null);
            }
        }
        for (Score p : scores) {
            if (!p.isSubject()) {
                row(out, p, null);
            }
        }
        out.append(simulationSpeeds(results));
        return out.toString();
    }

    /** Per wall second, how many units of machine time a counter of that name sums. */
    private static final Map<String, Double> MODELED_UNITS = Map.of("modeledNs", 1e9, "modeledUs", 1e6);

    /** The table of modeled time per wall time, for results that count it; empty when none does. */
    private static String simulationSpeeds(Collection<RunResult> results) {
        StringBuilder out = new StringBuilder();
        for (RunResult r : results) {
            for (Map.Entry<String, Double> unit : MODELED_UNITS.entrySet()) {
                Result<?> modeled = r.getSecondaryResults().get(unit.getKey());
                if (modeled == null) {
                    continue;
                }
                if (out.isEmpty()) {
                    out.append("\n| simulation | params | modeled time per wall time |\n|---|---|---|\n");
                }
                Score s = score(r);
                double perSecond = unit.getValue();
                out.append("| ").append(s.benchmarkClass).append('.').append(s.method)
                        .append(" | ").append(s.paramsText())
                        .append(" | ").append(String.format(Locale.ROOT, "%.2f× ± %.2f real time",
                                modeled.getScore() / perSecond, modeled.getScoreError() / perSecond))
                        .append(" |\n");
            }
        }
        return out.toString();
    }

    private static void row(StringBuilder out, Score s, Score peer) {
        long size = s.size();
        out.append("| ").append(s.benchmarkClass).append('.').append(s.method)
                .append(" | ").append(s.paramsText())
                .append(" | ").append(fmt(s.score)).append(" ± ").append(fmt(s.error)).append(' ').append(s.unit)
                .append(" | ").append(size > 0 ? bytes(s.score * size) + " ± " + bytes(s.error * size) : "")
                .append(" | ");
        if (peer != null) {
            double ratio = s.score / peer.score;
            double lo = (s.score - s.error) / (peer.score + peer.error);
            double hi = peer.score > peer.error ? (s.score + s.error) / (peer.score - peer.error) : Double.POSITIVE_INFINITY;
            out.append(peer.method).append(" | ").append(String.format(Locale.ROOT, "%.2f×", ratio));
            if (!Double.isNaN(lo) && !Double.isNaN(hi)) {
                out.append(String.format(Locale.ROOT, " [%.2f, %.2f]", lo, hi));
            }
        } else {
            out.append(" | ");
        }
        out.append(" |\n");
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String bytes(double perSecond) {
        if (Double.isNaN(perSecond)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2f GB/s", perSecond / 1e9);
    }
}
