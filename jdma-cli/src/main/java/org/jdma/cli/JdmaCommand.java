package org.jdma.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jdma}: with no subcommand, a tour of the default machine. */
@Command(name = "jdma", mixinStandardHelpOptions = true, version = "jdma 0.1.0",
        description = {"A DMA subsystem for the JVM and the emulated machine it runs on.",
                "With no command: a short tour of the default machine."},
        subcommands = {RunCommand.class, TourCommand.class, DmarCommand.class})
public final class JdmaCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--seed", description = "Seed of the machine's random source (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    long seed;

    @Override
    public Integer call() {
        TourCommand tour = new TourCommand();
        tour.seed = seed;
        tour.out = spec.commandLine().getOut();
        return tour.call();
    }
}
