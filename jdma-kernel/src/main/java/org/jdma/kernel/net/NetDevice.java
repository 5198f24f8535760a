package org.jdma.kernel.net;

/**
 * A network device as applications use it, ixy's {@code ixy_device}: batches in, batches out.
 *
 * <p>Receive either by polling ({@link #rxBatch}, ixy's {@code rx_batch}; the device raises no
 * receive interrupts) or, on a device started with interrupts, by giving a queue a
 * {@link PacketReceiver} ({@link #onReceive}) that the driver's NAPI poll calls. Send with
 * {@link #txBatch} (ixy's {@code tx_batch}): it takes what fits into the ring and leaves the rest
 * to the caller.
 *
 * <p>Thread use: one thread per queue (the CPU that owns it); not safe for concurrent use of one queue.
 */
public interface NetDevice {

    /** The device's name ("ixgbe0"). */
    String name();

    /** The station address, six bytes. */
    byte[] macAddress();

    /** Receive and transmit queues: queue pair {@code 0..queues()-1}. */
    int queues();

    boolean linkUp();

    /**
     * The carrier as the driver tracks it from link-change interrupts: up or down, speed, how
     * often it changed, and sends refused while it was down. The default, for a device whose
     * driver does not track it, reports {@link #linkUp()} with nothing counted.
     */
    default LinkStatus link() {
        return new LinkStatus(linkUp(), 0, 0, 0);
    }

    /**
     * Takes up to {@code max} received packets of queue {@code queue} into {@code buffers[0..)} and
     * gives the device a fresh buffer for each; returns how many. The caller owns them. A frame
     * the device wrote over several buffers is one entry: the first buffer of its chain.
     *
     * @throws IllegalArgumentException naming the queue or the count when they are out of range
     */
    int rxBatch(int queue, PacketBuffer[] buffers, int max);

    /**
     * Whether the last {@link #rxBatch} of queue {@code queue} took nothing because the device had
     * written nothing back, so that every rxBatch until it does takes nothing and changes nothing
     * (a poll loop may then account for its idle polls without making them). The default, false,
     * promises nothing.
     */
    default boolean rxFoundEmpty(int queue) {
        return false;
    }

    /**
     * Queues {@code buffers[0..count)} for sending on queue {@code queue}, each its
     * {@link PacketBuffer#size()} bytes, in order, as far as the ring has room; returns how many
     * it took. The device owns those until they are sent (then they go back to their pool); the
     * caller keeps the others. Each buffer is a frame: a chain ({@link PacketBuffer#next()}) is
     * sent as one frame of all its segments, or not at all. While the carrier is down
     * ({@link #link()}) it takes none.
     */
    int txBatch(int queue, PacketBuffer[] buffers, int count);

    /** A buffer to fill and send, from queue {@code queue}'s pool; null when the pool is exhausted. */
    PacketBuffer allocate(int queue);

    /**
     * Delivers queue {@code queue}'s received packets to {@code receiver} from the NAPI poll (null
     * stops the delivery; packets then wait in the ring).
     *
     * @throws IllegalStateException on a device started without interrupts
     */
    void onReceive(int queue, PacketReceiver receiver);

    /** Counters since the driver started. */
    NetStats stats();
}
