/**
 * Driver for the countdown timer ({@link org.jdma.kernel.drivers.timer.CountdownTimerDriver}):
 * the example legacy driver that {@code docs/ADDING-A-DEVICE.md} walks through. It binds by the
 * resources it declares (four I/O ports, one ISA IRQ line), checks that the hardware answers,
 * routes its line edge-triggered, and counts expiries.
 *
 * <p>Models: probe by port I/O, one-shot and periodic counts, the two-byte count access with
 * its latch, an interrupt handler that acknowledges the device. Does not model: timekeeping on
 * top of it (ticks to nanoseconds is the board's business), DMA (the timer moves no data).
 *
 * <p>Invariant: the handler acknowledges every expiry before it returns, so STATUS.EXPIRED is
 * clear when the next one comes; the driver writes the count only as whole low/high byte pairs.
 */
package org.jdma.kernel.drivers.timer;
