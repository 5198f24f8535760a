package org.jdma.kernel.block;

/**
 * A device of fixed-size logical blocks with one or more hardware queues (Linux {@code blk-mq}):
 * submit a request on a queue and it completes once, through its callback, from the queue's
 * interrupt handler (on the queue's CPU) or, for a device without interrupts, from {@link #poll}.
 */
public interface BlockDevice {

    String name();

    /** Bytes per logical block. */
    int blockSize();

    /** Logical blocks the device holds. */
    long blocks();

    /** Hardware queues (requests on different queues do not contend). */
    int queues();

    /** The CPU a queue's completions run on. */
    int queueCpu(int queue);

    /** The longest request in blocks. */
    int maxBlocks();

    /**
     * Submits {@code request} on hardware queue {@code queue}. A request the device cannot take now
     * (its queue is full) is refused with {@code false} and may be submitted again later; a
     * malformed one (range, data length) completes at once with {@link BlockStatus#INVALID}.
     */
    boolean submit(int queue, BlockRequest request);

    /** Reaps queue {@code queue}'s completions now (completion callbacks run in the caller); returns how many. */
    int poll(int queue);

    /** Requests submitted and not yet completed on {@code queue}. */
    int outstanding(int queue);
}
