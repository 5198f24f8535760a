package org.jdma.kernel.dma;

import java.util.Arrays;
import java.util.Objects;
import org.jdma.kernel.mm.DmaPins;

/**
 * The holds of a descriptor ring, per slot: what a ring driver keeps so that {@link DmaInFlight}
 * can refuse descriptors naming unmapped memory and unmaps of memory a descriptor in flight names.
 * Each submitting or draining call works in a {@link Staging} of its own (a single-producer ring
 * keeps one; a ring several threads share makes one per call). The driver's submit path, for a
 * batch of descriptors:
 * <ol>
 *   <li>for each descriptor i: fill {@link Staging#ranges()} with the ranges it names, then
 *       {@link Staging#stage(int, long) stage(i)} (refused with {@link DmaError.NotMapped} before
 *       the ring is touched; then {@link Staging#releaseStaged} what was staged before it);</li>
 *   <li>while writing descriptor i into its slot: {@link Staging#commit(int, int) commit(i, slot)};</li>
 *   <li>for the descriptors the ring did not take (full): {@link Staging#releaseStaged}.</li>
 * </ol>
 * The completion path calls {@link Staging#reaped} for each slot it reaps, before the consumer
 * index moves past it (the producer may reuse the slot right after), and
 * {@link Staging#releaseReaped} once the call is done (the engine completed those descriptors);
 * a reset or stop calls {@link #releaseAll}. The ring's own memory is held for the ring's life
 * with {@link #holdRing} (the device fetches descriptors from it and writes completions into it).
 *
 * <p>Holds of a slot are written by the producer that claimed the slot before it publishes it,
 * and read by the one consumer that reaps it after it saw the slot complete: the ring's
 * publication orders them.
 */
public final class RingHolds {

    private final DmaInFlight inFlight;
    private final DmaInFlight.User user;
    private final int perSlot;
    private final long[] slotHolds;
    private final DmaInFlight.Ranges ringRange = new DmaInFlight.Ranges();
    private final long[] ringHold = {DmaPins.NO_HOLD};

    /**
     * @param perSlot the most ranges one descriptor names (more are refused with an
     *                {@link IllegalArgumentException} at {@link Staging#stage})
     * @param user    describes a use by the tag {@link Staging#stage} gives it (the ring passes the
     *                descriptor's sequence; -1 is the ring itself)
     */
    public RingHolds(DmaInFlight inFlight, int slots, int perSlot, DmaInFlight.User user) {
        this.inFlight = Objects.requireNonNull(inFlight, "inFlight");
        this.user = Objects.requireNonNull(user, "user");
        if (slots < 1 || perSlot < 1) {
            throw new IllegalArgumentException("slots and ranges per slot must be positive, were " + slots + " and " + perSlot);
        }
        this.perSlot = perSlot;
        this.slotHolds = new long[slots * perSlot];
        Arrays.fill(slotHolds, DmaPins.NO_HOLD);
    }

    /** Whether holds are checked at all (the device's DMA API knows its memory). */
    public boolean checks() {
        return inFlight.checks();
    }

    /** Holds [ringBase, ringBase + bytes) for the ring's life; {@link #releaseAll} lets it go. */
    public void holdRing(long ringBase, long bytes) {
        ringRange.clear().add("descriptor ring", ringBase, bytes, DmaDirection.BIDIRECTIONAL);
        inFlight.hold(ringRange, user, -1, ringHold, 0);
    }

    /** A working state for one submitting or draining call (or for the one thread of a single-producer ring). */
    public Staging staging() {
        return new Staging();
    }

    /**
     * The device was reset or stopped: every slot's hold goes, and, when {@code ringToo}, the
     * ring's own. Stagings release their own ({@link Staging#releaseAll}).
     */
    public void releaseAll(boolean ringToo) {
        inFlight.release(slotHolds, 0, slotHolds.length);
        if (ringToo) {
            inFlight.release(ringHold, 0, 1);
        }
    }

    /** One call's staged holds (taken before the ring is touched) and reaped holds (released when it ends). One thread at a time. */
    public final class Staging {
        private final DmaInFlight.Ranges ranges = new DmaInFlight.Ranges();
        private long[] staged = new long[4 * perSlot];
        /** Holds of slots reaped in the current drain, released at {@link #releaseReaped}. */
        private long[] reapedHolds = new long[4 * perSlot];
        private int reapedCount;

        private Staging() {
            Arrays.fill(staged, DmaPins.NO_HOLD);
        }

        /** The ranges of the next descriptor to {@link #stage}, cleared. */
        public DmaInFlight.Ranges ranges() {
            return ranges.clear();
        }

        /**
         * Holds the ranges filled since {@link #ranges()} as staged descriptor {@code index} of this
         * submission, described by {@code tag} (the sequence it will most likely get).
         *
         * @throws DmaException {@link DmaError.NotMapped}: nothing is held for this descriptor
         */
        public void stage(int index, long tag) {
            if (ranges.size() > perSlot) {
                throw new IllegalArgumentException("a descriptor names " + ranges.size() + " ranges; this ring holds at most " + perSlot);
            }
            int need = (index + 1) * perSlot;
            if (need > staged.length) {
                int old = staged.length;
                staged = Arrays.copyOf(staged, Math.max(need, old * 2));
                Arrays.fill(staged, old, staged.length, DmaPins.NO_HOLD);
            }
            inFlight.hold(ranges, user, tag, staged, index * perSlot);
        }

        /** The staged holds of descriptor {@code index} now belong to {@code slot} (it is being written there). */
        public void commit(int index, int slot) {
            System.arraycopy(staged, index * perSlot, slotHolds, slot * perSlot, perSlot);
            Arrays.fill(staged, index * perSlot, (index + 1) * perSlot, DmaPins.NO_HOLD);
        }

        /** Releases the staged holds of descriptors {@code from .. from + count - 1} (refused, or not taken by a full ring). */
        public void releaseStaged(int from, int count) {
            if (count > 0) {
                inFlight.release(staged, from * perSlot, count * perSlot);
            }
        }

        /** The descriptor in {@code slot} completed and is being reaped: its holds leave the slot, to go at {@link #releaseReaped}. */
        public void reaped(int slot) {
            if (reapedCount + perSlot > reapedHolds.length) {
                reapedHolds = Arrays.copyOf(reapedHolds, reapedHolds.length * 2);
            }
            System.arraycopy(slotHolds, slot * perSlot, reapedHolds, reapedCount, perSlot);
            Arrays.fill(slotHolds, slot * perSlot, (slot + 1) * perSlot, DmaPins.NO_HOLD);
            reapedCount += perSlot;
        }

        /** The descriptors {@link #reaped} since the last call completed: their mappings may go. */
        public void releaseReaped() {
            inFlight.release(reapedHolds, 0, reapedCount);
            reapedCount = 0;
        }

        /** Every hold this staging still has (staged or reaped) goes: the device was reset or stopped. */
        public void releaseAll() {
            inFlight.release(staged, 0, staged.length);
            releaseReaped();
        }
    }
}
