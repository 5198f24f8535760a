package org.jdma.spec.nvme;

/**
 * The Identify Controller data structure, 4096 bytes (NVMe base spec §5.15.2.2, Figure 247 in 1.4;
 * Linux {@code struct nvme_id_ctrl}): the fields this subset fills, at their byte offsets.
 *
 * <pre>
 * 0     VID (16)        2    SSVID (16)     4    SN (20 ASCII)   24   MN (40 ASCII)   64  FR (8 ASCII)
 * 72    RAB             73   IEEE (24)      76   CMIC            77   MDTS (2^n min pages, 0 = none)
 * 78    CNTLID (16)     80   VER (32)       256  OACS (16)       258  ACL    259  AERL
 * 260   FRMW: [0] slot 1 read only [3:1] slots   261  LPA   262  ELPE (error log entries, 0's based)   263  NPSS
 * 512   SQES: required [3:0], max [7:4]     513  CQES: required [3:0], max [7:4]
 * 514   MAXCMD (16)     516  NN (32)        520  ONCS (16): [2] DSM [3] Write Zeroes
 * 525   VWC             536  SGLS (32): [1:0] 01 = supported, any alignment  [16] bit bucket
 * 768   SUBNQN (256 ASCII)   2048 power state 0 descriptor (32)
 * </pre>
 */
public final class IdentifyControllerLayout {

    private IdentifyControllerLayout() { }

    public static final int SIZE = 4096;

    public static final int VID = 0;
    public static final int SSVID = 2;
    public static final int SN = 4;
    public static final int SN_LENGTH = 20;
    public static final int MN = 24;
    public static final int MN_LENGTH = 40;
    public static final int FR = 64;
    public static final int FR_LENGTH = 8;
    public static final int RAB = 72;
    public static final int IEEE = 73;
    public static final int CMIC = 76;
    public static final int MDTS = 77;
    public static final int CNTLID = 78;
    public static final int VER = 80;
    public static final int OACS = 256;
    public static final int ACL = 258;
    public static final int AERL = 259;
    public static final int FRMW = 260;
    public static final int LPA = 261;
    public static final int ELPE = 262;
    public static final int NPSS = 263;
    public static final int SQES = 512;
    public static final int CQES = 513;
    public static final int MAXCMD = 514;
    public static final int NN = 516;
    public static final int ONCS = 520;
    public static final int VWC = 525;
    public static final int SGLS = 536;
    public static final int SUBNQN = 768;
    public static final int SUBNQN_LENGTH = 256;
    public static final int PSD0 = 2048;

    public static final int ONCS_DSM = 1 << 2;
    public static final int ONCS_WRITE_ZEROES = 1 << 3;
    public static final int VWC_PRESENT = 1;
    public static final int SGLS_SUPPORTED = 0x1;
    public static final int SGLS_SUPPORT_MASK = 0x3;
    public static final int SGLS_BIT_BUCKET = 1 << 16;

    /** FRMW: {@code slots} firmware slots (1..7), slot 1 read only if {@code slot1ReadOnly}. */
    public static int frmw(int slots, boolean slot1ReadOnly) {
        return (slots & 0x7) << 1 | (slot1ReadOnly ? 1 : 0);
    }

    /** SQES/CQES byte: required (minimum) size [3:0] and maximum [7:4], both log2. */
    public static int entrySizes(int requiredLog2, int maxLog2) {
        return maxLog2 << 4 | requiredLog2;
    }
}
