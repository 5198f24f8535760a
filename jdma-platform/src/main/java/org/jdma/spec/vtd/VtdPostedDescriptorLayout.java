package org.jdma.spec.vtd;

/**
 * The posted-interrupt descriptor (VT-d spec §9.12; Linux {@code struct pi_desc}): 64 bytes,
 * 64-byte aligned, named by a posted-format IRTE (§9.11). The unit posts an interrupt by setting
 * the entry's virtual vector in PIR and, when ON was clear and SN does not suppress it, setting ON
 * and sending the notification event NV to NDST (§5.2.3). Software drains PIR and clears ON.
 *
 * <pre>
 * bytes  0..31  PIR: posted interrupt requests, bit v for vector v (256 bits)
 * bytes 32..39  control (64 bits):
 *               63            32 31    24 23  16 15       2   1    0
 *               | NDST           | rsvd   | NV   | reserved  | SN | ON |
 * bytes 40..63  reserved
 * </pre>
 *
 * ON: outstanding notification (a notification was sent and software has not drained PIR yet).
 * SN: suppress notification for non-urgent postings. NV: notification vector. NDST: notification
 * destination; in xAPIC mode the 8-bit APIC id sits in NDST bits 15:8 (Linux writes
 * {@code (apicid << 8) & 0xFF00}), in x2APIC mode all 32 bits.
 */
public final class VtdPostedDescriptorLayout {
    private VtdPostedDescriptorLayout() { }

    public static final int SIZE = 64;
    /** Required alignment: the IRTE keeps only address bits 63:6. */
    public static final int ALIGNMENT = 64;
    public static final int PIR = 0;
    public static final int PIR_BYTES = 32;
    public static final int CONTROL = 32;

    public static final long ON = 1L;
    public static final long SN = 1L << 1;
    public static final int NV_SHIFT = 16;
    public static final long NV_MASK = 0xFFL << NV_SHIFT;
    public static final int NDST_SHIFT = 32;
    /** In xAPIC mode the APIC id sits in NDST bits 15:8. */
    public static final int XAPIC_NDST_SHIFT = 8;

    /** Byte offset of the 64-bit PIR word that holds {@code vector}'s bit. */
    public static int pirWordOffset(int vector) {
        return PIR + ((vector & 0xFF) >>> 6) * Long.BYTES;
    }

    /** {@code vector}'s bit within its PIR word. */
    public static long pirBit(int vector) {
        return 1L << (vector & 63);
    }

    /** A control word: notification vector {@code nv} to xAPIC id {@code apicId}, ON and SN as given. */
    public static long control(int nv, int apicId, boolean on, boolean sn) {
        return (on ? ON : 0) | (sn ? SN : 0) | (((long) nv << NV_SHIFT) & NV_MASK)
                | ((long) ((apicId & 0xFF) << XAPIC_NDST_SHIFT) << NDST_SHIFT);
    }

    public static boolean on(long control) { return (control & ON) != 0; }
    public static boolean sn(long control) { return (control & SN) != 0; }
    public static int nv(long control) { return (int) ((control & NV_MASK) >>> NV_SHIFT); }
    /** The 8-bit APIC id of an xAPIC-mode NDST. */
    public static int xapicDestination(long control) { return (int) ((control >>> (NDST_SHIFT + XAPIC_NDST_SHIFT)) & 0xFF); }
}
