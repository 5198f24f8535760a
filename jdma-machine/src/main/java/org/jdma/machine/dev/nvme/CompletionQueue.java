package org.jdma.machine.dev.nvme;

import java.util.ArrayDeque;

/**
 * One completion queue as the controller sees it: base, size, interrupt vector (if enabled), the
 * tail it writes next with the phase it writes there (starting at 1, inverted at each wrap), and
 * the head the host last wrote. Full when (tail + 1) mod size == head: a completion that finds it
 * full waits in {@link #waiting} until the head doorbell frees a slot (never overwritten, never
 * lost). Coalescing state counts completions posted since the last interrupt.
 */
final class CompletionQueue {

    /** A completion waiting for a slot. */
    record Entry(int dw0, int sqid, int cid, int status, boolean dnr) { }

    final int id;
    final long base;
    final int size;
    final int vector;
    final boolean interrupts;
    int tail;
    int head;
    int phase = 1;
    /** Submission queues posting here (a CQ with any cannot be deleted). */
    int users;
    final ArrayDeque<Entry> waiting = new ArrayDeque<>();
    /** Completions posted since the last interrupt, and whether a coalescing timer is armed. */
    int unsignalled;
    boolean timerArmed;

    CompletionQueue(int id, long base, int size, int vector, boolean interrupts) {
        this.id = id;
        this.base = base;
        this.size = size;
        this.vector = vector;
        this.interrupts = interrupts;
    }

    boolean full() {
        return (tail + 1) % size == head;
    }

    long entryAddress(int index) {
        return base + (long) index * org.jdma.spec.nvme.CompletionEntryLayout.SIZE;
    }

    /** Moves the tail one slot, inverting the phase when it wraps. */
    void advance() {
        tail++;
        if (tail == size) {
            tail = 0;
            phase ^= 1;
        }
    }
}
