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
        return commandLine().execute(args);
    }

    /**
     * The command line with jdma's error handling: an exception from a command (bad input the
     * options could not catch) prints one line naming the problem and exits with status 2.
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new JdmaCommand());
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            line.getErr().println("jdma: " + oneLine(ex));
            line.getErr().flush();
            return 2;
        });
        return cl;
    }

    /** The exception's message on one line; its class name when it has none (never "null"). */
    static String oneLine(Exception ex) {
        String message = ex.getMessage();
        if (message == null || message.isBlank()) {
            return ex.getClass().getSimpleName();
        }
        return message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
