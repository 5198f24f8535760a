package org.jdma.spec.vtd;

/**
 * The remapping unit's register set (VT-d spec §10.4, "Register Descriptions"; summary table
 * §10.4 Table 50). Offsets are from the DRHD's register base address; all registers are
 * little-endian. 64-bit registers may be accessed as two 32-bit halves.
 *
 * <pre>
 * 0x000 VER     version (RO)                 0x038 FECTL   fault event control
 * 0x008 CAP     capability (RO)              0x03C FEDATA  fault event MSI data
 * 0x010 ECAP    extended capability (RO)     0x040 FEADDR  fault event MSI address
 * 0x018 GCMD    global command (WO)          0x044 FEUADDR fault event MSI upper address
 * 0x01C GSTS    global status (RO)           0x080 IQH     invalidation queue head (RO)
 * 0x020 RTADDR  root table address           0x088 IQT     invalidation queue tail
 * 0x028 CCMD    context command              0x090 IQA     invalidation queue address
 * 0x034 FSTS    fault status (RW1C)          0x09C ICS     invalidation completion status (RW1C)
 *                                            0x0A0 IECTL/0x0A4 IEDATA/0x0A8 IEADDR/0x0AC IEUADDR
 *                                            0x0B8 IRTA    interrupt remapping table address
 * ECAP.IRO*16 + 0x0 IVA, + 0x8 IOTLB         CAP.FRO*16 + 16*i  FRCD[i] (128 bits each)
 * </pre>
 */
public final class VtdRegisterLayout {
    private VtdRegisterLayout() { }

    /** One 4 KiB page of registers (the DRHD's size field encodes 2^0 pages). */
    public static final int REGISTER_SET_SIZE = 0x1000;

    public static final int VER = 0x000;
    public static final int CAP = 0x008;
    public static final int ECAP = 0x010;
    public static final int GCMD = 0x018;
    public static final int GSTS = 0x01C;
    public static final int RTADDR = 0x020;
    public static final int CCMD = 0x028;
    public static final int FSTS = 0x034;
    public static final int FECTL = 0x038;
    public static final int FEDATA = 0x03C;
    public static final int FEADDR = 0x040;
    public static final int FEUADDR = 0x044;
    public static final int IQH = 0x080;
    public static final int IQT = 0x088;
    public static final int IQA = 0x090;
    public static final int ICS = 0x09C;
    public static final int IECTL = 0x0A0;
    public static final int IEDATA = 0x0A4;
    public static final int IEADDR = 0x0A8;
    public static final int IEUADDR = 0x0AC;
    public static final int IRTA = 0x0B8;

    /** Where this model places the IOTLB registers: ECAP.IRO = 0xF (offset 0xF0), as QEMU does. */
    public static final int DEFAULT_IRO = 0x0F;
    /** Where this model places the fault recording registers: CAP.FRO = 0x22 (offset 0x220), as QEMU does. */
    public static final int DEFAULT_FRO = 0x22;
    /** IVA is at IRO*16, the IOTLB register 8 bytes above it (§10.4.8). */
    public static final int IVA_FROM_IRO = 0x0;
    public static final int IOTLB_FROM_IRO = 0x8;
    /** Each fault recording register is 128 bits (§10.4.14). */
    public static final int FRCD_SIZE = 16;

    public static int ivaOffset(int iro) { return iro * 16 + IVA_FROM_IRO; }
    public static int iotlbOffset(int iro) { return iro * 16 + IOTLB_FROM_IRO; }
    public static int frcdOffset(int fro, int index) { return fro * 16 + index * FRCD_SIZE; }

    // ---- VER (§10.4.1): MAX 7:4, MIN 3:0. This model reports 1.0, as QEMU's legacy mode does.
    public static final int VERSION_1_0 = 0x10;

    // ---- GCMD / GSTS (§10.4.4, §10.4.5): the same bit positions; software writes a command bit in
    // GCMD and polls the matching status bit in GSTS. One-shot commands (SRTP, SFL, WBF, SIRTP)
    // set their status bit when done; persistent ones (TE, QIE, IRE, CFI) mirror the command.
    public static final int GCMD_TE = 1 << 31;    // translation enable         / GSTS.TES
    public static final int GCMD_SRTP = 1 << 30;  // set root table pointer     / GSTS.RTPS
    public static final int GCMD_SFL = 1 << 29;   // set fault log              / GSTS.FLS
    public static final int GCMD_EAFL = 1 << 28;  // enable advanced fault log  / GSTS.AFLS
    public static final int GCMD_WBF = 1 << 27;   // write buffer flush         / GSTS.WBFS
    public static final int GCMD_QIE = 1 << 26;   // queued invalidation enable / GSTS.QIES
    public static final int GCMD_IRE = 1 << 25;   // interrupt remapping enable / GSTS.IRES
    public static final int GCMD_SIRTP = 1 << 24; // set intr remap table ptr   / GSTS.IRTPS
    public static final int GCMD_CFI = 1 << 23;   // compatibility format intr  / GSTS.CFIS
    /** Interrupt-remapping command bits (need ECAP.IR): SIRTP latches IRTA, IRE and CFI are persistent. */
    public static final int GCMD_IR_BITS = GCMD_IRE | GCMD_SIRTP | GCMD_CFI;
    /** GCMD bits this model acts on; others are ignored (their features are absent in CAP/ECAP). */
    public static final int GCMD_ONE_SHOT = GCMD_SRTP | GCMD_SFL | GCMD_WBF | GCMD_SIRTP;

    // ---- RTADDR (§10.4.6): RTA 63:12, TTM 11:10 (00 legacy, 01 scalable).
    public static final long RTADDR_RTA_MASK = 0xFFFF_FFFF_FFFF_F000L;
    public static final int RTADDR_TTM_SHIFT = 10;
    public static final long RTADDR_TTM_MASK = 0x3L << RTADDR_TTM_SHIFT;

    // ---- CCMD (§10.4.7): ICC 63, CIRG 62:61 (request), CAIG 60:59 (actual), FM 33:32, SID 31:16, DID 15:0.
    public static final long CCMD_ICC = 1L << 63;
    public static final int CCMD_CIRG_SHIFT = 61;
    public static final int CCMD_CAIG_SHIFT = 59;
    public static final long CCMD_GRANULARITY_MASK = 0x3L;
    public static final int CCMD_FM_SHIFT = 32;
    public static final int CCMD_SID_SHIFT = 16;
    public static final long CCMD_DID_MASK = 0xFFFFL;
    /** Context-cache invalidation granularities (CIRG / CAIG values). */
    public static final int CC_GLOBAL = 1;
    public static final int CC_DOMAIN = 2;
    public static final int CC_DEVICE = 3;

    // ---- IOTLB register (§10.4.8.1): IVT 63, IIRG 61:60, IAIG 58:57, DR 49, DW 48, DID 47:32.
    public static final long IOTLB_IVT = 1L << 63;
    public static final int IOTLB_IIRG_SHIFT = 60;
    public static final int IOTLB_IAIG_SHIFT = 57;
    public static final long IOTLB_GRANULARITY_MASK = 0x3L;
    public static final long IOTLB_DR = 1L << 49;
    public static final long IOTLB_DW = 1L << 48;
    public static final int IOTLB_DID_SHIFT = 32;
    /** IOTLB invalidation granularities (IIRG / IAIG values). */
    public static final int IOTLB_GLOBAL = 1;
    public static final int IOTLB_DOMAIN = 2;
    public static final int IOTLB_PAGE = 3;

    // ---- IVA (§10.4.8.2): ADDR 63:12, IH 6 (invalidation hint), AM 5:0 (address mask: 2^AM pages).
    public static final long IVA_ADDR_MASK = 0xFFFF_FFFF_FFFF_F000L;
    public static final long IVA_IH = 1L << 6;
    public static final long IVA_AM_MASK = 0x3FL;

    // ---- FSTS (§10.4.9): FRI 15:8 (RO), ITE 6, ICE 5, IQE 4, APF 3, AFO 2, PPF 1 (RO), PFO 0; the
    // others are RW1C. PPF is set while any FRCD has F set and clears itself when all are cleared.
    public static final int FSTS_PFO = 1;
    public static final int FSTS_PPF = 1 << 1;
    public static final int FSTS_AFO = 1 << 2;
    public static final int FSTS_APF = 1 << 3;
    public static final int FSTS_IQE = 1 << 4;
    public static final int FSTS_ICE = 1 << 5;
    public static final int FSTS_ITE = 1 << 6;
    public static final int FSTS_FRI_SHIFT = 8;
    public static final int FSTS_FRI_MASK = 0xFF << FSTS_FRI_SHIFT;
    /** RW1C bits of FSTS. */
    public static final int FSTS_RW1C = FSTS_PFO | FSTS_AFO | FSTS_APF | FSTS_IQE | FSTS_ICE | FSTS_ITE;

    // ---- FECTL / IECTL (§10.4.10, §10.4.24): IM 31 (mask, RW, set at reset), IP 30 (pending, RO).
    public static final int ECTL_IM = 1 << 31;
    public static final int ECTL_IP = 1 << 30;

    // ---- IQH / IQT (§10.4.22, 10.4.23): QH/QT at 18:4 for 128-bit descriptors (index << 4), 18:5 for 256-bit.
    public static final long IQ_INDEX_MASK_128 = 0x7FFF0L;
    public static final int IQ_INDEX_SHIFT_128 = 4;

    // ---- IQA (§10.4.24): IQA 63:12, DW 11 (1 = 256-bit descriptors), QS 2:0 (2^QS pages of 4 KiB).
    public static final long IQA_ADDR_MASK = 0xFFFF_FFFF_FFFF_F000L;
    public static final long IQA_DW = 1L << 11;
    public static final long IQA_QS_MASK = 0x7L;

    /** Queue entries for a QS value with 128-bit descriptors: 2^QS pages of 256 descriptors. */
    public static int queueEntries128(long qs) {
        return 256 << (int) (qs & IQA_QS_MASK);
    }

    // ---- IRTA (§10.4.29): IRTA 63:12 (4 KiB-aligned table base), EIME 11 (x2APIC mode, needs
    // ECAP.EIM), S 3:0 (2^(S+1) entries). Latched by GCMD.SIRTP.
    public static final long IRTA_ADDR_MASK = 0xFFFF_FFFF_FFFF_F000L;
    public static final long IRTA_EIME = 1L << 11;
    public static final long IRTA_S_MASK = 0xFL;

    /** Entries of an interrupt remapping table of size field {@code s}: 2^(S+1) (S 15: 65536, 1 MiB). */
    public static int irtEntries(long s) {
        return 2 << (int) (s & IRTA_S_MASK);
    }

    // ---- ICS (§10.4.25): IWC 0 (invalidation wait descriptor complete, RW1C).
    public static final int ICS_IWC = 1;
}
