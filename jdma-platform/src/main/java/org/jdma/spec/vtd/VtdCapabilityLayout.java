package org.jdma.spec.vtd;



/**
 * The CAP (§10.4.2) and ECAP (§10.4.3) registers' fields, with decoders a driver uses. Encoding
 * from a configuration is {@code VtdConfig.cap()} / {@code VtdConfig.ecap()} in the machine.
 *
 * <pre>
 * CAP  63 ESRTPS | 62 ESIRTPS | 59 PI | 56 FL1GP | 55 DRD | 54 DWD | 53:48 MAMV | 47:40 NFR (n-1)
 *      39 PSI | 37:34 SLLPS (bit0 2M, bit1 1G) | 33:24 FRO (16-byte units) | 22 ZLR | 21:16 MGAW (aw-1)
 *      12:8 SAGAW (bit1 39-bit 3-level, bit2 48-bit 4-level, bit3 57-bit 5-level) | 7 CM | 6 PHMR
 *      5 PLMR | 4 RWBF | 3 AFL | 2:0 ND (2^(4+2*ND) domain ids)
 * ECAP 43 SMTS | 26 NEST | 23:20 MHMV | 17:8 IRO (16-byte units) | 7 SC | 6 PT | 4 EIM | 3 IR
 *      2 DT | 1 QI | 0 C (page-walk coherency)
 * </pre>
 */
public final class VtdCapabilityLayout {
    private VtdCapabilityLayout() { }

    // CAP
    public static final int CAP_ND_SHIFT = 0;
    public static final long CAP_ND_MASK = 0x7L;
    public static final long CAP_AFL = 1L << 3;
    public static final long CAP_RWBF = 1L << 4;
    public static final long CAP_PLMR = 1L << 5;
    public static final long CAP_PHMR = 1L << 6;
    public static final long CAP_CM = 1L << 7;
    public static final int CAP_SAGAW_SHIFT = 8;
    public static final long CAP_SAGAW_MASK = 0x1FL;
    /** SAGAW bit for 39-bit, 3-level tables. */
    public static final int SAGAW_39_BIT = 1 << 1;
    /** SAGAW bit for 48-bit, 4-level tables. */
    public static final int SAGAW_48_BIT = 1 << 2;
    public static final int CAP_MGAW_SHIFT = 16;
    public static final long CAP_MGAW_MASK = 0x3FL;
    public static final long CAP_ZLR = 1L << 22;
    public static final int CAP_FRO_SHIFT = 24;
    public static final long CAP_FRO_MASK = 0x3FFL;
    public static final int CAP_SLLPS_SHIFT = 34;
    public static final long CAP_SLLPS_MASK = 0xFL;
    public static final int SLLPS_2M = 1;
    public static final int SLLPS_1G = 2;
    public static final long CAP_PSI = 1L << 39;
    public static final int CAP_NFR_SHIFT = 40;
    public static final long CAP_NFR_MASK = 0xFFL;
    public static final int CAP_MAMV_SHIFT = 48;
    public static final long CAP_MAMV_MASK = 0x3FL;
    public static final long CAP_DWD = 1L << 54;
    public static final long CAP_DRD = 1L << 55;
    /** CAP.PI, bit 59: posted interrupts (IRTEs with IM = 1, §9.11). */
    public static final long CAP_PI = 1L << 59;

    // ECAP
    public static final long ECAP_C = 1L;
    public static final long ECAP_QI = 1L << 1;
    public static final long ECAP_DT = 1L << 2;
    public static final long ECAP_IR = 1L << 3;
    public static final long ECAP_EIM = 1L << 4;
    public static final long ECAP_PT = 1L << 6;
    public static final long ECAP_SC = 1L << 7;
    public static final int ECAP_IRO_SHIFT = 8;
    public static final long ECAP_IRO_MASK = 0x3FFL;
    public static final int ECAP_MHMV_SHIFT = 20;
    public static final long ECAP_MHMV_MASK = 0xFL;
    public static final long ECAP_NEST = 1L << 26;
    public static final long ECAP_SMTS = 1L << 43;

    /** Number of domain ids the unit supports: 2^(4 + 2*ND) (ND 0 → 16 ... ND 6 → 65536). */
    public static int domainCount(long cap) {
        return 1 << (4 + 2 * (int) (cap & CAP_ND_MASK));
    }

    /** Maximum guest address width in bits (MGAW + 1). */
    public static int mgawBits(long cap) {
        return (int) ((cap >>> CAP_MGAW_SHIFT) & CAP_MGAW_MASK) + 1;
    }

    public static int sagaw(long cap) {
        return (int) ((cap >>> CAP_SAGAW_SHIFT) & CAP_SAGAW_MASK);
    }

    public static int sllps(long cap) {
        return (int) ((cap >>> CAP_SLLPS_SHIFT) & CAP_SLLPS_MASK);
    }

    public static int fro(long cap) {
        return (int) ((cap >>> CAP_FRO_SHIFT) & CAP_FRO_MASK);
    }

    /** Number of fault recording registers (NFR + 1). */
    public static int faultRecordCount(long cap) {
        return (int) ((cap >>> CAP_NFR_SHIFT) & CAP_NFR_MASK) + 1;
    }

    /** Largest address mask (AM) a page-selective invalidation accepts. */
    public static int mamv(long cap) {
        return (int) ((cap >>> CAP_MAMV_SHIFT) & CAP_MAMV_MASK);
    }

    public static int iro(long ecap) {
        return (int) ((ecap >>> ECAP_IRO_SHIFT) & ECAP_IRO_MASK);
    }

    /** Page-table levels for an adjusted guest address width AW (context entry AW field: 1 → 39-bit/3, 2 → 48-bit/4). */
    public static int levelsForAw(int aw) {
        return aw + 2;
    }

    /** Address width in bits for a context entry AW value (1 → 39, 2 → 48, 3 → 57). */
    public static int bitsForAw(int aw) {
        return 30 + 9 * aw;
    }
}
