package org.jdma.spec.memcpy;

/**
 * The 32-byte completion record, little-endian, as {@code struct dsa_completion_record} (DSA
 * Architecture Specification §8.3.2 "Completion Record Format").
 *
 * <pre>
 * byte 0x00 | Status (8) | Result (8) | reserved (16)        |
 *      0x04 | Bytes completed (32)                           |
 *      0x08 | Fault address (64)                             |
 *      0x10 | Invalid flags[23:0] | reserved[31:24]         |
 *      0x14 | operation-specific (12)                        |
 * byte 0x20
 * </pre>
 *
 * The device writes the whole record with the status byte last: software polls the status byte,
 * and when it reads non-zero every other field (and the data the descriptor moved) is visible.
 */
public final class CompletionRecordLayout {
    private CompletionRecordLayout() { }

    public static final int SIZE = 32;

    public static final int STATUS = 0x00;
    /** COMPARE: 0 when the buffers are equal, 1 when they differ. */
    public static final int RESULT = 0x01;
    public static final int RSVD = 0x02;
    /** Bytes processed; for a COMPARE that differs, the offset of the first difference. */
    public static final int BYTES_COMPLETED = 0x04;
    public static final int FAULT_ADDR = 0x08;
    public static final int INVALID_FLAGS = 0x10;
}
