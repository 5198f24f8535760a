package org.jdma.spec.pcap;

/**
 * Byte offsets and values of the classic pcap file ({@code pcap-savefile(5)}, IETF
 * draft-ietf-opsawg-pcap §4 "File Header" and §5 "Packet Record"). Every field is in the byte order
 * of the writer; a reader tells the order from the magic number.
 *
 * <pre>
 * File header, 24 bytes
 * byte  0 | magic number (32): 0xA1B2C3D4 µs timestamps, 0xA1B23C4D ns timestamps |
 *       4 | version_major (16) = 2          | version_minor (16) = 4         |
 *       8 | thiszone (32, signed), 0 in practice                                |
 *      12 | sigfigs (32), 0 in practice                                         |
 *      16 | snaplen (32): no record stores more than this                       |
 *      20 | FCS len (4) | 0 | F (1) | 0 (10) | link type (16): 1 = Ethernet      |
 *
 * Record header, 16 bytes, then incl_len bytes of the frame
 * byte  0 | ts_sec (32): seconds since 1970-01-01 00:00 UTC                      |
 *       4 | ts_usec or ts_nsec (32): fraction of the second, by the magic       |
 *       8 | incl_len (32): bytes stored, at most snaplen and at most orig_len   |
 *      12 | orig_len (32): bytes the frame had on the wire                      |
 * </pre>
 *
 * Bits 31:28 and 26 of the link-type word are libpcap's {@code LT_FCS_LENGTH} and
 * {@code LT_FCS_LENGTH_PRESENT}: when F is set, every frame ends with an FCS of that many 16-bit
 * words. Writers here write 0 (frames are stored without FCS, as Ethernet captures normally are).
 */
public final class PcapLayout {
    private PcapLayout() { }

    public static final int FILE_HEADER_SIZE = 24;
    public static final int MAGIC = 0;
    public static final int VERSION_MAJOR = 4;
    public static final int VERSION_MINOR = 6;
    public static final int THISZONE = 8;
    public static final int SIGFIGS = 12;
    public static final int SNAPLEN = 16;
    public static final int LINKTYPE = 20;

    public static final int RECORD_HEADER_SIZE = 16;
    public static final int TS_SEC = 0;
    public static final int TS_FRACTION = 4;
    public static final int INCL_LEN = 8;
    public static final int ORIG_LEN = 12;

    /** Magic of a file with microsecond timestamps, as read in the writer's byte order. */
    public static final int MAGIC_MICROSECONDS = 0xA1B2C3D4;
    /** Magic of a file with nanosecond timestamps, as read in the writer's byte order. */
    public static final int MAGIC_NANOSECONDS = 0xA1B23C4D;

    public static final int VERSION_MAJOR_CURRENT = 2;
    public static final int VERSION_MINOR_CURRENT = 4;

    /** {@code LINKTYPE_ETHERNET}: IEEE 802.3 frames from the destination address, without FCS. */
    public static final int LINKTYPE_ETHERNET = 1;
    /** The link type proper: the low 16 bits of the link-type word. */
    public static final int LINKTYPE_MASK = 0xFFFF;
    /** {@code LT_FCS_LENGTH_PRESENT}: bits 31:28 give the FCS length. */
    public static final int FCS_PRESENT_BIT = 1 << 26;
    public static final int FCS_LENGTH_SHIFT = 28;

    /** The largest snapshot length libpcap accepts ({@code MAXIMUM_SNAPLEN}); records above it are rejected. */
    public static final int MAXIMUM_SNAPLEN = 262_144;
    /** The snapshot length ixy's pcap app writes, enough for any non-jumbo frame. */
    public static final int DEFAULT_SNAPLEN = 65_535;

    public static final long NANOS_PER_SECOND = 1_000_000_000L;
    public static final long NANOS_PER_MICROSECOND = 1_000L;
    /** ts_sec is an unsigned 32-bit count of seconds. */
    public static final long MAX_TS_SEC = 0xFFFF_FFFFL;
}
