package org.jdma.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jdma.cli.isa.IsaBench;
import org.jdma.cli.isa.IsaModeResult;
import org.jdma.cli.isa.IsaSoundResult;
import org.jdma.cli.isa.WavFile;
import org.jdma.cli.trace.ChromeTraceWriter;
import org.jdma.cli.trace.TraceDigestOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jdma run isa}: a tone through the Sound Blaster 16-like card (auto-initialize DMA, a
 * double buffer refilled at each interrupt), then the block device read in single, block, demand
 * and transparent mode beside a CPU that uses the bus, with a table of what each mode cost.
 */
@Command(name = "isa", mixinStandardHelpOptions = true,
        description = {"Classic ISA DMA: a tone through the sound card, then block-device reads in each 8237A transfer mode",
                "beside a CPU workload. Times are modeled time."})
public final class IsaCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--sectors", defaultValue = "4", description = "Sectors each mode reads (1..8). Default: ${DEFAULT-VALUE}.")
    int sectors;

    @Option(names = "--medium-ns", defaultValue = "2000", description = "The block device's medium, ns per byte. Default: ${DEFAULT-VALUE}.")
    long mediumNs;

    @Option(names = "--tone", defaultValue = "440", description = "The tone, Hz. Default: ${DEFAULT-VALUE}.")
    double tone;

    @Option(names = "--rate", defaultValue = "22050", description = "The sound's sample rate, Hz. Default: ${DEFAULT-VALUE}.")
    int rate;

    @Option(names = "--sound-ms", defaultValue = "200", description = "How long the tone plays, modeled ms. Default: ${DEFAULT-VALUE}.")
    long soundMs;

    @Option(names = "--seed", defaultValue = "1", description = "The machine's seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--wav", paramLabel = "FILE", description = "Write what the card played as a WAV file.")
    Path wav;

    @Option(names = "--trace", paramLabel = "FILE",
            description = "Write a Chrome/Perfetto trace-event JSON file with the bus-ownership track isa-bus.")
    Path trace;

    @Mixin
    TraceDigestOption traceDigest;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        IsaBench.Options o = new IsaBench.Options(sectors, mediumNs, tone, rate, soundMs, seed);
        try (IsaBench.Result r = IsaBench.run(o, m -> traceDigest.watch(m).trace().enable(trace != null || traceDigest.enabled()))) {
            report(out, r);
            if (wav != null) {
                IsaSoundResult s = r.sound();
                try (OutputStream os = Files.newOutputStream(wav)) {
                    WavFile.write(os, 1, s.rate(), s.bits(), s.played());
                }
                out.printf(Locale.ROOT, "wav: %d bytes of samples written to %s%n", s.played().length, wav);
            }
            if (trace != null) {
                try (OutputStream os = Files.newOutputStream(trace)) {
                    new ChromeTraceWriter().write(r.machine().trace().events(), "jdma run isa (seed " + seed + ")", os);
                }
                out.printf("trace: %d events written to %s (open in https://ui.perfetto.dev)%n", r.machine().trace().events().size(), trace);
            }
            traceDigest.print(out);
            out.flush();
            boolean ok = r.sound().matches() && r.modes().stream().allMatch(IsaModeResult::ok);
            return ok ? 0 : 1;
        }
    }

    static void report(PrintWriter out, IsaBench.Result r) {
        IsaSoundResult s = r.sound();
        out.printf(Locale.ROOT, "sound: %d-bit at %d Hz, %d samples played, %d interrupts, %d underruns, %d starved periods, "
                + "%d bus grants, played %s what the driver wrote%n", s.bits(), s.rate(), s.played().length / (s.bits() / 8),
                s.interrupts(), s.underruns(), s.starved(), s.grants(), s.matches() ? "exactly" : "NOT");
        out.println("mode          bytes  transfer us  command us  CPU stall us  stall %  longest us  bus util  per grant  CPU done  data");
        for (IsaModeResult m : r.modes()) {
            out.printf(Locale.ROOT, "%-11s %7d %12.1f %11.1f %13.1f %7.1f %11.1f %8.1f%% %10.1f %8.1f%%  %s%n", m.mode(), m.bytes(),
                    m.transferNs() / 1e3, m.commandNs() / 1e3, m.cpuStallNs() / 1e3, 100 * m.stallShare(), m.longestStallNs() / 1e3,
                    100 * m.busUtilisation(), m.transfersPerGrant(), 100 * m.cpuDone(), m.ok() ? "ok" : "MISMATCH");
        }
    }
}
