package org.jdma.spec.pcap;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes a classic pcap file: the file header at once, then one record per {@link #write} call.
 * Frames longer than the snapshot length are stored cut to it, with their original length
 * recorded. Not thread-safe.
 */
public final class PcapWriter implements Closeable {

    private final OutputStream out;
    private final PcapFileHeader header;
    private final ByteBuffer recordHeader;
    private long records;

    /** Writes {@code header} to {@code out} (which the writer closes when it is closed). */
    public PcapWriter(OutputStream out, PcapFileHeader header) throws IOException {
        this.out = Objects.requireNonNull(out, "out");
        this.header = Objects.requireNonNull(header, "header");
        this.recordHeader = ByteBuffer.allocate(PcapLayout.RECORD_HEADER_SIZE).order(header.byteOrder());
        out.write(header.encode());
    }

    /** A buffered writer to a new (or truncated) file. */
    public static PcapWriter create(Path file, PcapFileHeader header) throws IOException {
        OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        try {
            return new PcapWriter(os, header);
        } catch (IOException | RuntimeException e) {
            os.close();
            throw e;
        }
    }

    public PcapFileHeader header() {
        return header;
    }

    /** Records written so far. */
    public long records() {
        return records;
    }

    /** Appends {@code frame} captured at {@code timestampNs} (ns since the epoch, or since the run began). */
    public void write(long timestampNs, byte[] frame) throws IOException {
        write(timestampNs, frame, 0, frame.length);
    }

    /**
     * Appends {@code length} bytes of {@code frame} from {@code offset}, captured at {@code timestampNs}.
     *
     * @throws IllegalArgumentException when the timestamp is negative or past what ts_sec holds (2106)
     */
    public void write(long timestampNs, byte[] frame, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, frame.length);
        if (timestampNs < 0 || timestampNs / PcapLayout.NANOS_PER_SECOND > PcapLayout.MAX_TS_SEC) {
            throw new IllegalArgumentException("timestamp " + timestampNs + " ns does not fit pcap's 32-bit ts_sec");
        }
        long seconds = timestampNs / PcapLayout.NANOS_PER_SECOND;
        long fraction = timestampNs % PcapLayout.NANOS_PER_SECOND;
        if (!header.nanosecond()) {
            fraction /= PcapLayout.NANOS_PER_MICROSECOND;
        }
        int stored = Math.min(length, header.snapLength());
        recordHeader.putInt(PcapLayout.TS_SEC, (int) seconds);
        recordHeader.putInt(PcapLayout.TS_FRACTION, (int) fraction);
        recordHeader.putInt(PcapLayout.INCL_LEN, stored);
        recordHeader.putInt(PcapLayout.ORIG_LEN, length);
        out.write(recordHeader.array());
        out.write(frame, offset, stored);
        records++;
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
