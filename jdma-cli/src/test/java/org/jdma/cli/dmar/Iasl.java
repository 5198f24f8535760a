package org.jdma.cli.dmar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdma.cli.dmar.IaslDmarFormat.Field;

/** Runs ACPICA's iasl (Debian package acpica-tools) and reads the field lines of its output. */
final class Iasl {
    private Iasl() { }

    /** {@code [030h 0048   2]                Subtable Type : 0000 [Hardware Unit Definition]} */
    private static final Pattern FIELD = Pattern.compile("^\\[([0-9A-F]+)h (\\d+) *(\\d+)\\] +(.+?) : (.*)$");

    /** iasl's version line, or null when it cannot be run. */
    static String version() {
        try {
            Process p = new ProcessBuilder("iasl", "-v").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return out.lines().filter(l -> l.contains("version")).findFirst().orElse(out.strip());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Writes {@code name.dat} into {@code dir}, runs {@code iasl -d} there, returns {@code name.dsl}. */
    static String disassemble(Path dir, String name, byte[] table) throws IOException, InterruptedException {
        Path dat = dir.resolve(name + ".dat");
        Files.write(dat, table);
        Path log = dir.resolve(name + ".iasl.log");
        Process p = new ProcessBuilder("iasl", "-d", dat.getFileName().toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("iasl -d " + dat + " did not finish in 60 s");
        }
        Path dsl = dir.resolve(name + ".dsl");
        if (p.exitValue() != 0 || !Files.exists(dsl)) {
            throw new IOException("iasl -d " + dat + " failed (exit " + p.exitValue() + "): " + Files.readString(log));
        }
        return Files.readString(dsl, StandardCharsets.ISO_8859_1);
    }

    /** Every {@code [offset offset length] Name : Value} line, in order. */
    static List<Field> fields(String text) {
        List<Field> fields = new ArrayList<>();
        for (String line : text.lines().toList()) {
            Matcher m = FIELD.matcher(line);
            if (m.matches()) {
                int hex = Integer.parseInt(m.group(1), 16);
                int dec = Integer.parseInt(m.group(2));
                if (hex != dec) {
                    throw new IllegalStateException("hex and decimal offsets differ: " + line);
                }
                fields.add(new Field(hex, Integer.parseInt(m.group(3)), m.group(4), m.group(5)));
            }
        }
        return fields;
    }

    /** The text from the first field line (after the banner) to the end. */
    static String body(String text) {
        int start = text.indexOf("\n[000h ");
        return start < 0 ? text : text.substring(start + 1);
    }
}
