package org.jdma.kernel.driver;

/**
 * A driver bound to one device: what {@link Driver#probe} returns, and the rest of the life cycle.
 *
 * <p>{@link #remove()} is Linux's {@code remove}: quiesce the device (stop its DMA, turn off its
 * interrupts at the device) and free what the driver allocated itself. The kernel then releases
 * what the {@link DriverContext} handed out: interrupt vectors and routed lines, and the device's
 * DMA attachment, where the checker (when the kernel runs one) reports every mapping the driver
 * left live. After remove the instance is not used again.
 *
 * <p>{@link #reset()} brings a device back from an error without unbinding it (Linux's
 * {@code reset_prepare}/{@code reset_done} pair around a function reset, or a driver's own
 * recovery path): reset the hardware, program it again, and keep serving.
 */
public interface DriverInstance {

    /** Quiesces the device and frees what the driver allocated. Called once, by the kernel. */
    void remove();

    /** Resets the device and brings it back into service. */
    void reset();
}
