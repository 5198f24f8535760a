package org.jdma.machine.dev.nvme;

/**
 * One submission queue as the controller sees it: its base (physically contiguous), its size in
 * entries, the completion queue it posts to, the tail the host last wrote and the head up to
 * which the controller has fetched. Empty when head == tail.
 */
final class SubmissionQueue {

    final int id;
    final long base;
    final int size;
    final CompletionQueue cq;
    int head;
    int tail;
    /** A fetch is scheduled (the doorbell need not schedule another). */
    boolean fetching;
    /** The queue's fetch event (made at its first doorbell) and the controller generation it was scheduled in. */
    Runnable fetchEvent;
    long fetchGeneration;

    SubmissionQueue(int id, long base, int size, CompletionQueue cq) {
        this.id = id;
        this.base = base;
        this.size = size;
        this.cq = cq;
    }

    boolean empty() {
        return head == tail;
    }

    long entryAddress(int index) {
        return base + (long) index * org.jdma.spec.nvme.SubmissionEntryLayout.SIZE;
    }
}
