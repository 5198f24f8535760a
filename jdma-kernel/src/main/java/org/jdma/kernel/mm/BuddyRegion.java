package org.jdma.kernel.mm;

import static org.jdma.kernel.mm.FrameAllocator.FRAME_SHIFT;
import static org.jdma.kernel.mm.FrameAllocator.FRAME_SIZE;

/**
 * A contiguous run of managed frames [startPfn, endPfn) inside one zone, with the
 * {@link BuddyFrameAllocator}'s metadata for it: one state byte per frame, and per order a bitmap
 * with a bit per possible block (set: a free block of that order starts there).
 *
 * <p>The state byte:
 * <pre>
 *     7          6           5          4           0
 *   +--------+-----------+--------+------------------+
 *   | EVER   | ALLOCATED | FREE   |      order       |   (FREE, ALLOCATED: only on a block's
 *   | ALLOC  |   HEAD    | HEAD   |  (head frames)   |    first frame; 0 on its other frames)
 *   +--------+-----------+--------+------------------+
 * </pre>
 * EVER ALLOC is sticky: set on a frame once the allocator returned it. It only chooses the words
 * of an error ({@link #badFree}).
 *
 * <p>Beside the state bytes, one bit per frame marks the head of a block the kernel holds for its
 * own structures ({@link BuddyFrameAllocator#allocateForKernel}); set at allocation, cleared at free.
 * Not thread-safe: the allocator's lock guards writes.
 */
final class BuddyRegion {

    static final int STATE_ORDER_MASK = 0x1F;
    static final int STATE_FREE_HEAD = 0x20;
    static final int STATE_ALLOCATED_HEAD = 0x40;
    static final int STATE_EVER_ALLOCATED = 0x80;
    private static final int STATE_HEAD = STATE_FREE_HEAD | STATE_ALLOCATED_HEAD;

    final Zone zone;
    final long startPfn;
    final long endPfn;
    /** One state byte per frame, indexed by pfn - startPfn. */
    final byte[] stateBytes;
    /** Bit pfn - startPfn is set when an allocated block the kernel holds for itself starts at pfn. */
    private final long[] kernelHeads;
    /** Per order: bit (pfn >>> k) - (startPfn >>> k) is set when a free block of order k starts at pfn. */
    final SummaryBitmap[] free = new SummaryBitmap[BuddyFrameAllocator.MAX_ORDER + 1];

    BuddyRegion(long startPfn, long endPfn) {
        this.zone = Zone.of(startPfn << FRAME_SHIFT);
        this.startPfn = startPfn;
        this.endPfn = endPfn;
        this.stateBytes = new byte[Math.toIntExact(endPfn - startPfn)];
        this.kernelHeads = new long[(stateBytes.length + 63) >>> 6];
        for (int k = 0; k <= BuddyFrameAllocator.MAX_ORDER; k++) {
            free[k] = new SummaryBitmap(((endPfn - 1) >>> k) - (startPfn >>> k) + 1);
        }
    }

    int state(long pfn) {
        return stateBytes[(int) (pfn - startPfn)] & 0xFF;
    }

    void state(long pfn, int value) {
        stateBytes[(int) (pfn - startPfn)] = (byte) value;
    }

    boolean kernelHead(long pfn) {
        int i = (int) (pfn - startPfn);
        return (kernelHeads[i >>> 6] & (1L << i)) != 0;
    }

    void kernelHead(long pfn, boolean held) {
        int i = (int) (pfn - startPfn);
        if (held) {
            kernelHeads[i >>> 6] |= 1L << i;
        } else {
            kernelHeads[i >>> 6] &= ~(1L << i);
        }
    }

    long blockIndex(long pfn, int k) {
        return (pfn >>> k) - (startPfn >>> k);
    }

    /**
     * The exception for freeing frame {@code pfn} (whose state byte is {@code state}) when it is
     * not the first frame of an allocated block: inside an allocated block, a double free, or a
     * frame never allocated. Names the address and the block the frame lies in.
     */
    IllegalStateException badFree(long pfn, int order, int state) {
        long physical = pfn << FRAME_SHIFT;
        long head = pfn;
        int headState = state;
        // The block containing pfn starts at pfn rounded down to its order: find the first such
        // candidate that is a head whose block reaches pfn.
        for (int k = 0; k <= BuddyFrameAllocator.MAX_ORDER; k++) {
            head = pfn & -(1L << k);
            if (head < startPfn) {
                break; // unreachable while blocks tile the region; keeps a corrupt state from indexing out of it
            }
            headState = state(head);
            if ((headState & STATE_HEAD) != 0 && (headState & STATE_ORDER_MASK) >= k) {
                break;
            }
        }
        int headOrder = headState & STATE_ORDER_MASK;
        long headPhysical = head << FRAME_SHIFT;
        long headEnd = headPhysical + ((long) FRAME_SIZE << headOrder);
        if ((headState & STATE_ALLOCATED_HEAD) != 0) {
            return new IllegalStateException(String.format(
                    "free(%#x, order %d): the frame was never allocated as a block of its own; it lies inside the block "
                            + "[%#x, %#x) allocated with order %d", physical, order, headPhysical, headEnd, headOrder));
        }
        if ((state & STATE_EVER_ALLOCATED) != 0) {
            return new IllegalStateException(String.format(
                    "free(%#x, order %d): double free; the frame is already free (in the free block [%#x, %#x))",
                    physical, order, headPhysical, headEnd));
        }
        return new IllegalStateException(String.format(
                "free(%#x, order %d): the frame was never allocated (it lies in the free block [%#x, %#x))",
                physical, order, headPhysical, headEnd));
    }
}
