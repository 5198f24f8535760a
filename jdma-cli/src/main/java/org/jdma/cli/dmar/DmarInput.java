package org.jdma.cli.dmar;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.platform.Platform;
import org.jdma.spec.acpi.DmarLayout;

/**
 * A DMAR table's bytes and where they came from (the banner and error messages name it).
 *
 * @param source a file path, or a description such as "the default machine's firmware"
 * @param bytes  the table, as read
 */
public record DmarInput(String source, byte[] bytes) {

    /**
     * The most a table file may hold. ACPI allows a 4 GiB table; real DMAR tables are a few KiB (a
     * large server's, with hundreds of RMRRs, stays far below this), and a bigger file is not one.
     */
    public static final int MAX_TABLE_BYTES = 1 << 20;

    /** Where {@code jdma dmar} looks for a table when it is given no FILE. */
    @FunctionalInterface
    public interface Source {
        /**
         * The table, or empty when this source has none.
         *
         * @throws IOException the source has a table but it cannot be read; the message says why
         */
        Optional<DmarInput> find() throws IOException;
    }

    /** Linux publishes the firmware's table here (readable by root only). */
    public static final Path LINUX_SYSFS_DMAR = Path.of("/sys/firmware/acpi/tables/DMAR");

    /**
     * The running system's firmware table at {@code path}: empty when it does not exist or is not
     * readable (on Linux only root may read it), so that the next source is tried.
     */
    public static Source systemFirmware(Path path) {
        return () -> Files.isRegularFile(path) && Files.isReadable(path)
                ? Optional.of(readFile(path))
                : Optional.empty();
    }

    /** How the banner and {@code --json} name the default machine's table. */
    public static final String DEFAULT_MACHINE = "the DMAR table of the default jdma machine's firmware";

    /**
     * The table the default machine's firmware publishes ({@link Platform#acpiTable}): the machine
     * {@code jdma} runs on when it is given no other. Empty if that machine has no DMAR.
     */
    public static Source defaultMachine() {
        return () -> {
            try (Machine machine = new Machine(MachineConfig.defaults())) {
                return machine.acpiTable(DmarLayout.SIGNATURE).map(bytes -> new DmarInput(DEFAULT_MACHINE, bytes));
            }
        };
    }

    /**
     * Reads a table file, with one clear message for each way that fails: no such file, a
     * directory, no permission, too large, or the I/O error itself.
     */
    public static DmarInput readFile(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            throw new IOException(path + " is a directory, not a table file");
        }
        try (InputStream in = Files.newInputStream(path)) {
            // Read one byte past the limit to tell "exactly at the limit" from "too large";
            // sysfs files report size 0, so the size attribute is not asked.
            byte[] bytes = in.readNBytes(MAX_TABLE_BYTES + 1);
            if (bytes.length > MAX_TABLE_BYTES) {
                throw new IOException(String.format("%s is larger than %d KiB: too large for a DMAR table", path,
                        MAX_TABLE_BYTES / 1024));
            }
            return new DmarInput(path.toString(), bytes);
        } catch (NoSuchFileException e) {
            throw new IOException(path + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IOException(path + ": permission denied", e);
        }
    }
}
