package org.jdma.kernel.drivers.nvme;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The outside NVMe reader, {@code tools/nvme-check/nvme-decode.c}: compiled with {@code cc} against
 * Debian's libnvme-dev, run on a file of structures, its {@code name=value} lines read into a map.
 */
final class NvmeDecode {

    static final String SOURCE = "tools/nvme-check/nvme-decode.c";
    static final String INSTALL_HINT = "needs cc and Debian's libnvme-dev (apt-get install gcc libnvme-dev)";

    private final Path binary;

    private NvmeDecode(Path binary) {
        this.binary = binary;
    }

    /** Compiles the reader into {@code dir}; fails with cc's own message when that does not work. */
    static NvmeDecode compile(Path dir) throws IOException, InterruptedException {
        Path source = findSource();
        Path binary = dir.resolve("nvme-decode");
        Result r = run(List.of("cc", "-std=c11", "-D_DEFAULT_SOURCE", "-Wall", "-Wextra", "-Werror", "-O1", "-o", binary.toString(),
                source.toString(), "-lnvme"));
        if (r.exit != 0) {
            throw new IllegalStateException("cc could not build " + source + " (" + INSTALL_HINT + "):\n" + r.output);
        }
        return new NvmeDecode(binary);
    }

    /** Decodes {@code bytes} as {@code what} (id-ctrl, id-ns, sqe, cqe, smart, error-log). */
    Map<String, String> decode(Path dir, String what, byte[] bytes) throws IOException, InterruptedException {
        Path file = Files.createTempFile(dir, what, ".bin");
        Files.write(file, bytes);
        Result r = run(List.of(binary.toString(), what, file.toString()));
        if (r.exit != 0) {
            throw new IllegalStateException("nvme-decode " + what + " failed (" + r.exit + "):\n" + r.output);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : r.output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return fields;
    }

    private static Path findSource() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(SOURCE);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(SOURCE + " not found above " + Path.of("").toAbsolutePath());
    }

    private record Result(int exit, String output) { }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
