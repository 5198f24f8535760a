package org.jdma.spec.memcpy;


/**
 * The 64-byte work descriptor, little-endian, as {@code struct dsa_hw_desc} (DSA Architecture
 * Specification §8.3.1 "Descriptor Format"; Linux include/uapi/linux/idxd.h).
 *
 * <pre>
 * byte  0x00 +--------------------------------------------------------------+
 *            | PASID[19:0] | reserved[30:20] | Priv[31]      (must be 0 here) |
 *       0x04 | Flags[23:0]                        | Opcode[31:24]            |
 *       0x08 | Completion record address (64, 32-byte aligned)              |
 *       0x10 | Source address  /  MEMFILL: 8-byte pattern                   |
 *            |                 /  BATCH: descriptor list address (64-aligned)|
 *            |                 /  CHAIN (jdma): first link address (64-aligned)|
 *       0x18 | Destination address  /  COMPARE: second source               |
 *       0x20 | Transfer size (32)  /  BATCH: descriptor count (32)          |
 *       0x24 | Interrupt handle (16) = MSI-X table entry | reserved (16)    |
 *       0x28 | operation-specific, 16 bytes (must be 0 for our opcodes)     |
 *       0x38 | operation-specific, 8 bytes (must be 0)                      |
 *            |    / a CHAIN link (jdma): next link address (64-aligned)     |
 * byte  0x40 +--------------------------------------------------------------+
 * </pre>
 *
 * <p>BATCH (opcode 1, DSA spec §8.3.3): {@link #DESC_LIST_ADDR} points to {@link #DESC_COUNT}
 * descriptors of this same format, {@link #SIZE} bytes apart, read through the device's DMA port.
 * The count must be {@link #MIN_BATCH_SIZE}..{@link #MAX_BATCH_SIZE} (else
 * DESC_CNT_ERANGE) and the list address {@link #DESC_LIST_ALIGN}-byte aligned (else DESCLIST_ALIGN).
 * A BATCH inside a batch completes with BAD_OPCODE. The batch's completion record gives SUCCESS or
 * BATCH_FAIL (some member failed) and, in the bytes-completed field, the number of descriptors
 * completed; a list that cannot be read gives BATCH_PAGE_FAULT.
 *
 * <p><b>CHAIN: a jdma extension, not DSA.</b> DSA has no descriptor chaining; Intel I/OAT has
 * (Linux drivers/dma/ioat/hw.h, {@code struct ioat_dma_descriptor}: a {@code next} pointer, one
 * completion for the chain). This engine offers it with opcode {@link Opcode#CHAIN} (0x30, which
 * DSA does not assign), advertised by {@link CopyEngineRegisters#CAP_CHAIN}, and leaves every DSA
 * field as idxd.h defines it. The extension lives where DSA leaves room — an unassigned opcode
 * for the head, and in each link a flag bit and operation-specific bytes that DSA's MEMMOVE,
 * MEMFILL, COMPARE and NOOP leave unused — so a DSA descriptor never means a chain by accident.
 * <ul>
 *   <li>The head (in the ring) names the first link at {@link #FIRST_LINK}; its completion fields
 *       (CRAV, RCR, RCI, record address, interrupt handle) are the chain's, used once for it. Its
 *       transfer-size field is not read.</li>
 *   <li>A link is a descriptor of this format (NOOP, MEMMOVE, MEMFILL or COMPARE) in memory, read
 *       through the device's DMA port. {@link #FLAG_LINK_LAST} ends the chain; otherwise
 *       {@link #NEXT_LINK} is the next link's address ({@link #DESC_LIST_ALIGN}-byte aligned).
 *       A link asks for no record and no interrupt of its own: CRAV, RCR or RCI in a link is
 *       INVALID_FLAGS.</li>
 *   <li>The chain completes with SUCCESS after its LAST link, or with the first failing link's
 *       status; the record's descriptors-completed field counts the links that completed, and
 *       {@link CompletionRecordLayout#CHAIN_LINK_ADDR} names the failed link. A link address that
 *       is misaligned gives DESCLIST_ALIGN, one that cannot be read BATCH_PAGE_FAULT, and a chain
 *       of more than {@link #MAX_CHAIN_LINKS} links (a loop, or a lost LAST) DESC_CNT_ERANGE
 *       after that many links ran.</li>
 * </ul>
 */
public final class CopyDescriptorLayout {
    private CopyDescriptorLayout() { }

    public static final int SIZE = 64;

    public static final int PASID_PRIV = 0x00;
    public static final int FLAGS_OPCODE = 0x04;
    public static final int COMPLETION_ADDR = 0x08;
    public static final int SRC_ADDR = 0x10;
    public static final int PATTERN = 0x10;
    public static final int DST_ADDR = 0x18;
    public static final int SRC2_ADDR = 0x18;
    public static final int XFER_SIZE = 0x20;
    /** BATCH: address of the descriptor list (same field as {@link #SRC_ADDR}). */
    public static final int DESC_LIST_ADDR = 0x10;
    /** BATCH: number of descriptors in the list (same field as {@link #XFER_SIZE}). */
    public static final int DESC_COUNT = 0x20;
    /** BATCH: fewest descriptors a batch may hold (DSA: a count of 0 or 1 is DESC_CNT_ERANGE). */
    public static final int MIN_BATCH_SIZE = 2;
    /**
     * BATCH: most descriptors one batch may hold (DSA advertises this as GENCAP "maximum batch
     * size"; this model fixes it and does not advertise it in CAP). Larger counts complete with
     * DESC_CNT_ERANGE.
     */
    public static final int MAX_BATCH_SIZE = 64;
    /** BATCH: the descriptor list must be aligned to this many bytes (else DESCLIST_ALIGN). */
    public static final int DESC_LIST_ALIGN = 64;
    public static final int INT_HANDLE = 0x24;
    public static final int RSVD1 = 0x26;
    public static final int OP_SPECIFIC = 0x28;
    public static final int OP_SPECIFIC_SIZE = 24;

    /** CHAIN (jdma extension): address of the first link (same field as {@link #SRC_ADDR}). */
    public static final int FIRST_LINK = 0x10;
    /** A CHAIN link (jdma extension): address of the next link, in the last 8 operation-specific bytes. */
    public static final int NEXT_LINK = 0x38;
    /**
     * CHAIN (jdma extension): most links one chain may hold; the engine stops a longer chain (a
     * loop included) with DESC_CNT_ERANGE after running this many.
     */
    public static final int MAX_CHAIN_LINKS = 256;

    public static final int FLAGS_MASK = 0x00FF_FFFF;
    public static final int OPCODE_SHIFT = 24;

    // Flags (IDXD_OP_FLAG_*).
    public static final int FLAG_FENCE = 0x0001;
    public static final int FLAG_BOF = 0x0002;
    /** Completion Record Address Valid. */
    public static final int FLAG_CRAV = 0x0004;
    /** Request Completion Record. */
    public static final int FLAG_RCR = 0x0008;
    /** Request Completion Interrupt. */
    public static final int FLAG_RCI = 0x0010;
    public static final int FLAG_CRSTS = 0x0020;
    public static final int FLAG_CR = 0x0080;
    /** Cache control: a hint that the destination should be written to cache. Accepted, no effect here. */
    public static final int FLAG_CC = 0x0100;
    public static final int FLAG_ADDR1_TCS = 0x0200;
    public static final int FLAG_ADDR2_TCS = 0x0400;
    public static final int FLAG_ADDR3_TCS = 0x0800;
    public static final int FLAG_CR_TCS = 0x1000;
    public static final int FLAG_STORD = 0x2000;
    public static final int FLAG_DRDBK = 0x4000;
    public static final int FLAG_DSTS = 0x8000;
    /**
     * A CHAIN link (jdma extension): the last link of its chain. Bit 23, which neither the DSA
     * flags (0x0001-0x8000) nor the IAX flags (0x010000-0x200000) of idxd.h assign; outside a
     * chain link it is INVALID_FLAGS.
     */
    public static final int FLAG_LINK_LAST = 1 << 23;

    /** The flags this engine accepts in a ring descriptor or batch member; any other set bit completes with INVALID_FLAGS. */
    public static final int SUPPORTED_FLAGS = FLAG_FENCE | FLAG_BOF | FLAG_CRAV | FLAG_RCR | FLAG_RCI | FLAG_CC;
    /** The flags this engine accepts in a CHAIN link: no record or interrupt of its own (BOF is accepted, but a link never blocks). */
    public static final int LINK_FLAGS = FLAG_FENCE | FLAG_BOF | FLAG_CC | FLAG_LINK_LAST;

    /** Completion records must be aligned to 32 bytes (else CRA_ALIGN). */
    public static final int COMPLETION_ALIGN = 32;

    public static int flagsOpcode(int flags, int opcode) {
        return (flags & FLAGS_MASK) | (opcode << OPCODE_SHIFT);
    }
}
