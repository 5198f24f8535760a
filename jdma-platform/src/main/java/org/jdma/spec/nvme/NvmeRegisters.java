package org.jdma.spec.nvme;

/**
 * An NVMe controller's PCI identity and its BAR0 registers (NVMe base spec §3.1, "Register
 * Definition"; Linux {@code NVME_REG_*}). Registers are little-endian; CAP, ASQ and ACQ are 64 bits.
 *
 * <pre>
 * off     name    bits
 * 0x00    CAP     [15:0] MQES (0's based)  [16] CQR  [18:17] AMS  [31:24] TO (500 ms units)
 *                 [35:32] DSTRD (stride 4 &lt;&lt; DSTRD)  [36] NSSRS  [44:37] CSS (bit 37 NVM)
 *                 [51:48] MPSMIN  [55:52] MPSMAX (page 2^(12 + x))                       (RO)
 * 0x08    VS      [31:16] MJR  [15:8] MNR  [7:0] TER                                      (RO)
 * 0x0C    INTMS   write 1 masks a pin/MSI vector; reads the mask (undefined with MSI-X)
 * 0x10    INTMC   write 1 unmasks; reads the mask
 * 0x14    CC      [0] EN  [6:4] CSS  [10:7] MPS  [13:11] AMS  [15:14] SHN  [19:16] IOSQES  [23:20] IOCQES
 * 0x1C    CSTS    [0] RDY  [1] CFS  [3:2] SHST  [4] NSSRO  [5] PP                         (RO)
 * 0x20    NSSR    "NVMe" (0x4E564D65) resets the subsystem
 * 0x24    AQA     [11:0] ASQS  [27:16] ACQS (0's based)
 * 0x28    ASQ     admin SQ base (64, page aligned)
 * 0x30    ACQ     admin CQ base (64, page aligned)
 * 0x1000  SQ0TDBL, then CQ0HDBL, SQ1TDBL, ... each 4 &lt;&lt; DSTRD bytes apart: [15:0] tail / head
 * </pre>
 *
 * <p>The MSI-X table and PBA sit in BAR4, as on QEMU's controller.
 */
public final class NvmeRegisters {

    private NvmeRegisters() { }

    /** PCI vendor id: Red Hat, Inc., as QEMU's NVMe controller. */
    public static final int VENDOR_ID = 0x1B36;
    /** PCI device id of QEMU's NVMe controller. */
    public static final int DEVICE_ID = 0x0010;
    /** Class code: mass storage (01), non-volatile memory (08), NVM Express I/O controller (02). */
    public static final int CLASS_CODE = 0x010802;

    /** BAR0: the registers and doorbells (64-bit, non-prefetchable). */
    public static final int REGISTER_BAR = 0;
    public static final long REGISTER_BAR_SIZE = 0x10000;
    /** BAR4: the MSI-X table at 0 and the PBA at {@link #MSIX_PBA}. */
    public static final int MSIX_BAR = 4;
    public static final long MSIX_BAR_SIZE = 0x2000;
    public static final long MSIX_TABLE = 0x0;
    public static final long MSIX_PBA = 0x1000;

    public static final int CAP = 0x00;
    public static final int VS = 0x08;
    public static final int INTMS = 0x0C;
    public static final int INTMC = 0x10;
    public static final int CC = 0x14;
    public static final int CSTS = 0x1C;
    public static final int NSSR = 0x20;
    public static final int AQA = 0x24;
    public static final int ASQ = 0x28;
    public static final int ACQ = 0x30;
    /** The first doorbell (admin SQ tail). */
    public static final int DOORBELLS = 0x1000;

    // CAP
    public static final long CAP_MQES_MASK = 0xFFFF;
    public static final long CAP_CQR = 1L << 16;
    public static final int CAP_TO_SHIFT = 24;
    public static final long CAP_TO_MASK = 0xFFL << CAP_TO_SHIFT;
    /** CAP.TO counts this many milliseconds. */
    public static final long CAP_TO_UNIT_MS = 500;
    public static final int CAP_DSTRD_SHIFT = 32;
    public static final long CAP_DSTRD_MASK = 0xFL << CAP_DSTRD_SHIFT;
    public static final long CAP_NSSRS = 1L << 36;
    public static final int CAP_CSS_SHIFT = 37;
    /** CAP.CSS bit 37: the NVM command set. */
    public static final long CAP_CSS_NVM = 1L << 37;
    public static final int CAP_MPSMIN_SHIFT = 48;
    public static final int CAP_MPSMAX_SHIFT = 52;

    /** CAP with the fields given; {@code mqes} is 0's based, {@code timeout} in 500 ms units. */
    public static long cap(int mqes, boolean cqr, int timeout, int dstrd, int mpsMin, int mpsMax) {
        return (mqes & CAP_MQES_MASK) | (cqr ? CAP_CQR : 0) | (long) (timeout & 0xFF) << CAP_TO_SHIFT
                | (long) (dstrd & 0xF) << CAP_DSTRD_SHIFT | CAP_CSS_NVM
                | (long) (mpsMin & 0xF) << CAP_MPSMIN_SHIFT | (long) (mpsMax & 0xF) << CAP_MPSMAX_SHIFT;
    }

    public static int capMqes(long cap) { return (int) (cap & CAP_MQES_MASK); }
    public static int capTimeout(long cap) { return (int) ((cap & CAP_TO_MASK) >>> CAP_TO_SHIFT); }
    public static int capDstrd(long cap) { return (int) ((cap & CAP_DSTRD_MASK) >>> CAP_DSTRD_SHIFT); }
    public static int capMpsMin(long cap) { return (int) (cap >>> CAP_MPSMIN_SHIFT & 0xF); }
    public static int capMpsMax(long cap) { return (int) (cap >>> CAP_MPSMAX_SHIFT & 0xF); }

    /** VS for version {@code major.minor.tertiary}. */
    public static int version(int major, int minor, int tertiary) {
        return major << 16 | minor << 8 | tertiary;
    }

    /** NVMe 1.4.0. */
    public static final int VS_1_4 = version(1, 4, 0);

    // CC
    public static final int CC_EN = 1;
    public static final int CC_CSS_SHIFT = 4;
    public static final int CC_CSS_MASK = 0x7 << CC_CSS_SHIFT;
    public static final int CC_CSS_NVM = 0;
    public static final int CC_MPS_SHIFT = 7;
    public static final int CC_MPS_MASK = 0xF << CC_MPS_SHIFT;
    public static final int CC_AMS_SHIFT = 11;
    public static final int CC_AMS_MASK = 0x7 << CC_AMS_SHIFT;
    public static final int CC_SHN_SHIFT = 14;
    public static final int CC_SHN_MASK = 0x3 << CC_SHN_SHIFT;
    public static final int CC_SHN_NONE = 0;
    public static final int CC_SHN_NORMAL = 1 << CC_SHN_SHIFT;
    public static final int CC_SHN_ABRUPT = 2 << CC_SHN_SHIFT;
    public static final int CC_IOSQES_SHIFT = 16;
    public static final int CC_IOSQES_MASK = 0xF << CC_IOSQES_SHIFT;
    public static final int CC_IOCQES_SHIFT = 20;
    public static final int CC_IOCQES_MASK = 0xF << CC_IOCQES_SHIFT;
    /** Bits of CC this model keeps (the rest are reserved). */
    public static final int CC_MASK = CC_EN | CC_CSS_MASK | CC_MPS_MASK | CC_AMS_MASK | CC_SHN_MASK
            | CC_IOSQES_MASK | CC_IOCQES_MASK;

    /** CC as Linux's {@code nvme_enable_ctrl} writes it: NVM, page 2^(12 + mps), round robin, 64/16-byte entries, EN. */
    public static int ccEnable(int mps) {
        return CC_EN | CC_CSS_NVM << CC_CSS_SHIFT | mps << CC_MPS_SHIFT
                | SubmissionEntryLayout.SIZE_LOG2 << CC_IOSQES_SHIFT | CompletionEntryLayout.SIZE_LOG2 << CC_IOCQES_SHIFT;
    }

    public static int ccMps(int cc) { return (cc & CC_MPS_MASK) >>> CC_MPS_SHIFT; }
    public static int ccIosqes(int cc) { return (cc & CC_IOSQES_MASK) >>> CC_IOSQES_SHIFT; }
    public static int ccIocqes(int cc) { return (cc & CC_IOCQES_MASK) >>> CC_IOCQES_SHIFT; }

    // CSTS
    public static final int CSTS_RDY = 1;
    public static final int CSTS_CFS = 1 << 1;
    public static final int CSTS_SHST_SHIFT = 2;
    public static final int CSTS_SHST_MASK = 0x3 << CSTS_SHST_SHIFT;
    public static final int CSTS_SHST_NORMAL = 0;
    public static final int CSTS_SHST_OCCURRING = 1 << CSTS_SHST_SHIFT;
    public static final int CSTS_SHST_COMPLETE = 2 << CSTS_SHST_SHIFT;
    public static final int CSTS_NSSRO = 1 << 4;
    public static final int CSTS_PP = 1 << 5;

    /** The NSSR value that resets the subsystem ("NVMe"). */
    public static final int NSSR_RESET = 0x4E564D65;

    // AQA
    public static final int AQA_ASQS_MASK = 0xFFF;
    public static final int AQA_ACQS_SHIFT = 16;
    public static final int AQA_ACQS_MASK = 0xFFF << AQA_ACQS_SHIFT;

    /** AQA for queues of {@code sqEntries} and {@code cqEntries} entries (stored 0's based). */
    public static int aqa(int sqEntries, int cqEntries) {
        return (sqEntries - 1) & AQA_ASQS_MASK | ((cqEntries - 1) & 0xFFF) << AQA_ACQS_SHIFT;
    }

    /** Admin queues hold at most 4096 entries. */
    public static final int ADMIN_QUEUE_MAX = 4096;

    /** The doorbell stride in bytes for CAP.DSTRD {@code dstrd}. */
    public static int doorbellStride(int dstrd) {
        return 4 << dstrd;
    }

    /** Offset of queue {@code qid}'s submission tail doorbell (§3.1.24). */
    public static int sqTailDoorbell(int qid, int dstrd) {
        return DOORBELLS + 2 * qid * doorbellStride(dstrd);
    }

    /** Offset of queue {@code qid}'s completion head doorbell (§3.1.25). */
    public static int cqHeadDoorbell(int qid, int dstrd) {
        return DOORBELLS + (2 * qid + 1) * doorbellStride(dstrd);
    }

    /** Doorbells hold a 16-bit index. */
    public static final int DOORBELL_MASK = 0xFFFF;

    /** The memory page size for CC.MPS (or CAP.MPSMIN/MPSMAX) {@code mps}: 2^(12 + mps). */
    public static long pageSize(int mps) {
        return 1L << (12 + mps);
    }
}
