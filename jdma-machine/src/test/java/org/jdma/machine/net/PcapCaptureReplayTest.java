package org.jdma.machine.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.pcap.PcapFileHeader;
import org.jdma.spec.pcap.PcapFormatException;
import org.jdma.spec.pcap.PcapReader;
import org.jdma.spec.pcap.PcapRecord;
import org.jdma.spec.pcap.PcapWriter;
import org.junit.jupiter.api.Test;

class PcapCaptureReplayTest {

    private final EventKernel kernel = new EventKernel(11);
    private final EthernetLink link = new EthernetLink(kernel, LinkParameters.DEFAULT.withLinkUpTimeNs(0));

    private static PcapFileHeader nanos() {
        return PcapFileHeader.ethernet(ByteOrder.LITTLE_ENDIAN, true, 65535);
    }

    private static byte[] frame(int length, int marker) {
        byte[] f = new byte[length];
        Arrays.fill(f, (byte) marker);
        return f;
    }

    /** A file with the given frames at the given timestamps. */
    private static byte[] file(PcapFileHeader header, long[] times, byte[]... frames) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PcapWriter w = new PcapWriter(bytes, header)) {
            for (int i = 0; i < frames.length; i++) {
                w.write(times[i], frames[i]);
            }
        }
        return bytes.toByteArray();
    }

    private static List<PcapRecord> records(byte[] file) throws IOException {
        List<PcapRecord> out = new ArrayList<>();
        try (PcapReader r = new PcapReader(new ByteArrayInputStream(file))) {
            for (PcapRecord rec; (rec = r.next()) != null; ) {
                out.add(rec);
            }
        }
        return out;
    }

    @Test
    void shouldStampEachCapturedFrameWithItsModeledArrivalTime() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PcapCapture capture = new PcapCapture(kernel, new PcapWriter(bytes, nanos()), 1_000_000_000L);
        link.endB().onReceive(capture);
        link.endA().transmit(frame(60, 1));
        link.endA().transmit(frame(1514, 2));
        kernel.runUntilIdle();
        capture.close();
        List<PcapRecord> got = records(bytes.toByteArray());
        assertEquals(2, got.size());
        assertEquals(1_000_000_058L, got.get(0).timestampNs());
        assertEquals(1_000_001_288L, got.get(1).timestampNs());
        assertArrayEquals(frame(1514, 2), got.get(1).data());
        assertEquals(2, capture.written());
    }

    @Test
    void shouldReplayAtTheFilesSpacingAndBackToBackWhenRecordsCrowd() throws IOException {
        // Records 10 µs, then 10 ns (less than a frame's 67.2 ns), then 20 µs apart; the file's clock starts at 5 s.
        long t0 = 5_000_000_000L;
        byte[] pcap = file(nanos(), new long[] {t0, t0 + 10_000, t0 + 10_010, t0 + 30_000},
                frame(60, 1), frame(60, 2), frame(60, 3), frame(60, 4));
        List<String> arrivals = new ArrayList<>();
        link.endB().onReceive(f -> arrivals.add(f[0] + "@" + kernel.now()));
        kernel.runUntil(1_000);
        PcapReplayer replay = new PcapReplayer(kernel, link.endA(), new PcapReader(new ByteArrayInputStream(pcap)),
                PcapReplayer.Pacing.FILE_TIMESTAMPS);
        replay.start();
        kernel.runUntilIdle();
        // Third record waits for the second to leave (10 000 + 67.2 ns).
        assertEquals(List.of("1@1058", "2@11058", "3@11125", "4@31058"), arrivals);
        assertEquals(4, replay.sent());
        assertNull(replay.error());
        assertTrue(replay.finished());
    }

    @Test
    void shouldReplayBackToBackAtLineRate() throws IOException {
        byte[] pcap = file(nanos(), new long[] {0, 1_000_000, 2_000_000}, frame(60, 1), frame(60, 2), frame(60, 3));
        List<Long> arrivals = new ArrayList<>();
        link.endB().onReceive(f -> arrivals.add(kernel.now()));
        new PcapReplayer(kernel, link.endA(), new PcapReader(new ByteArrayInputStream(pcap)),
                PcapReplayer.Pacing.LINE_RATE).start();
        kernel.runUntilIdle();
        assertEquals(List.of(58L, 125L, 192L), arrivals);
    }

    @Test
    void shouldPaceALineRateReplayIntoADownLinkAndLoseItsFrames() throws IOException {
        EthernetLink down = new EthernetLink(kernel, LinkParameters.DEFAULT.withLinkUpTimeNs(1_000_000));
        byte[] pcap = file(nanos(), new long[] {0, 0, 0}, frame(60, 1), frame(60, 2), frame(60, 3));
        List<Long> sends = new ArrayList<>();
        PcapReplayer replay = new PcapReplayer(kernel, down.endA(), new PcapReader(new ByteArrayInputStream(pcap)),
                PcapReplayer.Pacing.LINE_RATE);
        replay.onFinished(() -> sends.add(kernel.now()));
        replay.start();
        kernel.runUntil(replay::finished);
        assertEquals(3, down.counters(EthernetLink.Direction.A_TO_B).lostLinkDown());
        assertEquals(List.of(134L), sends, "the third frame went 2 × 67.2 ns after the first, as on a live wire");
    }

    @Test
    void shouldSendTruncatedRecordsAsStoredAndSkipRecordsWithoutAHeader() throws IOException {
        PcapFileHeader snap100 = PcapFileHeader.ethernet(ByteOrder.BIG_ENDIAN, false, 100);
        byte[] pcap = file(snap100, new long[] {0, 1_000, 2_000}, frame(1514, 1), frame(10, 2), frame(60, 3));
        List<byte[]> got = new ArrayList<>();
        link.endB().onReceive(got::add);
        PcapReplayer replay = new PcapReplayer(kernel, link.endA(), new PcapReader(new ByteArrayInputStream(pcap)),
                PcapReplayer.Pacing.FILE_TIMESTAMPS);
        replay.start();
        kernel.runUntilIdle();
        assertEquals(List.of(100, 60), got.stream().map(f -> f.length).toList());
        assertEquals(1, replay.truncated());
        assertEquals(1, replay.skipped());
        assertEquals(2, replay.sent());
    }

    @Test
    void shouldEndTheReplayOnAFormatErrorAndKeepTheMachineRunning() throws IOException {
        byte[] good = file(nanos(), new long[] {0, 1_000}, frame(60, 1), frame(60, 2));
        byte[] cut = Arrays.copyOf(good, good.length - 20);
        CountingSink sink = new CountingSink(kernel);
        link.endB().onReceive(sink);
        List<Long> finished = new ArrayList<>();
        PcapReplayer replay = new PcapReplayer(kernel, link.endA(), new PcapReader(new ByteArrayInputStream(cut)),
                PcapReplayer.Pacing.FILE_TIMESTAMPS);
        replay.onFinished(() -> finished.add(kernel.now()));
        replay.start();
        kernel.runUntilIdle();
        assertEquals(1, sink.frames());
        assertNotNull(replay.error());
        PcapFormatException e = assertThrows(PcapFormatException.class, () -> { throw replay.error(); });
        assertEquals("packet data", e.field());
        assertEquals(List.of(0L), finished, "the bad record is read ahead when the first one goes");
    }

    @Test
    void shouldRefuseToReplayAFileOfAnotherLinkType() throws IOException {
        PcapFileHeader rawIp = new PcapFileHeader(ByteOrder.LITTLE_ENDIAN, false, 2, 4, 0, 0, 65535, 101);
        PcapReader reader = new PcapReader(new ByteArrayInputStream(rawIp.encode()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PcapReplayer(kernel, link.endA(), reader, PcapReplayer.Pacing.LINE_RATE));
        assertTrue(e.getMessage().contains("101"), e.getMessage());
    }

    @Test
    void shouldRoundTripACaptureThroughAReplay() throws IOException {
        // Generate, capture at B; replay the capture from B back to A and capture it there.
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        PcapCapture atB = new PcapCapture(kernel, new PcapWriter(first, nanos()));
        link.endB().onReceive(atB);
        TrafficGenerator g = new TrafficGenerator(kernel, link.endA(), GeneratorConfig.DEFAULT.withCount(50)
                .withSizes(FrameSizes.Mix.imix()).withRate(new GeneratorRate.LineFraction(0.5)));
        g.start();
        kernel.runUntilIdle();
        atB.close();

        ByteArrayOutputStream second = new ByteArrayOutputStream();
        PcapCapture atA = new PcapCapture(kernel, new PcapWriter(second, nanos()));
        link.endA().onReceive(atA);
        long start = kernel.now();
        new PcapReplayer(kernel, link.endB(), new PcapReader(new ByteArrayInputStream(first.toByteArray())),
                PcapReplayer.Pacing.FILE_TIMESTAMPS).start();
        kernel.runUntilIdle();
        atA.close();

        List<PcapRecord> sent = records(first.toByteArray());
        List<PcapRecord> back = records(second.toByteArray());
        assertEquals(50, back.size());
        for (int i = 0; i < 50; i++) {
            assertArrayEquals(sent.get(i).data(), back.get(i).data(), "frame " + i);
            // Same spacing as the file (every gap there is at least a frame's wire time).
            assertEquals(sent.get(i).timestampNs() - sent.get(0).timestampNs(),
                    back.get(i).timestampNs() - back.get(0).timestampNs(), 1, "spacing of frame " + i);
        }
        assertTrue(back.get(0).timestampNs() >= start);
    }

    @Test
    void shouldKeepTheMachineRunningWhenTheCaptureFileFails() {
        OutputStream failing = new OutputStream() {
            private int written;

            @Override
            public void write(int b) throws IOException {
                if (++written > 24 + 16 + 60) {
                    throw new IOException("disk full");
                }
            }
        };
        PcapCapture capture = assertDoesNotThrowIo(() -> new PcapCapture(kernel, new PcapWriter(failing, nanos())));
        link.endB().onReceive(capture);
        for (int i = 0; i < 3; i++) {
            link.endA().transmit(frame(60, i));
        }
        kernel.runUntilIdle();
        assertEquals(1, capture.written());
        assertEquals(2, capture.failed());
        IOException e = assertThrows(IOException.class, capture::close);
        assertTrue(e.getMessage().contains("2 frame(s) not captured") && e.getMessage().contains("disk full"),
                e.getMessage());
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> T assertDoesNotThrowIo(IoSupplier<T> s) {
        try {
            return s.get();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
