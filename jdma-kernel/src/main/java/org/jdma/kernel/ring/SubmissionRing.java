package org.jdma.kernel.ring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Objects;

/**
 * The producer/consumer protocol of a descriptor ring the driver fills and the device consumes: a
 * copy engine's descriptor ring, an 82599 TX or RX ring, an NVMe submission queue. The ring's
 * bytes and their format belong to the driver ({@link RingMemory}, one layout class per device);
 * this class owns the indexes.
 *
 * <h2>Indexes</h2>
 * {@code N} slots, a power of two. The producer's {@code head} and the consumer's {@code tail} are
 * 64-bit sequence numbers that never wrap; a slot is {@code sequence & (N - 1)}. The ring is empty
 * when {@code head == tail} and full when {@code head - tail == N - 1}: one slot stays free, so a
 * device that learns the producer index modulo N (a tail doorbell) can tell full from empty, as
 * the 82599 ({@code TDT}/{@code TDH}), NVMe ({@code (tail + 1) % size == head}) and the copy engine
 * all require.
 *
 * <h2>Submitting</h2>
 * {@link #submit} writes as many items as there are free slots, in order (a prefix of the batch),
 * through the driver's {@link SlotWriter} with plain stores, then publishes them all at once: one
 * {@link RingMemory#publishRelease() release} and one {@link Doorbell} write of the new producer
 * index. The producer keeps its last view of {@code tail} and reads the real one only when the
 * ring looks full (Agrona's cached head, the Disruptor's gating sequence).
 *
 * <h2>Reaping</h2>
 * {@link #reap} hands completed entries to a {@link Reaper}, oldest first, stopping at the first one
 * the format's {@link CompletionTest} says is not complete (it reads the marker with acquire), then
 * publishes the new {@code tail} once. Nothing is allocated: the reaper reads what it needs from the
 * ring memory. A format whose completions arrive elsewhere (an NVMe completion queue's SQ head)
 * frees slots with {@link #retireThrough} instead.
 *
 * <h2>Threads</h2>
 * One producer and one consumer at a time (they may be the same thread): {@code head} is written
 * only by the producer, {@code tail} only by the consumer, each with release, and each reads the
 * other's with acquire. No compare-and-set: several producers or consumers use
 * {@link MpmcSubmissionRing} instead, which keeps this class's protocol for the device.
 */
public final class SubmissionRing implements SubmissionProtocol {

    /** The smallest ring: one usable slot plus the one kept free. */
    public static final int MIN_SLOTS = 2;
    /** The largest ring (an NVMe queue holds at most 2^16 entries; the copy engine's RING_SIZE is 16 bits). */
    public static final int MAX_SLOTS = 1 << 16;

    /** Tells the device that every slot before {@code producerIndex} (mod N) holds an entry: TDT, SQ tail, SUBMIT_INDEX. */
    @FunctionalInterface
    public interface Doorbell {
        void ring(int producerIndex);
    }

    /** Writes one item into its slot with plain stores; the ring publishes it. */
    @FunctionalInterface
    public interface SlotWriter<T> {
        void write(RingMemory memory, int slot, long sequence, T item);
    }

    /** Takes one completed entry; reads what it needs from the ring memory, then the slot is reused. */
    @FunctionalInterface
    public interface Reaper {
        void completed(RingMemory memory, int slot, long sequence);
    }

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(SubmissionRing.class, "head", long.class);
            TAIL = l.findVarHandle(SubmissionRing.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final RingMemory memory;
    private final int slots;
    private final int mask;
    private final Doorbell doorbell;
    /** Producer sequence: written by the producer with release. */
    @SuppressWarnings("unused")
    private long head;
    /** Consumer sequence: written by the consumer with release. */
    @SuppressWarnings("unused")
    private long tail;
    /** The producer's last view of tail; refreshed only when the ring looks full. */
    private long cachedTail;

    /**
     * @param slots    a power of two in [{@value #MIN_SLOTS}, {@value #MAX_SLOTS}]
     * @param doorbell how the device learns of new entries
     */
    public SubmissionRing(RingMemory memory, int slots, Doorbell doorbell) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.slots = checkSlots(slots);
        this.mask = slots - 1;
        this.doorbell = Objects.requireNonNull(doorbell, "doorbell");
    }

    /** Checks that {@code slots} is a power of two in [MIN_SLOTS, MAX_SLOTS] and returns it. */
    public static int checkSlots(int slots) {
        if (slots < MIN_SLOTS || slots > MAX_SLOTS || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("ring size must be a power of two in [" + MIN_SLOTS + ", " + MAX_SLOTS + "], was " + slots);
        }
        return slots;
    }

    @Override
    public RingMemory memory() {
        return memory;
    }

    // ---- producer ------------------------------------------------------------------------------

    /**
     * Writes items {@code from .. from + count - 1} into free slots, in order, until the ring is
     * full, then publishes them with one release and one doorbell. Returns how many were taken
     * (always the first ones; 0 when the ring is full, and then nothing is published).
     */
    @Override
    public <T> int submit(List<? extends T> items, int from, int count, SlotWriter<? super T> writer) {
        Objects.checkFromIndexSize(from, count, items.size());
        long h = (long) HEAD.getOpaque(this);
        int accepted = 0;
        while (accepted < count && hasRoom(h)) {
            writer.write(memory, slot(h), h, items.get(from + accepted));
            h++;
            accepted++;
        }
        if (accepted > 0) {
            publish(h);
        }
        return accepted;
    }

    /** One item: true when it was taken and published, false when the ring is full. */
    @Override
    public <T> boolean submitOne(T item, SlotWriter<? super T> writer) {
        long h = (long) HEAD.getOpaque(this);
        if (!hasRoom(h)) {
            return false;
        }
        writer.write(memory, slot(h), h, item);
        publish(h + 1);
        return true;
    }

    private boolean hasRoom(long h) {
        if (h - cachedTail < slots - 1) {
            return true;
        }
        cachedTail = (long) TAIL.getAcquire(this);
        return h - cachedTail < slots - 1;
    }

    /** The new head, then a release fence that orders every slot store before the doorbell (Linux wmb() before the MMIO write). */
    private void publish(long h) {
        HEAD.setRelease(this, h);
        RingMemory.publishRelease();
        doorbell.ring(slot(h));
    }

    // ---- consumer ------------------------------------------------------------------------------

    /**
     * Hands up to {@code max} completed entries to {@code reaper}, oldest first, stopping at the
     * first one {@code test} says is not complete; retires each ({@link CompletionTest#retire}),
     * then publishes the new tail once. Returns how many.
     */
    @Override
    public int reap(CompletionTest test, Reaper reaper, int max) {
        long t = (long) TAIL.getOpaque(this);
        long h = (long) HEAD.getAcquire(this);
        int n = 0;
        while (n < max && t != h) {
            int slot = slot(t);
            if (!test.isComplete(memory, slot, t)) {
                break;
            }
            reaper.completed(memory, slot, t);
            test.retire(memory, slot, t);
            t++;
            n++;
        }
        if (n > 0) {
            TAIL.setRelease(this, t);
        }
        return n;
    }

    /**
     * Frees every slot up to and including {@code sequence}, whose completion the driver learned
     * elsewhere (an NVMe completion entry's SQ head). Returns how many slots were freed.
     *
     * @throws IllegalArgumentException when {@code sequence} was not submitted
     */
    @Override
    public int retireThrough(long sequence) {
        long h = (long) HEAD.getAcquire(this);
        if (sequence >= h) {
            throw new IllegalArgumentException("entry " + sequence + " was not submitted (" + h + " so far)");
        }
        long t = (long) TAIL.getOpaque(this);
        if (sequence < t) {
            return 0;
        }
        TAIL.setRelease(this, sequence + 1);
        return (int) (sequence + 1 - t);
    }

    /**
     * Whether the entry submitted as {@code sequence} has completed: reaped already, or its marker
     * says so. Read-only: reaps nothing.
     *
     * @throws IllegalArgumentException when {@code sequence} was not submitted
     */
    @Override
    public boolean isComplete(CompletionTest test, long sequence) {
        long h = (long) HEAD.getAcquire(this);
        if (sequence < 0 || sequence >= h) {
            throw new IllegalArgumentException("entry " + sequence + " has not been submitted (" + h + " so far)");
        }
        if (sequence < (long) TAIL.getAcquire(this)) {
            return true;
        }
        if (test.isComplete(memory, slot(sequence), sequence)) {
            return true;
        }
        // It may have been reaped (and its marker retired) between the two reads.
        return sequence < (long) TAIL.getAcquire(this);
    }

    /**
     * After the device was reset: forgets every entry between tail and head and moves both to the
     * start of the next lap, so the next entry lands in slot 0, where a reset device fetches next.
     * Returns the first forgotten sequence (the old tail); the caller zeroes the ring memory and
     * programs the device again. Call with neither producer nor consumer running.
     */
    @Override
    public long restart() {
        long t = (long) TAIL.getAcquire(this);
        long h = (long) HEAD.getAcquire(this);
        long next = (h + mask) & ~(long) mask; // sequences stay monotonic
        cachedTail = next;
        TAIL.setRelease(this, next);
        HEAD.setRelease(this, next);
        return t;
    }

    // ---- state ---------------------------------------------------------------------------------

    @Override
    public int capacity() {
        return slots;
    }

    /** Entries submitted and not yet reaped. */
    @Override
    public int size() {
        return (int) ((long) HEAD.getAcquire(this) - (long) TAIL.getAcquire(this));
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public boolean isFull() {
        return size() == slots - 1;
    }

    /** Entries submitted since the ring was made; also the sequence of the next one. */
    @Override
    public long submitted() {
        return (long) HEAD.getAcquire(this);
    }

    /** Entries reaped (or retired) since the ring was made; also the sequence of the oldest one in flight. */
    @Override
    public long reaped() {
        return (long) TAIL.getAcquire(this);
    }

    /** The producer index: the slot the next entry takes. */
    @Override
    public int headSlot() {
        return slot((long) HEAD.getAcquire(this));
    }

    /** The consumer index: the slot the next reaped entry comes from. */
    @Override
    public int tailSlot() {
        return slot((long) TAIL.getAcquire(this));
    }

    @Override
    public int slot(long sequence) {
        return (int) (sequence & mask);
    }
}
