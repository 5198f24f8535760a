package org.jdma.cli;

import picocli.CommandLine.Command;

/** {@code jdma run SCENARIO}: runs a workload on the default machine and reports on it. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a workload on the default emulated machine.",
        subcommands = {MemcpyCommand.class, AttackCommand.class, CoherencyCommand.class, org.jdma.cli.nic.NicCommand.class, NvmeCommand.class, org.jdma.cli.soak.SoakCommand.class, IsaCommand.class})
public final class RunCommand {
}
