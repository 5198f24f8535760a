package org.jdma.spec.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PcapRoundTripTest {

    private static byte[] write(PcapFileHeader header, long[] times, List<byte[]> frames) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PcapWriter w = new PcapWriter(bytes, header)) {
            for (int i = 0; i < frames.size(); i++) {
                w.write(times[i], frames.get(i));
            }
        }
        return bytes.toByteArray();
    }

    private static List<PcapRecord> readAll(byte[] file) throws IOException {
        List<PcapRecord> out = new ArrayList<>();
        try (PcapReader r = new PcapReader(new ByteArrayInputStream(file))) {
            for (PcapRecord rec; (rec = r.next()) != null; ) {
                out.add(rec);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}, nanoseconds {1}")
    @CsvSource({"LITTLE_ENDIAN, true", "LITTLE_ENDIAN, false", "BIG_ENDIAN, true", "BIG_ENDIAN, false"})
    void shouldReadBackEveryFrameAndTimestampInBothByteOrdersAndResolutions(String order, boolean nanos)
            throws IOException {
        ByteOrder byteOrder = order.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        SplittableRandom random = new SplittableRandom(13);
        List<byte[]> frames = new ArrayList<>();
        long[] times = new long[50];
        for (int i = 0; i < times.length; i++) {
            byte[] f = new byte[60 + random.nextInt(1455)];
            random.nextBytes(f);
            frames.add(f);
            times[i] = 1_700_000_000_000_000_000L + i * 67_200L + random.nextInt(1000);
        }
        PcapFileHeader header = PcapFileHeader.ethernet(byteOrder, nanos, PcapLayout.DEFAULT_SNAPLEN);
        byte[] file = write(header, times, frames);

        try (PcapReader r = new PcapReader(new ByteArrayInputStream(file))) {
            assertEquals(header, r.header());
        }
        List<PcapRecord> back = readAll(file);
        assertEquals(frames.size(), back.size());
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(frames.get(i), back.get(i).data(), "frame " + i);
            assertEquals(frames.get(i).length, back.get(i).originalLength());
            long expected = nanos ? times[i] : times[i] / 1000 * 1000;
            assertEquals(expected, back.get(i).timestampNs(), "timestamp of frame " + i);
        }
    }

    @Test
    void shouldWriteTheHeaderFieldsAtTheirOffsetsInTheWritersByteOrder() throws IOException {
        byte[] file = write(PcapFileHeader.ethernet(ByteOrder.LITTLE_ENDIAN, false, 65535),
                new long[] {3_000_000_123L}, List.of(new byte[60]));
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        // The magic's bytes as they lie in a little-endian file: d4 c3 b2 a1.
        assertEquals((byte) 0xD4, file[0]);
        assertEquals((byte) 0xA1, file[3]);
        assertEquals(2, b.getShort(PcapLayout.VERSION_MAJOR));
        assertEquals(4, b.getShort(PcapLayout.VERSION_MINOR));
        assertEquals(0, b.getInt(PcapLayout.THISZONE));
        assertEquals(0, b.getInt(PcapLayout.SIGFIGS));
        assertEquals(65535, b.getInt(PcapLayout.SNAPLEN));
        assertEquals(1, b.getInt(PcapLayout.LINKTYPE));
        int rec = PcapLayout.FILE_HEADER_SIZE;
        assertEquals(3, b.getInt(rec + PcapLayout.TS_SEC));
        assertEquals(0, b.getInt(rec + PcapLayout.TS_FRACTION), "123 ns is 0 µs");
        assertEquals(60, b.getInt(rec + PcapLayout.INCL_LEN));
        assertEquals(60, b.getInt(rec + PcapLayout.ORIG_LEN));
        assertEquals(PcapLayout.FILE_HEADER_SIZE + PcapLayout.RECORD_HEADER_SIZE + 60, file.length);
    }

    @Test
    void shouldReadTheNanosecondMagicWrittenBigEndian() throws IOException {
        byte[] file = write(PcapFileHeader.ethernet(ByteOrder.BIG_ENDIAN, true, 100), new long[] {5}, List.of(new byte[14]));
        assertEquals((byte) 0xA1, file[0]);
        assertEquals((byte) 0xB2, file[1]);
        assertEquals((byte) 0x3C, file[2]);
        assertEquals((byte) 0x4D, file[3]);
        PcapRecord r = readAll(file).getFirst();
        assertEquals(5, r.timestampNs());
    }

    @Test
    void shouldCutFramesToTheSnapshotLengthAndKeepTheOriginalLength() throws IOException {
        byte[] frame = new byte[1514];
        new SplittableRandom(1).nextBytes(frame);
        byte[] file = write(PcapFileHeader.ethernet(ByteOrder.LITTLE_ENDIAN, true, 128), new long[] {0}, List.of(frame));
        PcapRecord r = readAll(file).getFirst();
        assertEquals(128, r.data().length);
        assertEquals(1514, r.originalLength());
        assertTrue(r.truncated());
        assertArrayEquals(java.util.Arrays.copyOf(frame, 128), r.data());
    }

    @Test
    void shouldReturnNullAtTheEndOfAFileWithNoRecords() throws IOException {
        byte[] file = write(PcapFileHeader.ethernet(ByteOrder.LITTLE_ENDIAN, false, 65535), new long[0], List.of());
        try (PcapReader r = new PcapReader(new ByteArrayInputStream(file))) {
            assertNull(r.next());
            assertEquals(0, r.records());
        }
    }

    @Test
    void shouldReportTheFcsLengthOnlyWhenTheFileSaysIt() throws IOException {
        PcapFileHeader plain = PcapFileHeader.ethernet(ByteOrder.LITTLE_ENDIAN, false, 65535);
        assertEquals(-1, plain.fcsBytes());
        PcapFileHeader withFcs = new PcapFileHeader(ByteOrder.LITTLE_ENDIAN, false, 2, 4, 0, 0, 65535,
                (2 << PcapLayout.FCS_LENGTH_SHIFT) | PcapLayout.FCS_PRESENT_BIT | PcapLayout.LINKTYPE_ETHERNET);
        try (PcapReader r = new PcapReader(new ByteArrayInputStream(withFcs.encode()))) {
            assertEquals(4, r.header().fcsBytes());
            assertEquals(PcapLayout.LINKTYPE_ETHERNET, r.header().linkType());
        }
    }

    @Test
    void shouldWriteAFileThatReadsBack(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("x.pcap");
        try (PcapWriter w = PcapWriter.create(file, PcapFileHeader.ethernet(ByteOrder.LITTLE_ENDIAN, true, 65535))) {
            w.write(42, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}, 2, 12);
            assertEquals(1, w.records());
        }
        try (PcapReader r = PcapReader.open(file)) {
            PcapRecord rec = r.next();
            assertArrayEquals(new byte[] {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}, rec.data());
            assertEquals(42, rec.timestampNs());
            assertNull(r.next());
            assertFalse(rec.truncated());
        }
    }
}
