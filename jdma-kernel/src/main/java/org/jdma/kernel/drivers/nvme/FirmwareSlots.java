package org.jdma.kernel.drivers.nvme;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jdma.spec.nvme.FirmwareSlotLogLayout;

/**
 * The Firmware Slot Information log (03h): the active slot, the slot to activate at the next
 * reset (0 = none), and each slot's revision (trimmed ASCII, empty for an empty slot).
 */
public record FirmwareSlots(int activeSlot, int nextSlot, List<String> revisions) {

    public FirmwareSlots {
        revisions = List.copyOf(revisions);
    }

    public static FirmwareSlots decode(byte[] page) {
        if (page.length < FirmwareSlotLogLayout.SIZE) {
            throw new IllegalArgumentException("a firmware slot log is 512 bytes, got " + page.length);
        }
        int afi = page[FirmwareSlotLogLayout.AFI] & 0xFF;
        List<String> revisions = new ArrayList<>();
        for (int slot = 1; slot <= FirmwareSlotLogLayout.SLOTS; slot++) {
            String frs = new String(page, FirmwareSlotLogLayout.frs(slot), FirmwareSlotLogLayout.FRS_LENGTH, StandardCharsets.US_ASCII);
            revisions.add(frs.replace('\0', ' ').strip());
        }
        return new FirmwareSlots(afi & FirmwareSlotLogLayout.AFI_SLOT_MASK,
                afi >>> FirmwareSlotLogLayout.AFI_NEXT_SHIFT & FirmwareSlotLogLayout.AFI_SLOT_MASK, revisions);
    }

    /** The revision running now. */
    public String activeRevision() {
        return activeSlot == 0 ? "" : revisions.get(activeSlot - 1);
    }
}
