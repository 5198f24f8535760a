package org.jdma.kernel.drivers.ixgbe;

import org.jdma.kernel.net.PacketBuffer;
import org.jdma.kernel.net.PacketReceiver;

/**
 * NAPI for one queue pair (Linux {@code napi_schedule} / {@code napi_complete_done}): the queue's
 * MSI-X vector masks itself when it fires (auto-mask), its handler only schedules a poll; the poll
 * runs on the queue's CPU, reclaims sent descriptors, takes up to a budget of received packets and
 * hands them to the receiver. A poll that took its whole budget runs again (more may be waiting);
 * one that took less re-enables the vector (EIMS) and ends, so under load the queue is polled
 * without interrupts and when idle it costs nothing. Polls are softirqs
 * ({@code DriverContext.raiseSoftirq}): they do not nest on a CPU.
 */
final class Napi {

    private final IxgbeDriver driver;
    private final int queue;
    private final int cpu;
    private final String label;
    private final PacketBuffer[] batch;
    private PacketReceiver receiver;
    private boolean scheduled;
    private boolean stopped;
    private long interrupts, polls, packets, fullPolls, rearms, txCleaned;
    private int largest;

    Napi(IxgbeDriver driver, int queue, int cpu) {
        this.driver = driver;
        this.queue = queue;
        this.cpu = cpu;
        this.label = driver.name() + " napi " + queue;
        this.batch = new PacketBuffer[driver.options().napiBudget()];
    }

    void receiver(PacketReceiver r) {
        this.receiver = r;
    }

    /** From the queue vector's interrupt handler: counts it and schedules a poll. */
    void interrupt() {
        interrupts++;
        schedule();
    }

    /** Runs a poll soon on the queue's CPU, once (a new receiver, an interrupt). */
    void schedule() {
        if (scheduled || stopped) {
            return;
        }
        scheduled = true;
        driver.context().raiseSoftirq(cpu, label, this::poll);
    }

    private void poll() {
        if (!stopped) {
            pollOnce();
        }
    }

    private void pollOnce() {
        polls++;
        PacketReceiver r = receiver;
        if (r != null) {
            r.pollStarted(queue);
        }
        int cleaned = driver.tx(queue).clean(driver.context().cpu(), true);
        txCleaned += cleaned;
        int n = 0;
        if (r != null) {
            n = driver.rx(queue).receive(driver.context().cpu(), batch, batch.length);
            packets += n;
            largest = Math.max(largest, n);
            if (n > 0) {
                r.receive(queue, batch, n);
            }
            r.pollEnded(queue, n, batch.length, cleaned);
        }
        if (n == batch.length) {
            fullPolls++;
            driver.context().raiseSoftirq(cpu, label, this::poll);
            return;
        }
        scheduled = false;
        rearms++;
        driver.rearm(queue);
    }

    /** No poll runs after this (the driver is being removed or reset). */
    void stop() {
        stopped = true;
    }

    /** After a reset: polls run again, and one now for what may be waiting. */
    void resume() {
        stopped = false;
        scheduled = false;
        if (receiver != null) {
            schedule();
        }
    }

    NapiStats stats() {
        return new NapiStats(interrupts, polls, packets, fullPolls, rearms, largest, txCleaned);
    }
}
