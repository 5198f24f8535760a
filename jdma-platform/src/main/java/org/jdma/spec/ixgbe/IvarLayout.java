package org.jdma.spec.ixgbe;

/**
 * The Interrupt Vector Allocation registers (82599 datasheet §7.3): which interrupt
 * each queue's cause raises. IVAR[n] holds four 8-bit entries, for RX queue 2n, TX queue 2n,
 * RX queue 2n + 1 and TX queue 2n + 1; IVAR_MISC holds two, for the TCP timer and for the other
 * causes (EICR bits 30:16).
 *
 * <pre>
 * IVAR[n]     31      24 23      16 15       8 7        0
 *            | TX 2n+1  | RX 2n+1  | TX 2n    | RX 2n    |
 * IVAR_MISC  | reserved            | other    | TCP timer|
 * entry       7         6          5                    0
 *            | INT_ALLOC_VAL | rsv | INT_ALLOC (vector)   |
 * </pre>
 *
 * In MSI-X mode INT_ALLOC is the MSI-X vector (and the EICR bit, for vectors 0..15); otherwise it
 * is the EICR RTxQ bit (0..15). An entry whose valid bit is clear raises nothing.
 */
public final class IvarLayout {

    private IvarLayout() { }

    public static final int ENTRY_BITS = 8;
    public static final int ENTRY_MASK = 0xFF;
    public static final int INT_ALLOC_MASK = 0x3F;
    public static final int INT_ALLOC_VAL = 0x80;
    /** The bits of IVAR that exist: four entries of INT_ALLOC and VAL. */
    public static final int IVAR_MASK = 0xBFBFBFBF;
    /** IVAR_MISC: two entries. */
    public static final int IVAR_MISC_MASK = 0x0000BFBF;
    public static final int MISC_TCP_TIMER_SHIFT = 0;
    public static final int MISC_OTHER_SHIFT = 8;

    /** The IVAR register index holding queue {@code queue}'s entries. */
    public static int registerOf(int queue) {
        return queue >>> 1;
    }

    /** The bit position of queue {@code queue}'s entry for receive ({@code tx} false) or transmit. */
    public static int shiftOf(int queue, boolean tx) {
        return 16 * (queue & 1) + (tx ? 8 : 0);
    }

    /** An entry: {@code vector} with the valid bit. */
    public static int entry(int vector) {
        return INT_ALLOC_VAL | (vector & INT_ALLOC_MASK);
    }

    /** The vector an entry allocates, or -1 when its valid bit is clear. */
    public static int vectorOf(int entry) {
        return (entry & INT_ALLOC_VAL) != 0 ? entry & INT_ALLOC_MASK : -1;
    }
}
