package org.jdma.spec.msi;

/**
 * MSI address and data formats for x86 (Intel SDM Vol. 3A §11.11.1 "Message Address Register
 * Format" and §11.11.2 "Message Data Register Format").
 *
 * <pre>
 * Address:  31        20 19          12 11        4  3   2   1 0
 *          +------------+--------------+-----------+----+----+---+
 *          |   0xFEE    | Destination  | reserved  | RH | DM | x |
 *          +------------+--------------+-----------+----+----+---+
 * Data:     31      16  15  14  13  11 10      8 7            0
 *          +----------+----+----+------+---------+-------------+
 *          | reserved | TM | LV | res. | DelMode |   Vector    |
 *          +----------+----+----+------+---------+-------------+
 * </pre>
 */
public final class MsiMessageLayout {
    private MsiMessageLayout() { }

    public static final long INTERRUPT_RANGE_BASE = 0xFEE0_0000L;
    public static final long INTERRUPT_RANGE_SIZE = 0x10_0000L;

    public static final int ADDRESS_DEST_SHIFT = 12;
    public static final long ADDRESS_DEST_MASK = 0xFFL << ADDRESS_DEST_SHIFT;
    public static final long ADDRESS_RH = 1L << 3;
    public static final long ADDRESS_DM = 1L << 2;

    public static final int DATA_VECTOR_MASK = 0xFF;
    public static final int DATA_DELIVERY_MODE_SHIFT = 8;
    public static final int DATA_DELIVERY_MODE_MASK = 0x7 << DATA_DELIVERY_MODE_SHIFT;
    public static final int DATA_LEVEL = 1 << 14;
    public static final int DATA_TRIGGER_LEVEL = 1 << 15;

    /** Delivery mode 000b: Fixed. */
    public static final int DELIVERY_FIXED = 0;

    /** Vectors 0..15 are reserved for exceptions and are illegal in an MSI (SDM §11.5.2). */
    public static final int FIRST_LEGAL_VECTOR = 16;

    public static boolean isInterruptAddress(long address) {
        return address >= INTERRUPT_RANGE_BASE && address < INTERRUPT_RANGE_BASE + INTERRUPT_RANGE_SIZE;
    }

    public static long address(int destinationApicId) {
        return INTERRUPT_RANGE_BASE | ((long) (destinationApicId & 0xFF) << ADDRESS_DEST_SHIFT);
    }

    /** Fixed delivery, edge-triggered. */
    public static int data(int vector) {
        return vector & DATA_VECTOR_MASK;
    }

    public static int vector(int data) {
        return data & DATA_VECTOR_MASK;
    }

    public static int destination(long address) {
        return (int) ((address & ADDRESS_DEST_MASK) >>> ADDRESS_DEST_SHIFT);
    }
}
