package org.jdma.spec.memcpy;

/**
 * The 32-byte completion record, little-endian, as {@code struct dsa_completion_record} in Linux
 * include/uapi/linux/idxd.h (DSA Architecture Specification §8.3.2 "Completion Record Format").
 *
 * <pre>
 * byte 0x00 | Status (8) | Result (8) | Fault info (8) | reserved (8) |
 *      0x04 | Bytes completed (32)  /  BATCH, CHAIN: descriptors completed |
 *      0x08 | Fault address (64)                                         |
 *      0x10 | Invalid flags[23:0] | reserved[31:24]                      |  \  operation-specific,
 *      0x14 | CHAIN (jdma): bytes completed by the failed link (32)      |   | 16 bytes in all
 *      0x18 | CHAIN (jdma): address of the failed link (64)              |  /
 * byte 0x20
 * </pre>
 *
 * The device writes the whole record with the status byte last: software polls the status byte,
 * and when it reads non-zero every other field (and the data the descriptor moved) is visible.
 *
 * <p>Status bit 7 ({@link CompletionStatus#WRITE_FAULT_BIT}) is the R/W of a page fault. The
 * fault-info byte (DSA 2.0) is written 0: its bits are not modelled.
 *
 * <p><b>jdma extension.</b> The record of a CHAIN descriptor ({@link Opcode#CHAIN}, which DSA
 * does not have) uses the operation-specific bytes after the invalid-flags word, which DSA leaves
 * to each opcode: {@link #CHAIN_LINK_BYTES} and {@link #CHAIN_LINK_ADDR} say where a failed chain
 * stopped, so software can resume it. {@link #DESCS_COMPLETED} counts the links that completed,
 * which is also the index of the failed link.
 */
public final class CompletionRecordLayout {
    private CompletionRecordLayout() { }

    public static final int SIZE = 32;

    public static final int STATUS = 0x00;
    /** COMPARE: 0 when the buffers are equal, 1 when they differ. */
    public static final int RESULT = 0x01;
    /** DSA 2.0 fault information; written 0 by this engine. */
    public static final int FAULT_INFO = 0x02;
    public static final int RSVD = 0x03;
    /** Bytes processed; for a COMPARE that differs, the offset of the first difference. */
    public static final int BYTES_COMPLETED = 0x04;
    /** BATCH and CHAIN: descriptors completed (the same field as {@link #BYTES_COMPLETED}). */
    public static final int DESCS_COMPLETED = 0x04;
    public static final int FAULT_ADDR = 0x08;
    public static final int INVALID_FLAGS = 0x10;
    /** Operation-specific bytes (a union with {@link #INVALID_FLAGS} in idxd.h). */
    public static final int OP_SPECIFIC = 0x10;
    public static final int OP_SPECIFIC_SIZE = 16;
    /** CHAIN (jdma extension): bytes the failed link completed before it failed (32 bits). */
    public static final int CHAIN_LINK_BYTES = 0x14;
    /** CHAIN (jdma extension): bus address of the link that failed (64 bits); 0 on success. */
    public static final int CHAIN_LINK_ADDR = 0x18;
}
