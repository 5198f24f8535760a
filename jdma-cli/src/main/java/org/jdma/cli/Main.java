package org.jdma.cli;

import picocli.CommandLine;

/** Entry point of the jdma command. */
public final class Main {
    private Main() { }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit status (tests call this). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new JdmaCommand());
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            line.getErr().println("jdma: " + ex.getMessage());
            return 2;
        });
        return cl.execute(args);
    }
}
