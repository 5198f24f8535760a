package org.jdma.spec.nvme;

/**
 * The submission queue entry, 64 bytes (NVMe base spec §4.2, "Submission Queue Entry – Command
 * Format"; Linux {@code struct nvme_common_command}, QEMU {@code NvmeCmd}).
 *
 * <pre>
 * byte 0x00 | OPC [7:0] | FUSE [9:8], PSDT [15:14] | CID [31:16]                      | CDW0
 *      0x04 | NSID                                                                     | CDW1
 *      0x08 | CDW2, CDW3 (command specific)                                            |
 *      0x10 | MPTR (metadata pointer, 64)                                              |
 *      0x18 | DPTR: PRP1 (64) at 0x18, PRP2 (64) at 0x20 — or one 16-byte SGL descriptor |
 *      0x28 | CDW10 | CDW11 | CDW12 | CDW13 | CDW14 | CDW15 (0x28 .. 0x3C)             |
 * </pre>
 *
 * PSDT: 00 PRPs; 01 SGL, MPTR to a contiguous buffer; 10 SGL, MPTR to a one-descriptor segment.
 */
public final class SubmissionEntryLayout {

    private SubmissionEntryLayout() { }

    public static final int SIZE = 64;
    /** log2 of {@link #SIZE}: the value CC.IOSQES and Identify SQES carry. */
    public static final int SIZE_LOG2 = 6;

    public static final int OPCODE = 0x00;
    public static final int FLAGS = 0x01;
    public static final int CID = 0x02;
    public static final int NSID = 0x04;
    public static final int CDW2 = 0x08;
    public static final int CDW3 = 0x0C;
    public static final int MPTR = 0x10;
    public static final int DPTR = 0x18;
    public static final int PRP1 = 0x18;
    public static final int PRP2 = 0x20;
    public static final int CDW10 = 0x28;
    public static final int CDW11 = 0x2C;
    public static final int CDW12 = 0x30;
    public static final int CDW13 = 0x34;
    public static final int CDW14 = 0x38;
    public static final int CDW15 = 0x3C;

    /** Byte offset of command dword {@code n} (0..15). */
    public static int cdw(int n) {
        return 4 * n;
    }

    public static final int FUSE_MASK = 0x03;
    public static final int PSDT_SHIFT = 6;
    public static final int PSDT_MASK = 0x3 << PSDT_SHIFT;
    public static final int PSDT_PRP = 0;
    public static final int PSDT_SGL_MPTR_CONTIGUOUS = 1;
    public static final int PSDT_SGL_MPTR_SGL = 2;

    /** The FLAGS byte's PSDT field. */
    public static int psdt(int flags) {
        return (flags & PSDT_MASK) >>> PSDT_SHIFT;
    }

    /** A FLAGS byte with PSDT {@code psdt} and FUSE 00 (normal). */
    public static int flags(int psdt) {
        return psdt << PSDT_SHIFT & PSDT_MASK;
    }

    /** Namespace id meaning every namespace. */
    public static final int NSID_ALL = 0xFFFF_FFFF;
}
