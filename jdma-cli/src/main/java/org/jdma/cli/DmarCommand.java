package org.jdma.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jdma.cli.dmar.DmarInput;
import org.jdma.cli.dmar.DmarJson;
import org.jdma.cli.dmar.IaslDmarFormat;
import org.jdma.kernel.acpi.DmarParseException;
import org.jdma.kernel.acpi.DmarParser;
import org.jdma.kernel.acpi.AcpiTableProblem;
import org.jdma.kernel.acpi.DmarTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jdma dmar [FILE] [--json] [--lenient]}: decodes an ACPI DMAR table (Intel VT-d §8).
 *
 * <p>The table is first read by the kernel's {@link DmarParser}; a malformed one ends the command
 * with one line on stderr naming the byte offset and the field, and exit status 2. A valid table
 * is printed the way ACPICA's {@code iasl -d} prints it (see {@link IaslDmarFormat} for the
 * format and where it departs from iasl 20200925: SATC and SIDP are printed with newer ACPICA's
 * field names, Flags/Reserved/PCI Segment Number and then the device scopes), or with
 * {@code --json} as the parsed model ({@link DmarJson}). {@code --lenient} prints whatever can be
 * read and then the parser's warnings; it still fails when not even the header can be read.
 *
 * <p>With no FILE it reads the running system's table from {@code /sys/firmware/acpi/tables/DMAR}
 * when that exists and is readable (on Linux, as root), else the table the default jdma machine's
 * firmware publishes.
 */
@Command(name = "dmar", mixinStandardHelpOptions = true,
        description = {"Decode an ACPI DMAR table (Intel VT-d DMA remapping), field by field as iasl -d prints it.",
                "With no FILE: this system's table (/sys/firmware/acpi/tables/DMAR, root only), else the default machine's."})
public final class DmarCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "A DMAR table's bytes (acpidump -b -n DMAR writes dmar.dat).")
    Path file;

    @Option(names = "--json", description = "Print the parsed table as JSON, every field.")
    boolean json;

    @Option(names = "--lenient", description = "Print what can be read of a malformed table, then what is wrong with it.")
    boolean lenient;

    private final List<DmarInput.Source> defaultSources;

    /** Where a table comes from when no FILE is given, in order: the system's, then the default machine's. */
    public DmarCommand() {
        this(defaultSources(DmarInput.LINUX_SYSFS_DMAR));
    }

    /** The system's table at {@code systemTable} when it can be read, else the default machine's. */
    static List<DmarInput.Source> defaultSources(Path systemTable) {
        return List.of(DmarInput.systemFirmware(systemTable), DmarInput.defaultMachine());
    }

    /** For tests: other places to look when no FILE is given. */
    DmarCommand(List<DmarInput.Source> defaultSources) {
        this.defaultSources = List.copyOf(defaultSources);
    }

    @Override
    public Integer call() throws IOException {
        DmarInput input = file != null ? DmarInput.readFile(file) : fromDefaultSources();
        DmarTable table;
        List<AcpiTableProblem> warnings;
        try {
            if (lenient) {
                DmarParser.Result result = DmarParser.parseLenient(input.bytes());
                table = result.table();
                warnings = result.warnings();
            } else {
                table = DmarParser.parse(input.bytes());
                warnings = List.of();
            }
        } catch (DmarParseException e) {
            throw new IllegalArgumentException(input.source() + " is not a valid DMAR table: " + e.getMessage()
                    + (lenient ? "" : " (--lenient shows what can be read)"), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            DmarJson.write(out, input.source(), table, warnings);
        } else {
            out.print(IaslDmarFormat.document(input.source(), input.bytes(), warnings));
        }
        out.flush();
        return 0;
    }

    private DmarInput fromDefaultSources() throws IOException {
        for (DmarInput.Source source : defaultSources) {
            Optional<DmarInput> found = source.find();
            if (found.isPresent()) {
                return found.get();
            }
        }
        throw new IOException("no DMAR table: neither this system nor the default machine has one readable; give a FILE");
    }
}
