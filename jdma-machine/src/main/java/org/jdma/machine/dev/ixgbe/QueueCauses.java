package org.jdma.machine.dev.ixgbe;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * The events that raise a queue's receive or transmit cause ({@link InterruptUnit#queueCause})
 * once a frame's bus time has passed, unless the port was reset meanwhile. A port raises one per
 * frame each way, so an event that has run goes back on a free list (last in, first out) instead
 * of being made again.
 */
final class QueueCauses {

    private final InterruptUnit interrupts;
    private final boolean transmit;
    /** The owning unit's reset generation now: an event of an older one raises nothing. */
    private final LongSupplier generation;
    private final ArrayDeque<Cause> free = new ArrayDeque<>();

    /**
     * @param transmit   the transmit causes (else the receive causes)
     * @param generation the owning unit's reset generation
     */
    QueueCauses(InterruptUnit interrupts, boolean transmit, LongSupplier generation) {
        this.interrupts = interrupts;
        this.transmit = transmit;
        this.generation = generation;
    }

    /** An event raising queue {@code queue}'s cause, for reset generation {@code sentIn}. */
    Runnable event(int queue, long sentIn) {
        Cause c = free.pollLast();
        if (c == null) {
            c = new Cause();
        }
        c.queue = queue;
        c.sentIn = sentIn;
        return c;
    }

    private final class Cause implements Runnable {
        private int queue;
        private long sentIn;

        @Override
        public void run() {
            int q = queue;
            boolean current = sentIn == generation.getAsLong();
            free.addLast(this);
            if (current) {
                interrupts.queueCause(q, transmit);
            }
        }
    }
}
