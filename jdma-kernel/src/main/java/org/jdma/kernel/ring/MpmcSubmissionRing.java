package org.jdma.kernel.ring;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A submission ring (see {@link SubmissionRing} for indexes, full and empty) that several producer
 * threads fill and several consumer threads reap at once, without locks. The device sees exactly
 * what it sees of a single-producer ring: a doorbell carrying a producer index below which every
 * slot holds a whole entry, doorbell writes one at a time, and each one further along than the last.
 *
 * <h2>Producers: claim, write, publish in order</h2>
 * <ol>
 *   <li><b>Claim.</b> A producer takes {@code n} consecutive sequences with one compare-and-set on
 *       the claim cursor, and only if {@code n} slots are free ({@code claim - tail <= N - 1 - n}).
 *       Not fetch-and-add: an add cannot be taken back when the ring turns out full, so a producer
 *       would own a slot it must wait for, and {@code submit} could not return 0 on a full ring.
 *       The claim needs no ordering with the slot's contents; the tail it checks is read with
 *       acquire, so the consumer's reads of the slot's previous entry happen before the producer's
 *       writes to it.</li>
 *   <li><b>Write.</b> Plain stores through the {@link SubmissionRing.SlotWriter}, then the slot's
 *       {@code written} flag is set to the entry's sequence with a volatile store: release (the
 *       entry's stores come first) and sequentially consistent (see publish). The flag holds the
 *       full sequence, not a bit, so a flag left from an earlier lap never reads as this one.</li>
 *   <li><b>Publish.</b> The published cursor ({@code head}, what the doorbell carries) may only
 *       pass slots whose flag is set, so a producer that finishes slot k+1 before another finishes
 *       slot k does not expose slot k. Whichever producer gets the publisher flag (one
 *       compare-and-set) walks {@code head} forward over consecutive written slots (reading each
 *       flag with acquire), stores it with release, issues {@link RingMemory#publishRelease()} and
 *       rings the doorbell, then clears the flag. A producer that finds the flag taken leaves
 *       without waiting: the holder, after clearing it, looks again at the slot at {@code head}
 *       (a volatile read after a volatile store, so it cannot miss a flag set before the failed
 *       compare-and-set) and goes round once more if it finds it written. Producers never wait for
 *       each other; doorbell writes are serialised and monotonic, which a device that takes the
 *       index modulo N needs (a smaller index after a larger one would read as almost a whole lap
 *       of new entries). This is the Disruptor's multi-producer sequencer (per-slot availability)
 *       with its "published up to" cursor advanced by one publisher at a time, as Linux drivers
 *       serialise a ring's tail doorbell under a lock, but without blocking anyone.</li>
 * </ol>
 * A {@code submit} may therefore return before its entries are announced: they are announced, by
 * whichever producer publishes next or by the holder's second look, once every entry claimed
 * before them is written. No doorbell is lost.
 *
 * <h2>Consumers: claim completed entries, free in order</h2>
 * A consumer reads the reap cursor, then {@code head} with acquire, then asks the format's
 * {@link CompletionTest} about the entries from the cursor on; it takes the run of completed ones
 * with one compare-and-set on the reap cursor, so each entry goes to exactly one consumer. It
 * hands them to its {@link SubmissionRing.Reaper} in order, retires each and sets the slot's
 * {@code freed} flag (volatile). The tail, which producers check before reusing a slot, advances
 * by compare-and-set only over consecutive freed slots: a slot whose entry another consumer is
 * still reading is never handed to a producer, whatever finishes first. Every consumer that frees
 * tries to advance the tail after its volatile stores, so the last one of a gap always sees it
 * closed.
 *
 * <h2>What callers may rely on</h2>
 * Each accepted entry reaches the device once, in sequence order; one producer thread's entries
 * take increasing sequences in the order it submitted them. Each completed entry is handed to
 * exactly one consumer; one {@code reap} call gets consecutive sequences, oldest first, but calls
 * on different threads interleave in any way. Nothing orders entries of different producers
 * beyond the order their claims succeeded in.
 *
 * <h2>Writers and reapers that throw</h2>
 * A claimed slot must be published, or every later entry waits for it. If the writer throws, the
 * ring writes the slots it left (that one and the rest of the batch) with the {@link Filler}, a
 * harmless entry of the format (the copy engine's NOOP), publishes them, and rethrows; the
 * submission is not accepted but the filler entries complete and are reaped like any other. If a
 * reaper throws, the entries it had claimed from that one on are retired without being handed
 * out (the ring keeps going) and the exception propagates.
 *
 * <p>The cursors sit two cache lines apart so that producers and consumers do not share a line.
 * {@link #retireThrough} and {@link #restart} must not run with {@link #reap} or producers.
 */
public final class MpmcSubmissionRing implements SubmissionProtocol {

    /** Fills a claimed slot whose writer failed with an entry the device completes without effect. */
    @FunctionalInterface
    public interface Filler {
        void fill(RingMemory memory, int slot, long sequence);
    }

    /** Longs between two cursors: 128 bytes, two cache lines (adjacent-line prefetch). */
    private static final int PAD = 16;
    /** Next sequence a producer claims (compare-and-set). */
    private static final int CLAIM = PAD;
    /** Producers' last view of TAIL, stored with release; only ever behind the real one. */
    private static final int CACHED_TAIL = CLAIM + 1;
    /** Published: every sequence below is written and was announced by the doorbell. */
    private static final int HEAD = 2 * PAD;
    /** 1 while a producer advances HEAD and rings the doorbell. */
    private static final int PUBLISHER = 3 * PAD;
    /** Next sequence a consumer claims (compare-and-set). */
    private static final int REAP_CLAIM = 4 * PAD;
    /** Freed: every sequence below has been read and retired; producers may reuse up to TAIL + N - 1. */
    private static final int TAIL = 5 * PAD;

    private final RingMemory memory;
    private final int slots;
    private final int mask;
    private final SubmissionRing.Doorbell doorbell;
    private final Filler filler;
    private final AtomicLongArray cursors = new AtomicLongArray(6 * PAD + 1);
    /** Per slot: the sequence whose entry is fully written there. */
    private final AtomicLongArray written;
    /** Per slot: the sequence whose entry was read and retired. */
    private final AtomicLongArray freed;

    /**
     * @param slots    a power of two in [{@value SubmissionRing#MIN_SLOTS}, {@value SubmissionRing#MAX_SLOTS}]
     * @param doorbell how the device learns of new entries; called by one thread at a time
     * @param filler   writes a harmless entry into a slot whose writer threw
     */
    public MpmcSubmissionRing(RingMemory memory, int slots, SubmissionRing.Doorbell doorbell, Filler filler) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.slots = SubmissionRing.checkSlots(slots);
        this.mask = slots - 1;
        this.doorbell = Objects.requireNonNull(doorbell, "doorbell");
        this.filler = Objects.requireNonNull(filler, "filler");
        this.written = new AtomicLongArray(slots);
        this.freed = new AtomicLongArray(slots);
        for (int i = 0; i < slots; i++) {
            written.set(i, i - (long) slots); // the lap before the first: no sequence is written yet
            freed.set(i, i - (long) slots);
        }
    }

    @Override
    public RingMemory memory() {
        return memory;
    }

    // ---- producers -----------------------------------------------------------------------------

    @Override
    public <T> int submit(List<? extends T> items, int from, int count, SubmissionRing.SlotWriter<? super T> writer) {
        Objects.checkFromIndexSize(from, count, items.size());
        long first;
        int n;
        do {
            first = cursors.getAcquire(CLAIM);
            n = room(first, count);
            if (n == 0) {
                return 0;
            }
        } while (!cursors.compareAndSet(CLAIM, first, first + n));
        int done = 0;
        try {
            for (; done < n; done++) {
                long s = first + done;
                writer.write(memory, slot(s), s, items.get(from + done));
                written.set(slot(s), s);
            }
        } finally {
            if (done < n) {
                fillFrom(first + done, first + n);
            }
        }
        publish();
        return n;
    }

    @Override
    public <T> boolean submitOne(T item, SubmissionRing.SlotWriter<? super T> writer) {
        long s;
        do {
            s = cursors.getAcquire(CLAIM);
            if (room(s, 1) == 0) {
                return false;
            }
        } while (!cursors.compareAndSet(CLAIM, s, s + 1));
        boolean ok = false;
        try {
            writer.write(memory, slot(s), s, item);
            written.set(slot(s), s);
            ok = true;
        } finally {
            if (!ok) {
                fillFrom(s, s + 1);
            }
        }
        publish();
        return true;
    }

    /** Slots a writer left: filled and published, so later entries are not held back. */
    private void fillFrom(long from, long to) {
        for (long s = from; s < to; s++) {
            try {
                filler.fill(memory, slot(s), s);
            } finally {
                written.set(slot(s), s);
            }
        }
        publish();
    }

    /** How many of {@code want} slots are free for a claim starting at {@code claim}; reads TAIL only when the cached view says too few. */
    private int room(long claim, int want) {
        long free = slots - 1 - (claim - cursors.getAcquire(CACHED_TAIL));
        if (free < want) {
            long t = cursors.getAcquire(TAIL);
            cursors.setRelease(CACHED_TAIL, t);
            free = slots - 1 - (claim - t);
        }
        return (int) Math.max(0, Math.min(want, free));
    }

    /** Moves HEAD over every consecutive written slot and rings the doorbell, unless another producer is doing it. */
    private void publish() {
        while (cursors.compareAndSet(PUBLISHER, 0, 1)) {
            long h = cursors.getAcquire(HEAD);
            long s = h;
            try {
                while (written.getAcquire(slot(s)) == s) {
                    s++;
                }
                if (s != h) {
                    cursors.setRelease(HEAD, s);
                    RingMemory.publishRelease();
                    doorbell.ring(slot(s));
                }
            } finally {
                cursors.set(PUBLISHER, 0);
            }
            // A producer that set its flag and then found PUBLISHER taken left the rest to us.
            if (written.get(slot(s)) != s) {
                return;
            }
        }
    }

    // ---- consumers -----------------------------------------------------------------------------

    @Override
    public int reap(CompletionTest test, SubmissionRing.Reaper reaper, int max) {
        while (max > 0) {
            long c = cursors.getAcquire(REAP_CLAIM);
            long h = cursors.getAcquire(HEAD); // after it, a slot's previous lap is retired and freed
            int n = 0;
            while (n < max && c + n < h && test.isComplete(memory, slot(c + n), c + n)) {
                n++;
            }
            if (n == 0) {
                if (cursors.getAcquire(REAP_CLAIM) == c) {
                    return 0;
                }
                continue; // another consumer took c meanwhile; what follows it may be complete
            }
            if (!cursors.compareAndSet(REAP_CLAIM, c, c + n)) {
                continue;
            }
            int handed = 0;
            try {
                for (; handed < n; handed++) {
                    long s = c + handed;
                    reaper.completed(memory, slot(s), s);
                    test.retire(memory, slot(s), s);
                    freed.set(slot(s), s);
                }
            } finally {
                for (long s = c + handed; s < c + n; s++) { // a reaper threw: retire the rest unread
                    test.retire(memory, slot(s), s);
                    freed.set(slot(s), s);
                }
                advanceTail();
            }
            return n;
        }
        return 0;
    }

    /** Moves TAIL over every consecutive freed slot. */
    private void advanceTail() {
        long t = cursors.get(TAIL);
        while (true) {
            long s = t;
            while (freed.get(slot(s)) == s) {
                s++;
            }
            if (s == t) {
                return;
            }
            t = cursors.compareAndSet(TAIL, t, s) ? s : cursors.get(TAIL);
        }
    }

    /**
     * Frees every slot up to and including {@code sequence}, whose completion the driver learned
     * elsewhere (an NVMe completion's SQ head). Not together with {@link #reap} on the same ring.
     *
     * @throws IllegalArgumentException when {@code sequence} was not published
     */
    @Override
    public int retireThrough(long sequence) {
        long h = cursors.getAcquire(HEAD);
        if (sequence >= h) {
            throw new IllegalArgumentException("entry " + sequence + " was not submitted (" + h + " so far)");
        }
        long c;
        do {
            c = cursors.get(REAP_CLAIM);
        } while (c <= sequence && !cursors.compareAndSet(REAP_CLAIM, c, sequence + 1));
        long t;
        do {
            t = cursors.get(TAIL);
            if (t > sequence) {
                return 0;
            }
        } while (!cursors.compareAndSet(TAIL, t, sequence + 1));
        return (int) (sequence + 1 - t);
    }

    /**
     * Whether the entry submitted as {@code sequence} has completed: claimed by a consumer
     * already, or its marker says so. An entry claimed but not yet published has not.
     *
     * @throws IllegalArgumentException when {@code sequence} was not claimed by a producer
     */
    @Override
    public boolean isComplete(CompletionTest test, long sequence) {
        long claimed = cursors.getAcquire(CLAIM);
        if (sequence < 0 || sequence >= claimed) {
            throw new IllegalArgumentException("entry " + sequence + " has not been submitted (" + claimed + " so far)");
        }
        if (sequence < cursors.getAcquire(REAP_CLAIM)) {
            return true; // consumers claim only completed entries
        }
        if (sequence >= cursors.getAcquire(HEAD)) {
            return false;
        }
        if (test.isComplete(memory, slot(sequence), sequence)) {
            return true;
        }
        return sequence < cursors.getAcquire(REAP_CLAIM); // reaped and retired between the reads
    }

    /**
     * After the device was reset: forgets every entry in flight and moves every cursor to the
     * start of the next lap (slot 0). Returns the first forgotten sequence. Call with no producer
     * or consumer running.
     */
    @Override
    public long restart() {
        long t = cursors.getAcquire(TAIL);
        long next = (cursors.getAcquire(CLAIM) + mask) & ~(long) mask;
        for (int cursor : new int[] {CLAIM, CACHED_TAIL, HEAD, REAP_CLAIM, TAIL}) {
            cursors.setRelease(cursor, next);
        }
        return t;
    }

    // ---- state ---------------------------------------------------------------------------------

    @Override
    public int capacity() {
        return slots;
    }

    /** Entries claimed by producers and not yet freed (read tail first: the difference is never negative). */
    @Override
    public int size() {
        long t = cursors.getAcquire(TAIL);
        return (int) (cursors.getAcquire(CLAIM) - t);
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public boolean isFull() {
        return size() == slots - 1;
    }

    @Override
    public long submitted() {
        return cursors.getAcquire(HEAD);
    }

    @Override
    public long claimed() {
        return cursors.getAcquire(CLAIM);
    }

    @Override
    public long reaped() {
        return cursors.getAcquire(TAIL);
    }

    /** The slot the next claim takes. */
    @Override
    public int headSlot() {
        return slot(cursors.getAcquire(CLAIM));
    }

    @Override
    public int tailSlot() {
        return slot(cursors.getAcquire(TAIL));
    }

    @Override
    public int slot(long sequence) {
        return (int) (sequence & mask);
    }
}
