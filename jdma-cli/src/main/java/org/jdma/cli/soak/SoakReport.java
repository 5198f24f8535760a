package org.jdma.cli.soak;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a soak did and whether it lost anything: one figure line per device or activity, then the
 * checks, each a count the soak expected against the count it found. The run passes when every
 * check does; a failed check's line names it and says by how much it is off.
 */
public final class SoakReport {

    /** One end-of-run check: {@code actual} must equal {@code expected}. */
    public record Check(String name, long expected, long actual) {
        public boolean passed() {
            return expected == actual;
        }

        /** "ok   name: 0" or "FAIL name: expected 0, found 3 (off by 3)". */
        public String line() {
            return passed() ? String.format(Locale.ROOT, "ok    %s: %,d", name, actual)
                    : String.format(Locale.ROOT, "FAIL  %s: expected %,d, found %,d (off by %,d)", name, expected, actual,
                    actual - expected);
        }
    }

    private final List<String> figures = new ArrayList<>();
    private final List<Check> checks = new ArrayList<>();
    private long modeledNs;
    private long wallNs;

    void figure(String format, Object... args) {
        figures.add(String.format(Locale.ROOT, format, args));
    }

    void check(String name, long expected, long actual) {
        checks.add(new Check(name, expected, actual));
    }

    void times(long modeled, long wall) {
        this.modeledNs = modeled;
        this.wallNs = wall;
    }

    public List<String> figures() {
        return List.copyOf(figures);
    }

    public List<Check> checks() {
        return List.copyOf(checks);
    }

    /** The checks that failed, in order. */
    public List<Check> failed() {
        return checks.stream().filter(c -> !c.passed()).toList();
    }

    /** The check called {@code name}. */
    public Check check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no check called '" + name + "' (checks: "
                        + checks.stream().map(Check::name).toList() + ")"));
    }

    public boolean passed() {
        return failed().isEmpty();
    }

    public long modeledNs() {
        return modeledNs;
    }

    public long wallNs() {
        return wallNs;
    }

    public void print(PrintWriter out) {
        out.printf(Locale.ROOT, "soak: %.1f ms modeled in %.1f s wall%n", modeledNs / 1e6, wallNs / 1e9);
        figures.forEach(f -> out.println("  " + f));
        out.println("checks");
        checks.forEach(c -> out.println("  " + c.line()));
        List<Check> bad = failed();
        out.println(bad.isEmpty() ? "soak passed: nothing lost, corrupted or leaked"
                : "soak FAILED: " + bad.size() + " check(s): " + String.join("; ", bad.stream().map(Check::line).toList()));
        out.flush();
    }
}
