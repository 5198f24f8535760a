package org.jdma.spec.pcap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The 24-byte file header ({@link PcapLayout}), decoded.
 *
 * @param byteOrder       the writer's byte order, which every field of the file uses
 * @param nanosecond      whether record timestamps count nanoseconds (magic 0xA1B23C4D) rather
 *                        than microseconds (0xA1B2C3D4)
 * @param versionMajor    2
 * @param versionMinor    4 (older files say less; readers accept them)
 * @param thisZone        offset of local time from UTC, seconds; 0 in practice
 * @param sigFigs         timestamp accuracy; 0 in practice
 * @param snapLength      no record stores more bytes than this, 1..{@link PcapLayout#MAXIMUM_SNAPLEN}
 * @param linkTypeAndInfo the link type in bits 15:0 and the FCS information above it
 */
public record PcapFileHeader(ByteOrder byteOrder, boolean nanosecond, int versionMajor, int versionMinor,
                             int thisZone, int sigFigs, int snapLength, int linkTypeAndInfo) {

    public PcapFileHeader {
        Objects.requireNonNull(byteOrder, "byteOrder");
        if (snapLength < 1 || snapLength > PcapLayout.MAXIMUM_SNAPLEN) {
            throw new IllegalArgumentException("snaplen must be 1.." + PcapLayout.MAXIMUM_SNAPLEN + ", was "
                    + Integer.toUnsignedString(snapLength));
        }
    }

    /** An Ethernet capture's header, version 2.4. */
    public static PcapFileHeader ethernet(ByteOrder byteOrder, boolean nanosecond, int snapLength) {
        return new PcapFileHeader(byteOrder, nanosecond, PcapLayout.VERSION_MAJOR_CURRENT,
                PcapLayout.VERSION_MINOR_CURRENT, 0, 0, snapLength, PcapLayout.LINKTYPE_ETHERNET);
    }

    /** The link type proper ({@link PcapLayout#LINKTYPE_ETHERNET} is 1). */
    public int linkType() {
        return linkTypeAndInfo & PcapLayout.LINKTYPE_MASK;
    }

    /** FCS bytes at the end of every frame, or -1 when the file does not say. */
    public int fcsBytes() {
        return (linkTypeAndInfo & PcapLayout.FCS_PRESENT_BIT) == 0 ? -1
                : 2 * (linkTypeAndInfo >>> PcapLayout.FCS_LENGTH_SHIFT);
    }

    /** The magic number as it reads in {@link #byteOrder()}. */
    public int magic() {
        return nanosecond ? PcapLayout.MAGIC_NANOSECONDS : PcapLayout.MAGIC_MICROSECONDS;
    }

    /** The header's 24 bytes. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(PcapLayout.FILE_HEADER_SIZE).order(byteOrder);
        b.putInt(PcapLayout.MAGIC, magic());
        b.putShort(PcapLayout.VERSION_MAJOR, (short) versionMajor);
        b.putShort(PcapLayout.VERSION_MINOR, (short) versionMinor);
        b.putInt(PcapLayout.THISZONE, thisZone);
        b.putInt(PcapLayout.SIGFIGS, sigFigs);
        b.putInt(PcapLayout.SNAPLEN, snapLength);
        b.putInt(PcapLayout.LINKTYPE, linkTypeAndInfo);
        return b.array();
    }

    /**
     * Decodes a file header from the first 24 bytes of {@code bytes}.
     *
     * @throws PcapFormatException for fewer than 24 bytes, an unknown magic, a major version other
     *                             than 2, or a snaplen of 0 or above {@link PcapLayout#MAXIMUM_SNAPLEN}
     */
    public static PcapFileHeader decode(byte[] bytes, int length) throws PcapFormatException {
        if (length < PcapLayout.FILE_HEADER_SIZE) {
            throw new PcapFormatException(length, "file header", "truncated: " + length + " of "
                    + PcapLayout.FILE_HEADER_SIZE + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, 0, PcapLayout.FILE_HEADER_SIZE).order(ByteOrder.BIG_ENDIAN);
        int magic = b.getInt(PcapLayout.MAGIC);
        ByteOrder order;
        boolean nanos;
        if (magic == PcapLayout.MAGIC_MICROSECONDS || magic == PcapLayout.MAGIC_NANOSECONDS) {
            order = ByteOrder.BIG_ENDIAN;
            nanos = magic == PcapLayout.MAGIC_NANOSECONDS;
        } else if (Integer.reverseBytes(magic) == PcapLayout.MAGIC_MICROSECONDS
                || Integer.reverseBytes(magic) == PcapLayout.MAGIC_NANOSECONDS) {
            order = ByteOrder.LITTLE_ENDIAN;
            nanos = Integer.reverseBytes(magic) == PcapLayout.MAGIC_NANOSECONDS;
        } else {
            throw new PcapFormatException(PcapLayout.MAGIC, "magic", String.format(
                    "bytes %08x are neither a1:b2:c3:d4 (µs) nor a1:b2:3c:4d (ns) in either byte order;"
                            + " not a classic pcap file (pcapng starts 0a0d0d0a)", magic));
        }
        b.order(order);
        int major = Short.toUnsignedInt(b.getShort(PcapLayout.VERSION_MAJOR));
        if (major != PcapLayout.VERSION_MAJOR_CURRENT) {
            throw new PcapFormatException(PcapLayout.VERSION_MAJOR, "version_major",
                    "is " + major + ", this reader knows only version " + PcapLayout.VERSION_MAJOR_CURRENT);
        }
        int minor = Short.toUnsignedInt(b.getShort(PcapLayout.VERSION_MINOR));
        int snaplen = b.getInt(PcapLayout.SNAPLEN);
        if (snaplen == 0 || Integer.compareUnsigned(snaplen, PcapLayout.MAXIMUM_SNAPLEN) > 0) {
            throw new PcapFormatException(PcapLayout.SNAPLEN, "snaplen", "is " + Integer.toUnsignedString(snaplen)
                    + ", must be 1.." + PcapLayout.MAXIMUM_SNAPLEN + " (libpcap's MAXIMUM_SNAPLEN)");
        }
        return new PcapFileHeader(order, nanos, major, minor, b.getInt(PcapLayout.THISZONE),
                b.getInt(PcapLayout.SIGFIGS), snaplen, b.getInt(PcapLayout.LINKTYPE));
    }
}
