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
 * for every benchmark whose method name starts with {@code jdma}, the ratio of its score to each
 * peer in the same class with the same parameters, and bytes/s where there is a {@code size}
 * parameter. The table is printed and written to {@code target/jmh-summary.md}.
 *
 * <p>Ratio bounds are conservative: [(a - ea) / (b + eb), (a + ea) / (b - eb)] from JMH's 99.9%
 * error half-widths {@code ea}, {@code eb}, so "≥ 1" at the lower bound means "faster, beyond
 * the measured noise".
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

    /** One row's key: benchmark class and its parameters in name order. */
    private record Key(String benchmarkClass, String params) { }

    private record Score(String method, double score, double error, String unit, long size) { }

    static String summarize(Collection<RunResult> results) {
        TreeMap<Key, List<Score>> byKey = new TreeMap<>(Comparator.comparing(Key::benchmarkClass).thenComparing(Key::params));
        for (RunResult r : results) {
            String full = r.getParams().getBenchmark();
            int dot = full.lastIndexOf('.');
            String cls = full.substring(full.lastIndexOf('.', dot - 1) + 1, dot);
            StringBuilder params = new StringBuilder();
            long size = -1;
            for (String p : r.getParams().getParamsKeys()) {
                String v = r.getParams().getParam(p);
                params.append(params.isEmpty() ? "" : " ").append(p).append('=').append(v);
                if (p.equals("size")) {
                    size = Long.parseLong(v);
                }
            }
            Result<?> primary = r.getPrimaryResult();
            byKey.computeIfAbsent(new Key(cls, params.toString()), k -> new ArrayList<>())
                    .add(new Score(full.substring(dot + 1), primary.getScore(), primary.getScoreError(),
                            primary.getScoreUnit(), size));
        }
        StringBuilder out = new StringBuilder();
        out.append("| benchmark | params | score | bytes/s | vs peer | ratio [bounds] |\n");
        out.append("|---|---|---|---|---|---|\n");
        for (var e : byKey.entrySet()) {
            List<Score> scores = e.getValue();
            for (Score s : scores) {
                if (!s.method.startsWith(SUBJECT_PREFIX)) {
                    continue;
                }
                boolean anyPeer = false;
                for (Score p : scores) {
                    if (p == s) {
                        continue;
                    }
                    anyPeer = true;
                    row(out, e.getKey(), s, p);
                }
                if (!anyPeer) {
                    row(out, e.getKey(), s, null);
                }
            }
            for (Score p : scores) {
                if (!p.method.startsWith(SUBJECT_PREFIX)) {
                    row(out, e.getKey(), p, null);
                }
            }
        }
        return out.toString();
    }

    private static void row(StringBuilder out, Key key, Score s, Score peer) {
        out.append("| ").append(key.benchmarkClass).append('.').append(s.method)
                .append(" | ").append(key.params)
                .append(" | ").append(fmt(s.score)).append(" ± ").append(fmt(s.error)).append(' ').append(s.unit)
                .append(" | ").append(s.size > 0 ? bytes(s.score * s.size) + " ± " + bytes(s.error * s.size) : "")
                .append(" | ");
        if (peer != null) {
            double ratio = s.score / peer.score;
            double lo = (s.score - s.error) / (peer.score + peer.error);
            double hi = peer.score > peer.error ? (s.score + s.error) / (peer.score - peer.error) : Double.POSITIVE_INFINITY;
            out.append(peer.method).append(" | ")
                    .append(String.format(Locale.ROOT, "%.2f× [%.2f, %.2f]", ratio, lo, hi));
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
