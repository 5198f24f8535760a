package org.jdma.machine.time;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Work other threads hand to the machine thread: a lock-free stack (a Treiber stack, as in
 * JCTools' and Agrona's multi-producer queues) that any thread pushes onto with one CAS, and that
 * the one consumer takes whole with {@code getAndSet(null)} and runs oldest first.
 *
 * <p>Order: two posts by one thread run in the order they were made; posts by different threads
 * run in the order their CASes succeeded. Nothing posted is lost or run twice. An empty inbox costs
 * the consumer one volatile read.
 */
final class Inbox {

    /** One posted action and the one posted before it. */
    private record Node(Runnable action, Node older) { }

    private final AtomicReference<Node> newest = new AtomicReference<>();

    /** Any thread: adds {@code action}; it runs at the consumer's next {@link #drain}. */
    void post(Runnable action) {
        Node head;
        Node node;
        do {
            head = newest.get();
            node = new Node(action, head);
        } while (!newest.compareAndSet(head, node));
    }

    /** Whether nothing is waiting (one volatile read). */
    boolean isEmpty() {
        return newest.get() == null;
    }

    /**
     * The consumer: takes everything posted so far and returns it oldest first (empty when nothing
     * was). What is posted while the returned actions run waits for the next drain.
     */
    Runnable[] drain() {
        if (newest.get() == null) {
            return NONE;
        }
        Node taken = newest.getAndSet(null);
        int n = 0;
        for (Node x = taken; x != null; x = x.older()) {
            n++;
        }
        Runnable[] out = new Runnable[n];
        for (Node x = taken; x != null; x = x.older()) {
            out[--n] = x.action();
        }
        return out;
    }

    /** Drops everything waiting (a machine reset): none of it runs. */
    void clear() {
        newest.set(null);
    }

    private static final Runnable[] NONE = new Runnable[0];
}
