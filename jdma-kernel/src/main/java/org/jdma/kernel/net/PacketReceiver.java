package org.jdma.kernel.net;

/**
 * What a device's NAPI poll hands received packets to (Linux: the stack's {@code napi_gro_receive};
 * here the application). Runs on the CPU of the queue's interrupt.
 */
@FunctionalInterface
public interface PacketReceiver {

    /**
     * {@code count} packets received on {@code queue}, in arrival order, in {@code buffers[0..count)}.
     * The receiver owns them: it frees each ({@link PacketBuffer#free()}) or sends it
     * ({@link NetDevice#txBatch}); the array is the driver's and is reused after the call.
     */
    void receive(int queue, PacketBuffer[] buffers, int count);

    /** A poll of {@code queue} begins on the current CPU (before it reclaims sent descriptors and receives); by default nothing. */
    default void pollStarted(int queue) { }

    /**
     * The poll of {@code queue} that began with {@link #pollStarted} ends: it took {@code taken} packets
     * of its {@code budget} (all of it: it polls again; fewer: the vector is re-armed) and reclaimed
     * {@code txCleaned} transmit descriptors. Returns the CPU time the poll took, ns, beyond the
     * machine time that passed inside it (a cost model's charge): the CPU stays in the poll that
     * long before it polls again or re-arms. By default 0: the machine's time only.
     */
    default long pollEnded(int queue, int taken, int budget, int txCleaned) {
        return 0;
    }
}
