package org.jdma.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.jdma.cli.plot.Charts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --plot FILE} of {@code run memcpy --sweep} and {@code run attack}: a PNG that decodes, and the sweep's numbers. */
class PlotTest {

    @TempDir
    Path dir;

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(args);
        return new String[] {Integer.toString(status), out.toString(), err.toString()};
    }

    private static void assertPng(Path file) throws IOException {
        assertTrue(Files.size(file) > 0, file + " is empty");
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, file + " is not an image ImageIO can decode");
        assertEquals(Charts.WIDTH, image.getWidth());
        assertEquals(Charts.HEIGHT, image.getHeight());
        // Not a blank canvas: a plot has lines, labels and a background of different colours.
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 5) {
            for (int x = 0; x < image.getWidth(); x += 5) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 4, "only " + colours.size() + " colours: a blank image");
    }

    @Test
    void shouldPlotTheMemcpySweepAndShowStrictCostingThroughputOnLargeCopies() throws IOException {
        Path png = dir.resolve("sweep.png");
        String[] r = run("run", "memcpy", "--sweep", "--count", "2", "--plot", png.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("sweep: 0 failures") && r[1].contains("plot: " + png), r[1]);
        assertPng(png);
        Matcher m = Pattern.compile("(?m)^\\s+1048576 \\|\\s+([\\d.]+) GB/s.*\\|\\s+([\\d.]+) GB/s\\s+\\d+ ns$").matcher(r[1]);
        assertTrue(m.find(), r[1]);
        double off = Double.parseDouble(m.group(1));
        double strict = Double.parseDouble(m.group(2));
        assertTrue(strict < off, "every strict page is translated, IOTLB misses included: " + r[1]);
    }

    @Test
    void shouldPlotTheAttacksPerMode() throws IOException {
        Path png = dir.resolve("attack"); // no extension: .png is added
        String[] r = run("run", "attack", "--mode", "off,strict", "--plot", png.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertPng(dir.resolve("attack.png"));
    }

    @Test
    void shouldRefuseAPlotWithoutASweep() {
        String[] r = run("run", "memcpy", "--plot", dir.resolve("x.png").toString());
        assertNotEquals("0", r[0]);
        assertTrue((r[1] + r[2]).contains("--plot needs --sweep"), r[1] + r[2]);
    }
}
