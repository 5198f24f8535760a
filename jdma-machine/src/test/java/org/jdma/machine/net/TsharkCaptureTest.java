package org.jdma.machine.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.pcap.PcapFileHeader;
import org.jdma.spec.pcap.PcapWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A capture of generated traffic, read by Wireshark's tshark: every frame the generator sent is
 * in the file, with its length, its bytes (Ethernet header fields and the payload tshark shows as
 * data) and its modeled arrival time, in both byte orders and both timestamp resolutions.
 *
 * <p>Needs tshark (Debian package tshark): tagged {@code tshark}, left out of the default test run,
 * run by {@code ./build tshark}, which fails when tshark is missing.
 */
@Tag("tshark")
class TsharkCaptureTest {

    private static final long EPOCH_NS = 1_700_000_000_000_000_000L;

    @BeforeAll
    static void requireTshark() {
        try {
            Process p = new ProcessBuilder("tshark", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() == 0) {
                return;
            }
        } catch (IOException e) {
            // fall through
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fail("tshark is not installed or does not run: this test needs Wireshark's tshark (Debian/Ubuntu: apt-get install tshark)");
    }

    private record Sent(long arrivalNs, byte[] frame) { }

    @ParameterizedTest(name = "{0}, nanoseconds {1}")
    @CsvSource({"LITTLE_ENDIAN, true", "BIG_ENDIAN, false"})
    void shouldShowTsharkEveryGeneratedFrameWithItsLengthBytesAndTime(String order, boolean nanos, @TempDir Path dir)
            throws Exception {
        ByteOrder byteOrder = order.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        Path file = dir.resolve("generated.pcap");
        EventKernel kernel = new EventKernel(0x75A4);
        EthernetLink link = new EthernetLink(kernel);
        List<Sent> sent = new ArrayList<>();
        try (PcapCapture capture = new PcapCapture(kernel,
                PcapWriter.create(file, PcapFileHeader.ethernet(byteOrder, nanos, 65535)), EPOCH_NS)) {
            link.endB().onReceive(f -> {
                sent.add(new Sent(kernel.now(), f));
                capture.receive(f);
            });
            TrafficGenerator g = new TrafficGenerator(kernel, link.endA(), GeneratorConfig.DEFAULT.withCount(300)
                    .withSizes(FrameSizes.Mix.imix()).withRate(new GeneratorRate.LineFraction(0.9)));
            kernel.runUntil(link::isUp);
            g.start();
            kernel.runUntilIdle();
        }

        assertEquals(300, sent.size(), "frames the generator sent");
        List<String[]> rows = tshark(file);
        assertEquals(sent.size(), rows.size(), "frames tshark read");
        for (int i = 0; i < sent.size(); i++) {
            String[] row = rows.get(i);
            byte[] frame = sent.get(i).frame();
            String where = "frame " + (i + 1);
            assertEquals(String.valueOf(i + 1), row[0], where);
            assertEquals(frame.length, Integer.parseInt(row[1]), where + " frame.len");
            assertEquals(frame.length, Integer.parseInt(row[2]), where + " frame.cap_len");
            long ns = EPOCH_NS + sent.get(i).arrivalNs();
            long expectedNs = nanos ? ns : ns / 1_000 * 1_000;
            assertEquals(BigDecimal.valueOf(expectedNs, 9), new BigDecimal(row[3]).setScale(9), where + " frame.time_epoch");
            byte[] fromTshark = HexFormat.of().parseHex(row[4].replace(":", "") + row[5].replace(":", "")
                    + row[6].substring(2) + row[7]);
            assertArrayEquals(frame, fromTshark, where + " bytes");
        }
    }

    /** tshark's fields for every frame: number, len, cap_len, time, dst, src, type, payload hex. */
    private static List<String[]> tshark(Path file) throws IOException, InterruptedException {
        Path out = file.resolveSibling("tshark.out");
        Path err = file.resolveSibling("tshark.err");
        Process p = new ProcessBuilder("tshark", "-r", file.toString(), "-T", "fields", "-E", "separator=/t",
                "-e", "frame.number", "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.time_epoch",
                "-e", "eth.dst", "-e", "eth.src", "-e", "eth.type", "-e", "data.data")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("tshark -r " + file + " did not finish in 120 s");
        }
        if (p.exitValue() != 0) {
            fail("tshark -r " + file + " failed (exit " + p.exitValue() + "): " + Files.readString(err));
        }
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            String[] fields = line.split("\t", -1);
            if (fields.length != 8) {
                fail("tshark printed " + fields.length + " fields, expected 8: " + line);
            }
            rows.add(fields);
        }
        return rows;
    }
}
