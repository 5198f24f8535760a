package org.jdma.kernel.ring;

/**
 * A device format's answer to "has the device finished the entry of slot {@code slot}, lap
 * {@code sequence}?", read with acquire so that everything else the device wrote for it is visible
 * afterwards. One per format, for example:
 * <ul>
 *   <li>a status byte in a completion record the device writes last (the copy engine, DSA);</li>
 *   <li>a done bit written back into the descriptor itself ({@link #doneBit}: the 82599's DD bit in
 *       a TX descriptor's STA field or an RX descriptor's write-back status);</li>
 *   <li>a phase tag that flips on every lap of the queue ({@link #phaseTag}: an NVMe completion
 *       queue entry's P bit).</li>
 * </ul>
 * The sequence is the entry's 64-bit submission number; its lap ({@code sequence / slots}) is what
 * a phase-tag format compares with.
 */
public interface CompletionTest {

    /** Whether the device has completed the entry in {@code slot}, submitted as {@code sequence}. */
    boolean isComplete(RingMemory memory, int slot, long sequence);

    /**
     * Makes the slot's completion marker read "not complete" again before the slot is reused (a
     * status byte cleared). Formats whose marker the next submission overwrites (a done bit in the
     * descriptor) or that flips by itself (a phase tag) need nothing: the default.
     */
    default void retire(RingMemory memory, int slot, long sequence) {
    }

    /**
     * A done bit the device sets in the slot's own memory: byte {@code offset} of slot
     * {@code slot * stride}, bit(s) {@code mask}.
     */
    static CompletionTest doneBit(int stride, int offset, int mask) {
        checkField(stride, offset, mask);
        return (memory, slot, sequence) -> (memory.readAcquire8((long) slot * stride + offset) & mask) != 0;
    }

    /**
     * A phase tag: the entry is new when byte {@code offset} of slot {@code slot * stride}, under
     * {@code mask}, holds the phase of the entry's lap. Entries start zeroed and the device writes
     * phase 1 on the first lap, 0 on the second, and so on (NVMe Base Specification 2.0 §4.6,
     * "Phase Tag"); {@code slots} is the queue's size, a power of two.
     */
    static CompletionTest phaseTag(int stride, int offset, int mask, int slots) {
        checkField(stride, offset, mask);
        int shift = Integer.numberOfTrailingZeros(SubmissionRing.checkSlots(slots));
        return (memory, slot, sequence) -> {
            boolean set = (memory.readAcquire8((long) slot * stride + offset) & mask) != 0;
            boolean expected = ((sequence >>> shift) & 1) == 0;
            return set == expected;
        };
    }

    private static void checkField(int stride, int offset, int mask) {
        if (stride <= 0 || offset < 0 || offset >= stride || mask <= 0 || mask > 0xFF) {
            throw new IllegalArgumentException(String.format("completion field: stride %d, byte offset %d, mask %#x", stride, offset, mask));
        }
    }
}
