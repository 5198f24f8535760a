package org.jdma.spec.nvme;

/**
 * The Firmware Slot Information log page (Log Identifier 03h), 512 bytes (NVMe base spec 2.0
 * §5.16.1.4, Figure 209; Linux {@code struct nvme_fw_slot_info_log}).
 *
 * <pre>
 * 0   Active Firmware Info (AFI): [2:0] active slot, [6:4] slot active at the next reset (0 = none)
 * 8   FRS1 (8 ASCII)  16 FRS2 ... 56 FRS7: firmware revision per slot, all zero when empty
 * 64..511 reserved
 * </pre>
 */
public final class FirmwareSlotLogLayout {

    private FirmwareSlotLogLayout() { }

    public static final int SIZE = 512;

    public static final int AFI = 0;
    public static final int SLOTS = 7;
    public static final int FRS_LENGTH = 8;
    public static final int AFI_NEXT_SHIFT = 4;
    public static final int AFI_SLOT_MASK = 0x7;

    /** Byte offset of FRS{@code slot} (1..7). */
    public static int frs(int slot) {
        if (slot < 1 || slot > SLOTS) {
            throw new IllegalArgumentException("firmware slot must be 1..7, was " + slot);
        }
        return 8 * slot;
    }

    /** AFI with {@code active} running and {@code next} (0 = none) to activate at the next reset. */
    public static int afi(int active, int next) {
        return (next & AFI_SLOT_MASK) << AFI_NEXT_SHIFT | active & AFI_SLOT_MASK;
    }
}
