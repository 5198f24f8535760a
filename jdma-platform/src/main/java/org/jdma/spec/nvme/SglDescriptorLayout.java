package org.jdma.spec.nvme;

/**
 * The Scatter Gather List descriptor, 16 bytes (NVMe base spec §4.4, "Scatter Gather List (SGL)";
 * Linux {@code struct nvme_sgl_desc}, QEMU {@code NvmeSglDescriptor}).
 *
 * <pre>
 * byte 0x00 | Address (64)                                   |
 *      0x08 | Length (32)                                    |
 *      0x0C | reserved (24) | identifier: type [7:4] subtype [3:0] (byte 0x0F) |
 * </pre>
 *
 * Types: 0 Data Block (the data lives at address, length bytes); 1 Bit Bucket (the controller
 * discards that many bytes of read data; no address); 2 Segment (address names the next list of
 * descriptors, length bytes, a non-zero multiple of 16; its last descriptor may be a Segment or a
 * Last Segment); 3 Last Segment (the final list: no Segment descriptors inside). Subtype 0: the
 * address is an address. The first descriptor sits in the command's DPTR. Errors:
 * {@link NvmeStatus#INVALID_SGL_SEGMENT_DESCRIPTOR} (a segment's length is 0 or not a multiple of
 * 16, a Last Segment's list holds a segment), {@link NvmeStatus#SGL_DESCRIPTOR_TYPE_INVALID}
 * (a type this controller has not), {@link NvmeStatus#DATA_SGL_LENGTH_INVALID} (the data
 * descriptors do not cover the transfer), {@link NvmeStatus#DATA_TRANSFER_ERROR} (a segment could
 * not be read).
 */
public final class SglDescriptorLayout {

    private SglDescriptorLayout() { }

    public static final int SIZE = 16;

    public static final int ADDRESS = 0x00;
    public static final int LENGTH = 0x08;
    public static final int IDENTIFIER = 0x0F;

    public static final int TYPE_SHIFT = 4;
    public static final int SUBTYPE_MASK = 0xF;
    public static final int TYPE_DATA_BLOCK = 0x0;
    public static final int TYPE_BIT_BUCKET = 0x1;
    public static final int TYPE_SEGMENT = 0x2;
    public static final int TYPE_LAST_SEGMENT = 0x3;
    public static final int SUBTYPE_ADDRESS = 0x0;

    /** The identifier byte for {@code type} with subtype address. */
    public static int identifier(int type) {
        return type << TYPE_SHIFT | SUBTYPE_ADDRESS;
    }

    public static int type(int identifier) {
        return (identifier & 0xFF) >>> TYPE_SHIFT;
    }

    public static int subtype(int identifier) {
        return identifier & SUBTYPE_MASK;
    }
}
