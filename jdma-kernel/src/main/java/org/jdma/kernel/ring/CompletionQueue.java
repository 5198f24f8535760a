package org.jdma.kernel.ring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A ring the device fills and the driver consumes: an NVMe completion queue. The driver does not
 * know how far the device has written; it reads the entry at its head while the format's
 * {@link CompletionTest} (a phase tag) says the entry is new, hands each to a
 * {@link SubmissionRing.Reaper}, and tells the device once per batch how far it got through a head
 * {@link Doorbell} (NVMe Base Specification 2.0 §3.3.1.2: "Completion Queue y Head Doorbell").
 *
 * <p>Indexes as in {@link SubmissionRing}: a 64-bit head sequence, slot = sequence mod N. The
 * device must never post into a full queue (it watches the head doorbell), so no slot is
 * overwritten before the driver reaped it.
 *
 * <p>One consumer at a time.
 */
public final class CompletionQueue {

    /** Tells the device the consumer index (mod N): the slots before it may be written again. */
    @FunctionalInterface
    public interface Doorbell {
        void ring(int consumerIndex);
    }

    private static final VarHandle HEAD;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(CompletionQueue.class, "head", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final RingMemory memory;
    private final int slots;
    private final int mask;
    private final CompletionTest test;
    private final Doorbell doorbell;
    @SuppressWarnings("unused")
    private long head;

    public CompletionQueue(RingMemory memory, int slots, CompletionTest test, Doorbell doorbell) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.slots = SubmissionRing.checkSlots(slots);
        this.mask = slots - 1;
        this.test = Objects.requireNonNull(test, "test");
        this.doorbell = Objects.requireNonNull(doorbell, "doorbell");
    }

    /**
     * Hands up to {@code max} new entries to {@code reaper}, oldest first, stopping at the first one
     * that is not new; then rings the head doorbell once. Returns how many.
     */
    public int reap(SubmissionRing.Reaper reaper, int max) {
        long h = (long) HEAD.getOpaque(this);
        int n = 0;
        while (n < max) {
            int slot = (int) (h & mask);
            if (!test.isComplete(memory, slot, h)) {
                break;
            }
            reaper.completed(memory, slot, h);
            test.retire(memory, slot, h);
            h++;
            n++;
        }
        if (n > 0) {
            HEAD.setRelease(this, h);
            doorbell.ring((int) (h & mask));
        }
        return n;
    }

    public int capacity() {
        return slots;
    }

    /** Entries consumed since the queue was made; also the sequence of the next one. */
    public long consumed() {
        return (long) HEAD.getAcquire(this);
    }

    public RingMemory memory() {
        return memory;
    }
}
