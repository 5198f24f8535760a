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
}
