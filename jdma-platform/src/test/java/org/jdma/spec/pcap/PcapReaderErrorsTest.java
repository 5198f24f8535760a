package org.jdma.spec.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PcapReaderErrorsTest {

    private static final int REC = PcapLayout.FILE_HEADER_SIZE;

    /** A little-endian µs file with snaplen 100 and two 60-byte records. */
    private static byte[] goodFile() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PcapWriter w = new PcapWriter(bytes, PcapFileHeader.ethernet(ByteOrder.LITTLE_ENDIAN, false, 100))) {
            w.write(1_000, new byte[60]);
            w.write(2_000, new byte[60]);
        }
        return bytes.toByteArray();
    }

    private static PcapFormatException readExpectingError(byte[] file) {
        return assertThrows(PcapFormatException.class, () -> {
            try (PcapReader r = new PcapReader(new ByteArrayInputStream(file))) {
                while (r.next() != null) {
                    // read on
                }
            }
        });
    }

    private static void putIntLe(byte[] file, int offset, int value) {
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
    }

    @Test
    void shouldRejectATruncatedFileHeader() throws IOException {
        PcapFormatException e = readExpectingError(Arrays.copyOf(goodFile(), 10));
        assertEquals("file header", e.field());
        assertEquals(10, e.offset());
        assertTrue(e.getMessage().contains("10 of 24 bytes"), e.getMessage());
    }

    @Test
    void shouldRejectAWrongMagicNamingItsBytes() {
        byte[] pcapng = {0x0A, 0x0D, 0x0D, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        PcapFormatException e = readExpectingError(pcapng);
        assertEquals("magic", e.field());
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("0a0d0d0a"), e.getMessage());
    }

    @Test
    void shouldRejectAnUnknownMajorVersion() throws IOException {
        byte[] file = goodFile();
        file[PcapLayout.VERSION_MAJOR] = 3;
        PcapFormatException e = readExpectingError(file);
        assertEquals("version_major", e.field());
        assertEquals(PcapLayout.VERSION_MAJOR, e.offset());
    }

    @Test
    void shouldRejectASnapLengthOfZeroOrAboveLibpcapsMaximum() throws IOException {
        for (int snaplen : new int[] {0, PcapLayout.MAXIMUM_SNAPLEN + 1, -1}) {
            byte[] file = goodFile();
            putIntLe(file, PcapLayout.SNAPLEN, snaplen);
            PcapFormatException e = readExpectingError(file);
            assertEquals("snaplen", e.field(), "snaplen " + snaplen);
            assertEquals(PcapLayout.SNAPLEN, e.offset());
        }
    }

    @Test
    void shouldRejectARecordLongerThanTheSnapshotLength() throws IOException {
        byte[] file = goodFile();
        int second = REC + PcapLayout.RECORD_HEADER_SIZE + 60;
        putIntLe(file, second + PcapLayout.INCL_LEN, 101);
        putIntLe(file, second + PcapLayout.ORIG_LEN, 101);
        PcapFormatException e = readExpectingError(file);
        assertEquals("incl_len", e.field());
        assertEquals(second + PcapLayout.INCL_LEN, e.offset());
        assertTrue(e.getMessage().contains("(record 1)") && e.getMessage().contains("snaplen 100"), e.getMessage());
    }

    @Test
    void shouldRejectARecordStoringMoreThanTheFrameHad() throws IOException {
        byte[] file = goodFile();
        putIntLe(file, REC + PcapLayout.ORIG_LEN, 59);
        PcapFormatException e = readExpectingError(file);
        assertEquals("incl_len", e.field());
        assertEquals(REC + PcapLayout.INCL_LEN, e.offset());
        assertTrue(e.getMessage().contains("orig_len 59"), e.getMessage());
    }

    @Test
    void shouldRejectATruncatedRecordHeader() throws IOException {
        byte[] file = Arrays.copyOf(goodFile(), REC + PcapLayout.RECORD_HEADER_SIZE + 60 + 7);
        PcapFormatException e = readExpectingError(file);
        assertEquals("record header", e.field());
        assertEquals(file.length, e.offset());
        assertTrue(e.getMessage().contains("7 of 16 bytes"), e.getMessage());
    }

    @Test
    void shouldRejectTruncatedPacketData() throws IOException {
        byte[] file = Arrays.copyOf(goodFile(), REC + PcapLayout.RECORD_HEADER_SIZE + 12);
        PcapFormatException e = readExpectingError(file);
        assertEquals("packet data", e.field());
        assertEquals(file.length, e.offset());
        assertTrue(e.getMessage().contains("incl_len is 60 but only 12 bytes follow"), e.getMessage());
    }

    @Test
    void shouldRejectAFractionOfASecondOutOfRange() throws IOException {
        byte[] file = goodFile();
        putIntLe(file, REC + PcapLayout.TS_FRACTION, 1_000_000);
        PcapFormatException e = readExpectingError(file);
        assertEquals("ts_usec", e.field());
        assertEquals(REC + PcapLayout.TS_FRACTION, e.offset());
    }

    @Test
    void shouldAnswerEveryMutationOfAValidFileWithRecordsOrAFormatError() throws IOException {
        byte[] good = goodFile();
        SplittableRandom random = new SplittableRandom(0x9CA9);
        for (int round = 0; round < 5_000; round++) {
            byte[] file = good.clone();
            int flips = 1 + random.nextInt(6);
            for (int i = 0; i < flips; i++) {
                file[random.nextInt(file.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                file = Arrays.copyOf(file, random.nextInt(file.length + 1));
            }
            try (PcapReader r = new PcapReader(new ByteArrayInputStream(file))) {
                for (PcapRecord rec; (rec = r.next()) != null; ) {
                    assertNotNull(rec.data());
                    assertTrue(rec.data().length <= r.header().snapLength());
                }
            } catch (PcapFormatException expected) {
                assertTrue(expected.offset() >= 0 && expected.offset() <= file.length, expected.getMessage());
            } catch (RuntimeException e) {
                fail("round " + round + ": " + e, e);
            }
        }
    }
}
