package org.jdma.arch;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/ADDING-A-DEVICE.md} shows code the reader types; this keeps it the code that builds
 * and passes. Each {@code java} block belongs to the file named (as {@code `path`} on a line of its
 * own) above it, or above an earlier block; a line {@code // ...} marks lines left out. Each part of
 * a block between such marks must appear in that file as consecutive lines, and the parts in order
 * (lines compared without their leading and trailing blanks, so a block may be indented less).
 */
class AddingADeviceDocTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String ELISION = "// ...";

    private record Block(int line, Path file, List<String> lines) { }

    @Test
    void shouldShowOnlyCodeThatIsInTheTree() throws IOException {
        List<Block> blocks = blocks(Files.readAllLines(ROOT.resolve("docs/ADDING-A-DEVICE.md")));
        assertTrue(blocks.size() >= 20, "the walk-through has its excerpts: found " + blocks.size());
        for (Block b : blocks) {
            assertTrue(Files.isRegularFile(ROOT.resolve(b.file())), "ADDING-A-DEVICE.md line " + b.line() + ": no file " + b.file());
            List<String> source = Files.readAllLines(ROOT.resolve(b.file())).stream().map(String::strip).toList();
            int from = 0;
            for (List<String> part : parts(b.lines())) {
                int at = find(source, part, from);
                if (at < 0) {
                    fail(String.format("ADDING-A-DEVICE.md line %d: these lines are not in %s (after line %d):%n%s",
                            b.line(), b.file(), from, String.join("\n", part)));
                }
                from = at + part.size();
            }
        }
    }

    private static List<Block> blocks(List<String> doc) {
        List<Block> blocks = new ArrayList<>();
        Path file = null;
        for (int i = 0; i < doc.size(); i++) {
            String l = doc.get(i).strip();
            if (l.startsWith("`") && l.endsWith("`") && l.length() > 2 && l.indexOf('`', 1) == l.length() - 1 && l.endsWith(".java`")) {
                file = Path.of(l.substring(1, l.length() - 1));
            } else if (l.equals("```java")) {
                int start = i + 1;
                List<String> body = new ArrayList<>();
                for (i = start; !doc.get(i).strip().equals("```"); i++) {
                    body.add(doc.get(i).strip());
                }
                if (file == null) {
                    fail("ADDING-A-DEVICE.md line " + start + ": a java block before any file is named");
                }
                blocks.add(new Block(start, file, body));
            }
        }
        return blocks;
    }

    private static List<List<String>> parts(List<String> lines) {
        List<List<String>> parts = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String l : lines) {
            if (l.equals(ELISION)) {
                parts.add(current);
                current = new ArrayList<>();
            } else {
                current.add(l);
            }
        }
        parts.add(current);
        return parts.stream().filter(p -> !p.isEmpty()).toList();
    }

    private static int find(List<String> source, List<String> part, int from) {
        for (int i = from; i + part.size() <= source.size(); i++) {
            if (source.subList(i, i + part.size()).equals(part)) {
                return i;
            }
        }
        return -1;
    }
}
