package org.jdma.kernel.drivers.memcpy;

import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CopyDescriptorLayout;

/**
 * Where the copy engine's descriptor ring of {@code N} slots keeps its parts inside its one
 * coherent allocation (frame-aligned). The descriptor array is what RING_BASE points at; each descriptor
 * names its own slot's completion record through its completion-address field.
 *
 * <pre>
 * offset            contents
 * 0                 slot 0     descriptor   64 B  (CopyDescriptorLayout, DSA spec §8.3.1)
 * 64                slot 1     descriptor
 * ...
 * 64*(N-1)          slot N-1   descriptor
 * 64*N              slot 0     completion record  32 B  (CompletionRecordLayout, DSA spec §8.3.2)
 * 64*N + 32         slot 1     completion record
 * ...
 * 96*N              end
 * </pre>
 *
 * Descriptors stay 64-byte aligned (RING_BASE requires it) and completion records 32-byte aligned
 * (the completion-address field requires it) because the block starts on a frame.
 */
public final class CopyRingLayout {
    private CopyRingLayout() { }

    public static final int DESCRIPTOR_SIZE = CopyDescriptorLayout.SIZE;
    public static final int COMPLETION_SIZE = CompletionRecordLayout.SIZE;
    /** Bytes of ring memory per slot. */
    public static final int SLOT_BYTES = DESCRIPTOR_SIZE + COMPLETION_SIZE;
    /** The smallest ring: one usable slot plus the one kept free to tell full from empty. */
    public static final int MIN_SLOTS = 2;
    /** The largest ring this layout addresses (the copy engine's RING_SIZE limit is 2^16). */
    public static final int MAX_SLOTS = 1 << 16;

    public static long descriptorOffset(int slot) {
        return (long) slot * DESCRIPTOR_SIZE;
    }

    public static long completionOffset(int slots, int slot) {
        return (long) slots * DESCRIPTOR_SIZE + (long) slot * COMPLETION_SIZE;
    }

    public static long bytes(int slots) {
        return (long) slots * SLOT_BYTES;
    }

    /** Checks that {@code slots} is a power of two in [MIN_SLOTS, MAX_SLOTS] and returns it. */
    public static int checkSlots(int slots) {
        if (slots < MIN_SLOTS || slots > MAX_SLOTS || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("ring size must be a power of two in [" + MIN_SLOTS + ", " + MAX_SLOTS
                    + "], was " + slots);
        }
        return slots;
    }
}
