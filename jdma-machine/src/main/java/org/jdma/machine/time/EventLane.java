package org.jdma.machine.time;

import java.util.Arrays;

/**
 * Events already in (time, sequence) order: a FIFO ring of parallel arrays that the
 * {@link EventKernel} keeps beside its heap. An event joins a lane only when it is not earlier than
 * the lane's last one, so the head is always the lane's earliest and nothing needs sifting. The
 * kernel gives one lane to events for the current time and one to each delay that is scheduled
 * often (an interrupt's delivery latency, a device's fetch delay): "now + the same delay" never
 * goes back in time, so such events arrive in order.
 */
final class EventLane {

    /** The delay this lane serves, ns ({@link EventKernel#schedule}); 0 for the current-time lane. */
    long delayNs;
    /** Events added since the lane took its delay. */
    private long added;
    private long[] times = new long[16];
    private long[] sequences = new long[16];
    private Runnable[] actions = new Runnable[16];
    private String[] labels = new String[16];
    private int head;
    private int count;

    EventLane(long delayNs) {
        this.delayNs = delayNs;
    }

    /** Gives the (empty) lane to {@code delay}. */
    void serve(long delay) {
        delayNs = delay;
        added = 0;
    }

    long added() {
        return added;
    }

    int size() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Whether an event at {@code timeNs} keeps the lane in order (it is not before the last one). */
    boolean accepts(long timeNs) {
        return count == 0 || times[(head + count - 1) & (times.length - 1)] <= timeNs;
    }

    /** Appends an event; the caller checked {@link #accepts}. */
    void add(long timeNs, long sequence, Runnable action, String label) {
        if (count == times.length) {
            grow();
        }
        int i = (head + count++) & (times.length - 1);
        added++;
        times[i] = timeNs;
        sequences[i] = sequence;
        actions[i] = action;
        labels[i] = label;
    }

    long headTime() {
        return times[head];
    }

    long headSequence() {
        return sequences[head];
    }

    Runnable headAction() {
        return actions[head];
    }

    String headLabel() {
        return labels[head];
    }

    /** Drops the head (after the caller read it). */
    void removeHead() {
        actions[head] = null;
        labels[head] = null;
        head = (head + 1) & (times.length - 1);
        count--;
    }

    /** Drops every event, unrun. */
    void clear() {
        Arrays.fill(actions, null);
        Arrays.fill(labels, null);
        head = 0;
        count = 0;
    }

    private void grow() {
        int n = times.length * 2;
        times = unwrap(times, n);
        sequences = unwrap(sequences, n);
        actions = unwrap(actions, n);
        labels = unwrap(labels, n);
        head = 0;
    }

    /** The ring's entries from its head, in a new array of length {@code n}. */
    private long[] unwrap(long[] ring, int n) {
        long[] out = new long[n];
        int first = ring.length - head;
        System.arraycopy(ring, head, out, 0, Math.min(first, count));
        System.arraycopy(ring, 0, out, first, Math.max(0, count - first));
        return out;
    }

    private <T> T[] unwrap(T[] ring, int n) {
        T[] out = Arrays.copyOf(ring, n);
        int first = ring.length - head;
        System.arraycopy(ring, head, out, 0, Math.min(first, count));
        System.arraycopy(ring, 0, out, first, Math.max(0, count - first));
        Arrays.fill(out, count, n, null);
        return out;
    }
}
