package org.jdma.kernel.ring;

import java.util.List;

/**
 * The producer/consumer protocol of a ring the driver fills and the device consumes, as a ring
 * driver uses it: {@link SubmissionRing} for one producer and one consumer (no compare-and-set
 * anywhere), {@link MpmcSubmissionRing} for several of each. A driver picks one when it builds its
 * ring and then does not care which it has; the device sees the same thing from both: slots
 * written before the doorbell that names them, doorbells that only move forward.
 */
public sealed interface SubmissionProtocol permits SubmissionRing, MpmcSubmissionRing {

    RingMemory memory();

    /**
     * Writes items {@code from .. from + count - 1} into free slots, in order, until the ring is
     * full, and publishes them. Returns how many were taken (always the first ones; 0 when full).
     */
    <T> int submit(List<? extends T> items, int from, int count, SubmissionRing.SlotWriter<? super T> writer);

    /** One item: true when it was taken, false when the ring is full. */
    <T> boolean submitOne(T item, SubmissionRing.SlotWriter<? super T> writer);

    /**
     * Hands up to {@code max} completed entries to {@code reaper}, oldest first, stopping at the
     * first one {@code test} says is not complete; retires each and frees its slot. Returns how many.
     */
    int reap(CompletionTest test, SubmissionRing.Reaper reaper, int max);

    /** Frees every slot up to and including {@code sequence}, whose completion the driver learned elsewhere. */
    int retireThrough(long sequence);

    /** Whether the entry submitted as {@code sequence} has completed. Read-only. */
    boolean isComplete(CompletionTest test, long sequence);

    /** After a device reset: forgets every entry in flight; returns the first forgotten sequence. */
    long restart();

    int capacity();

    /** Entries taken by producers and not yet freed by a consumer. */
    int size();

    boolean isEmpty();

    boolean isFull();

    /** Entries published to the device: every sequence below this one is written and announced. */
    long submitted();

    /** Entries producers have taken slots for, published or still being written; {@link #submitted()} with one producer. */
    default long claimed() {
        return submitted();
    }

    /** Entries freed since the ring was made; also the sequence of the oldest one in flight. */
    long reaped();

    /** The producer index: the slot the next entry takes. */
    int headSlot();

    /** The consumer index: the slot freed next. */
    int tailSlot();

    int slot(long sequence);
}
