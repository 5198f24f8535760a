package org.jdma.cli.trace;

import java.io.PrintWriter;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.time.TraceRecorder;
import picocli.CommandLine.Option;

/**
 * {@code --trace-digest}, mixed into every scenario command: records each machine the command
 * builds and prints one line, {@code trace digest: <sha-256> (<n> events, <m> machines)}, over
 * their traces in the order the machines were built. The same command line with the same seed
 * must print the same line in any JVM; {@code scripts/determinism} and the cross-JVM test compare
 * it between processes whose hash salts differ.
 */
public final class TraceDigestOption {

    /** The line's prefix, which scripts look for. */
    public static final String PREFIX = "trace digest: ";

    @Option(names = "--trace-digest",
            description = "Record the trace of every machine the command builds and print its SHA-256 at the end "
                    + "(same seed, same line, in any JVM).")
    boolean enabled;

    private final List<TraceRecorder> recorders = new ArrayList<>();

    public boolean enabled() {
        return enabled;
    }

    /** Turns tracing on for {@code machine} when the option is given and remembers its recorder; returns it. */
    public Machine watch(Machine machine) {
        if (enabled) {
            machine.trace().enable(true);
            recorders.add(machine.trace());
        }
        return machine;
    }

    /** Prints the digest line when the option is given (call it once, after the last machine ran). */
    public void print(PrintWriter out) {
        if (!enabled) {
            return;
        }
        MessageDigest digest = TraceRecorder.sha256Digest();
        long events = 0;
        for (TraceRecorder r : recorders) {
            r.digestInto(digest);
            events += r.events().size();
        }
        out.printf("%s%s (%d events, %d machines)%n", PREFIX, HexFormat.of().formatHex(digest.digest()), events, recorders.size());
        out.flush();
    }
}
