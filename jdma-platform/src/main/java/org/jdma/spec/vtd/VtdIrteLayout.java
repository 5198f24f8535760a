package org.jdma.spec.vtd;

/**
 * An interrupt remapping table entry in remapped format (VT-d spec §9.10, "Interrupt Remapping
 * Table Entry (IRTE) for Remapped Interrupts"; Linux {@code struct irte}, QEMU
 * {@code VTD_IR_TableEntry}): 128 bits, 2^(IRTA.S + 1) of them in the table IRTA points at, the
 * request's interrupt index selecting one.
 *
 * <pre>
 * lower 64 bits: 63              32 31   24 23     16 15 14  12 11    8 7   5  4    3    2    1     0
 *                | DST (destination) | rsvd | V (vector) | IM | rsvd | AVAIL | DLM | TM | RH | DM | FPD | P |
 * upper 64 bits: 63                     20 19  18 17  16 15               0
 *                | reserved (127:84)       | SVT | SQ   | SID (source id)  |
 * </pre>
 *
 * P: present. FPD: fault processing disable (faults 0x22, 0x24, 0x26 are not recorded). DM: 0
 * physical, 1 logical destination. RH: redirection hint. TM: 0 edge, 1 level. DLM: the MSI delivery
 * mode (000 fixed). IM = 0 is this remapped format; IM = 1 a posted entry (§9.11, only with
 * CAP.PI; without it IM is a reserved bit). DST in xAPIC mode (IRTA.EIME = 0) is the 8-bit APIC id in bits 15:8 of
 * the field (IRTE bits 47:40; Linux {@code IRTE_DEST}); in x2APIC mode all 32 bits.
 *
 * <p>Source validation (§9.10, SVT/SQ): SVT 00 none; 01 the request's requester id must equal SID
 * under the SQ mask (SQ 00 all 16 bits, 01 ignore bit 2, 10 ignore bits 2:1, 11 ignore bits 2:0);
 * 10 the requester's bus must lie in [SID 15:8, SID 7:0] (start bus, end bus: Linux
 * {@code set_irte_verify_bus}); 11 reserved (the request fails verification).
 *
 * <p>Posted format (IM = 1, §9.11; Linux {@code struct irte}'s {@code p_*} fields): the entry names
 * a {@link VtdPostedDescriptorLayout posted-interrupt descriptor} instead of a destination.
 * <pre>
 * lower 64 bits: 63          38 37      24 23    16 15   14  13 12 11    8 7      2   1    0
 *                | PDA[31:6]    | reserved | VV     | IM=1| URG| rsvd | AVAIL | reserved | FPD | P |
 * upper 64 bits: 127       96 95      84 83 82 81 80 79      64
 *                | PDA[63:32] | reserved | SVT  | SQ  | SID     |
 * </pre>
 * VV: the vector posted in the descriptor's PIR. URG: urgent, notify even when SN is set.
 */
public final class VtdIrteLayout {
    private VtdIrteLayout() { }

    public static final int SIZE = 16;
    public static final int LO = 0;
    public static final int HI = 8;

    public static final long LO_P = 1L;
    public static final long LO_FPD = 1L << 1;
    public static final long LO_DM = 1L << 2;
    public static final long LO_RH = 1L << 3;
    public static final long LO_TM = 1L << 4;
    public static final int LO_DLM_SHIFT = 5;
    public static final long LO_DLM_MASK = 0x7L << LO_DLM_SHIFT;
    public static final int LO_AVAIL_SHIFT = 8;
    public static final long LO_AVAIL_MASK = 0xFL << LO_AVAIL_SHIFT;
    /** Bits 14:12, reserved. */
    public static final long LO_RESERVED_14_12 = 0x7L << 12;
    /** IM, bit 15: 1 is a posted-interrupt entry (§9.11). */
    public static final long LO_IM = 1L << 15;
    public static final int LO_VECTOR_SHIFT = 16;
    public static final long LO_VECTOR_MASK = 0xFFL << LO_VECTOR_SHIFT;
    /** Bits 31:24, reserved. */
    public static final long LO_RESERVED_31_24 = 0xFFL << 24;
    public static final int LO_DST_SHIFT = 32;
    public static final long LO_DST_MASK = 0xFFFF_FFFFL << LO_DST_SHIFT;
    /** In xAPIC mode the APIC id sits in DST bits 15:8. */
    public static final int XAPIC_DST_SHIFT = 8;
    /** DST bits that are reserved in xAPIC mode: all but 15:8. */
    public static final long LO_DST_XAPIC_RESERVED = LO_DST_MASK & ~(0xFFL << (LO_DST_SHIFT + XAPIC_DST_SHIFT));

    public static final long HI_SID_MASK = 0xFFFFL;
    public static final int HI_SQ_SHIFT = 16;
    public static final long HI_SQ_MASK = 0x3L << HI_SQ_SHIFT;
    public static final int HI_SVT_SHIFT = 18;
    public static final long HI_SVT_MASK = 0x3L << HI_SVT_SHIFT;
    /** Bits 127:84, reserved. */
    public static final long HI_RESERVED = ~(HI_SID_MASK | HI_SQ_MASK | HI_SVT_MASK);

    /** Reserved bits of a present remapped-format entry in xAPIC mode (the IM bit among them: no posting). */
    public static final long LO_RESERVED_XAPIC = LO_RESERVED_14_12 | LO_IM | LO_RESERVED_31_24 | LO_DST_XAPIC_RESERVED;

    /** Posted format: URG, bit 14. */
    public static final long LO_URG = 1L << 14;
    /** Posted format: PDA bits 31:6 in IRTE bits 63:38. */
    public static final int LO_PDA_SHIFT = 38;
    private static final int PDA_LOW_SHIFT = 6;
    /** Posted format: reserved bits 7:2, 13:12 and 37:24 of the lower half. */
    public static final long LO_POSTED_RESERVED = (0x3FL << 2) | (0x3L << 12) | (0x3FFFL << 24);
    /** Posted format: PDA bits 63:32 in IRTE bits 127:96. */
    public static final int HI_PDA_SHIFT = 32;
    /** Posted format: reserved bits 95:84. */
    public static final long HI_POSTED_RESERVED = 0xFFFL << 20;

    /** Source-validation types (SVT). */
    public static final int SVT_NONE = 0;
    public static final int SVT_REQUESTER_ID = 1;
    public static final int SVT_BUS_RANGE = 2;
    public static final int SVT_RESERVED = 3;

    /** Delivery mode 000: fixed. */
    public static final int DLM_FIXED = 0;

    /**
     * The lower half of a present, remapped-format, physical-destination, edge entry (what Linux's
     * {@code prepare_irte} writes, RH clear: this machine delivers to one CPU).
     */
    public static long lo(int vector, int apicId, boolean fpd) {
        return LO_P | (fpd ? LO_FPD : 0) | ((long) DLM_FIXED << LO_DLM_SHIFT)
                | (((long) vector << LO_VECTOR_SHIFT) & LO_VECTOR_MASK)
                | (((long) (apicId & 0xFF) << (LO_DST_SHIFT + XAPIC_DST_SHIFT)));
    }

    /** The upper half: source id, qualifier, validation type. */
    public static long hi(int sid, int sq, int svt) {
        return (sid & HI_SID_MASK) | (((long) sq << HI_SQ_SHIFT) & HI_SQ_MASK) | (((long) svt << HI_SVT_SHIFT) & HI_SVT_MASK);
    }

    /** The lower half of a present posted-format entry posting {@code virtualVector} to the descriptor at {@code pda}. */
    public static long postedLo(int virtualVector, long pda, boolean urgent, boolean fpd) {
        return LO_P | (fpd ? LO_FPD : 0) | (urgent ? LO_URG : 0) | LO_IM
                | (((long) virtualVector << LO_VECTOR_SHIFT) & LO_VECTOR_MASK)
                | ((pda & 0xFFFF_FFFFL) >>> PDA_LOW_SHIFT) << LO_PDA_SHIFT;
    }

    /** The upper half of a posted-format entry: source validation as {@link #hi}, plus PDA bits 63:32. */
    public static long postedHi(int sid, int sq, int svt, long pda) {
        return hi(sid, sq, svt) | (pda >>> 32) << HI_PDA_SHIFT;
    }

    public static boolean posted(long lo) { return (lo & LO_IM) != 0; }
    public static boolean urgent(long lo) { return (lo & LO_URG) != 0; }

    /** The posted-interrupt descriptor address a posted-format entry names (64-byte aligned). */
    public static long postedDescriptor(long lo, long hi) {
        return (hi >>> HI_PDA_SHIFT) << 32 | (lo >>> LO_PDA_SHIFT) << PDA_LOW_SHIFT;
    }

    /** SID for SVT 10: the bus range [startBus, endBus] (Linux {@code set_irte_verify_bus}). */
    public static int busRange(int startBus, int endBus) {
        return (startBus & 0xFF) << 8 | (endBus & 0xFF);
    }

    public static boolean present(long lo) { return (lo & LO_P) != 0; }
    public static boolean fpd(long lo) { return (lo & LO_FPD) != 0; }
    public static int vector(long lo) { return (int) ((lo & LO_VECTOR_MASK) >>> LO_VECTOR_SHIFT); }
    public static int deliveryMode(long lo) { return (int) ((lo & LO_DLM_MASK) >>> LO_DLM_SHIFT); }
    /** DST as the format stores it (32 bits). */
    public static long destination(long lo) { return (lo & LO_DST_MASK) >>> LO_DST_SHIFT; }
    /** The 8-bit APIC id of an xAPIC-mode entry. */
    public static int xapicDestination(long lo) { return (int) ((destination(lo) >>> XAPIC_DST_SHIFT) & 0xFF); }
    public static int sid(long hi) { return (int) (hi & HI_SID_MASK); }
    public static int sq(long hi) { return (int) ((hi & HI_SQ_MASK) >>> HI_SQ_SHIFT); }
    public static int svt(long hi) { return (int) ((hi & HI_SVT_MASK) >>> HI_SVT_SHIFT); }

    /** The requester-id mask SVT 01 compares under, for qualifier {@code sq} (QEMU's 0xFFFF, 0xFFFB, 0xFFF9, 0xFFF8). */
    public static int sqMask(int sq) {
        return switch (sq & 3) {
            case 0 -> 0xFFFF;
            case 1 -> 0xFFFB;
            case 2 -> 0xFFF9;
            default -> 0xFFF8;
        };
    }

    /** Whether a request from {@code requesterId} passes the entry's source validation (SVT 11 never does). */
    public static boolean sourceValid(long hi, int requesterId) {
        int sid = sid(hi);
        return switch (svt(hi)) {
            case SVT_NONE -> true;
            case SVT_REQUESTER_ID -> ((requesterId ^ sid) & sqMask(sq(hi))) == 0;
            case SVT_BUS_RANGE -> {
                int bus = (requesterId >>> 8) & 0xFF;
                yield bus >= (sid >>> 8) && bus <= (sid & 0xFF);
            }
            default -> false;
        };
    }
}
