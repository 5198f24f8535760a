package org.jdma.spec.pcap;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads a classic pcap file record by record, in either byte order, with microsecond or
 * nanosecond timestamps. Every violation of the format is a {@link PcapFormatException} naming the
 * field and its offset; the stream's own failures pass through as {@link IOException}. Not
 * thread-safe.
 */
public final class PcapReader implements Closeable {

    private final InputStream in;
    private final PcapFileHeader header;
    private final ByteBuffer recordHeader;
    private long offset;
    private long records;

    /** Reads and checks the file header from {@code in} (which the reader closes when it is closed). */
    public PcapReader(InputStream in) throws IOException {
        this.in = Objects.requireNonNull(in, "in");
        byte[] bytes = in.readNBytes(PcapLayout.FILE_HEADER_SIZE);
        this.header = PcapFileHeader.decode(bytes, bytes.length);
        this.offset = PcapLayout.FILE_HEADER_SIZE;
        this.recordHeader = ByteBuffer.allocate(PcapLayout.RECORD_HEADER_SIZE).order(header.byteOrder());
    }

    /** A buffered reader of {@code file}. */
    public static PcapReader open(Path file) throws IOException {
        InputStream is = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            return new PcapReader(is);
        } catch (IOException | RuntimeException e) {
            is.close();
            throw e;
        }
    }

    public PcapFileHeader header() {
        return header;
    }

    /** Records read so far. */
    public long records() {
        return records;
    }

    /** Byte offset of the next record header. */
    public long offset() {
        return offset;
    }

    /**
     * The next record, or null at the end of the file.
     *
     * @throws PcapFormatException for a truncated record header or data, a fraction of a second
     *                             out of range, or an incl_len above snaplen or orig_len
     */
    public PcapRecord next() throws IOException {
        long at = offset;
        int got = in.readNBytes(recordHeader.array(), 0, PcapLayout.RECORD_HEADER_SIZE);
        if (got == 0) {
            return null;
        }
        if (got < PcapLayout.RECORD_HEADER_SIZE) {
            throw new PcapFormatException(at + got, "record header", records,
                    "truncated: " + got + " of " + PcapLayout.RECORD_HEADER_SIZE + " bytes");
        }
        long seconds = Integer.toUnsignedLong(recordHeader.getInt(PcapLayout.TS_SEC));
        long fraction = Integer.toUnsignedLong(recordHeader.getInt(PcapLayout.TS_FRACTION));
        long perSecond = header.nanosecond() ? PcapLayout.NANOS_PER_SECOND
                : PcapLayout.NANOS_PER_SECOND / PcapLayout.NANOS_PER_MICROSECOND;
        if (fraction >= perSecond) {
            throw new PcapFormatException(at + PcapLayout.TS_FRACTION,
                    header.nanosecond() ? "ts_nsec" : "ts_usec", records,
                    "is " + fraction + ", must be below " + perSecond);
        }
        long inclLen = Integer.toUnsignedLong(recordHeader.getInt(PcapLayout.INCL_LEN));
        long origLen = Integer.toUnsignedLong(recordHeader.getInt(PcapLayout.ORIG_LEN));
        if (inclLen > header.snapLength()) {
            throw new PcapFormatException(at + PcapLayout.INCL_LEN, "incl_len", records,
                    "is " + inclLen + ", above the file's snaplen " + header.snapLength());
        }
        if (inclLen > origLen) {
            throw new PcapFormatException(at + PcapLayout.INCL_LEN, "incl_len", records,
                    "is " + inclLen + ", above orig_len " + origLen);
        }
        if (origLen > Integer.MAX_VALUE) {
            throw new PcapFormatException(at + PcapLayout.ORIG_LEN, "orig_len", records,
                    "is " + origLen + ", more than any frame can have");
        }
        byte[] data = in.readNBytes((int) inclLen);
        long dataAt = at + PcapLayout.RECORD_HEADER_SIZE;
        if (data.length < inclLen) {
            throw new PcapFormatException(dataAt + data.length, "packet data", records,
                    "truncated: incl_len is " + inclLen + " but only " + data.length + " bytes follow");
        }
        offset = dataAt + inclLen;
        records++;
        long multiplier = header.nanosecond() ? 1 : PcapLayout.NANOS_PER_MICROSECOND;
        return new PcapRecord(seconds * PcapLayout.NANOS_PER_SECOND + fraction * multiplier, (int) origLen, data);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
