package org.jdma.cli.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.jdma.cli.Main;
import org.jdma.machine.legacy.isadma.IsaBusArbiter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jdma run isa}: seed 002's claims from the command's own numbers, the WAV file, the trace's bus track. */
class IsaCommandTest {

    @TempDir
    Path dir;

    @Test
    void shouldShowTheSeedsClaimsAboutTheTransferModesFromTheModel() {
        try (IsaBench.Result r = IsaBench.run(IsaBench.Options.DEFAULTS, m -> { })) {
            IsaModeResult single = r.mode("single");
            IsaModeResult block = r.mode("block");
            IsaModeResult demand = r.mode("demand");
            IsaModeResult transparent = r.mode("transparent");
            long bytes = IsaBench.Options.DEFAULTS.sectors() * 512L;
            for (IsaModeResult m : r.modes()) {
                assertTrue(m.ok(), m.mode() + ": the data read equals the medium");
                assertEquals(bytes, m.bytes(), m.mode());
            }
            assertTrue(block.transferNs() < single.transferNs() && block.transferNs() < transparent.transferNs()
                    && block.transferNs() < demand.transferNs(), "block finishes the transfer soonest: " + r.modes());
            assertTrue(block.longestStallNs() > 10 * single.longestStallNs(), "block stalls the CPU longest in one piece");
            assertTrue(block.longestStallNs() > single.longestStallNs() && block.longestStallNs() > demand.longestStallNs());
            assertEquals(1, block.grants(), "block: one grant");
            assertEquals(bytes, single.grants(), "single: a grant per byte");
            assertTrue(single.cpuStallNs() > 0, "single spreads the stall over many short grants, it does not remove it");
            long deviceNs = (bytes - 512) * IsaBench.Options.DEFAULTS.mediumNs();
            assertTrue(demand.transferNs() >= deviceNs * 95 / 100 && demand.transferNs() <= deviceNs * 110 / 100,
                    "demand follows the device's rate: " + demand.transferNs() + " vs " + deviceNs);
            assertEquals(0, transparent.cpuStallNs(), "transparent: the CPU never waits");
            assertTrue(transparent.transferNs() > single.transferNs() && transparent.transferNs() > block.transferNs(),
                    "transparent is the slowest of the modes with the data ready");
            assertTrue(transparent.cpuDone() > single.cpuDone() && transparent.cpuDone() > block.cpuDone(), "the CPU does most beside it");
            assertTrue(r.sound().matches());
            assertEquals(0, r.sound().underruns());
        }
    }

    @Test
    void shouldWriteAWavFileOfThePlayedSamplesAndATraceWithTheBusTrack() throws Exception {
        Path wav = dir.resolve("tone.wav");
        Path trace = dir.resolve("isa.json");
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        int status = cl.execute("run", "isa", "--sound-ms", "100", "--wav", wav.toString(), "--trace", trace.toString(), "--trace-digest");
        assertEquals(0, status, out.toString());
        assertTrue(out.toString().contains("transparent"), out.toString());
        assertTrue(out.toString().contains("trace digest: "), out.toString());
        byte[] file = Files.readAllBytes(wav);
        ByteBuffer h = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("RIFF", new String(file, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(file.length - 8, h.getInt(WavFile.RIFF_SIZE));
        assertEquals("WAVEfmt ", new String(file, 8, 8, StandardCharsets.US_ASCII));
        assertEquals(WavFile.FORMAT_PCM, h.getShort(20));
        assertEquals(1, h.getShort(WavFile.CHANNELS));
        assertEquals(22_050, h.getInt(WavFile.SAMPLE_RATE));
        assertEquals(44_100, h.getInt(WavFile.BYTE_RATE));
        assertEquals(2, h.getShort(WavFile.BLOCK_ALIGN));
        assertEquals(16, h.getShort(WavFile.BITS));
        assertEquals("data", new String(file, 36, 4, StandardCharsets.US_ASCII));
        int data = h.getInt(WavFile.DATA_SIZE);
        assertEquals(file.length - WavFile.HEADER_BYTES, data);
        try (IsaBench.Result r = IsaBench.run(new IsaBench.Options(4, 2_000, 440, 22_050, 100, 1), m -> { })) {
            assertTrue(Arrays.equals(r.sound().played(), Arrays.copyOfRange(file, WavFile.HEADER_BYTES, file.length)),
                    "the file's samples are the ones the DAC played");
        }
        short first = h.getShort(WavFile.HEADER_BYTES);
        short quarter = h.getShort(WavFile.HEADER_BYTES + 2 * (22_050 / 440 / 4));
        assertEquals(0, first, "the tone starts at zero");
        assertTrue(quarter > 15_000, "and peaks a quarter period later at half scale: " + quarter);
        String json = Files.readString(trace);
        assertTrue(json.contains(IsaBusArbiter.TRACK) && json.contains("HLDA") && json.contains("EOP"), "the bus-ownership track");
    }
}
