package org.jdma.kernel.mm;

/**
 * Why a bus range a device was about to be given is not inside one live mapping of that device
 * that allows the access: what {@link DmaPins#hold} returns when it refuses (and holds nothing).
 *
 * @param index      which of the ranges asked for
 * @param reason     what is wrong with it
 * @param busAddress first bus address of the range
 * @param length     bytes of the range
 * @param mapping    the live mapping the range starts in (wrong direction, or running past its
 *                   end), null when none does
 */
public record RangeRefusal(int index, Reason reason, long busAddress, long length, LiveMapping mapping) {

    /** What is wrong with the range. */
    public enum Reason {
        /** No live mapping of the device contains its first byte. */
        NOT_MAPPED,
        /** A mapping contains it, but its direction forbids the access (a write to TO_DEVICE, a read of FROM_DEVICE). */
        WRONG_DIRECTION,
        /** A mapping contains its first byte, but the range runs past the mapping's end. */
        PAST_END
    }
}
