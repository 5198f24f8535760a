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
 * ({@code DriverContext.raiseTimedSoftirq}): they do not nest on a CPU, and each keeps its CPU for
 * the CPU time its receiver charges for it before it polls again or re-arms.
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
    /** Packets the last poll took. */
    private int lastTaken;

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
        raise();
    }

    /**
     * A poll as deferred work on the queue's CPU: the receiver says what CPU time the poll took
     * ({@link PacketReceiver#pollEnded}); the CPU stays in the poll that long, then the poll ends
     * ({@link #afterPoll}).
     */
    private void raise() {
        driver.context().raiseTimedSoftirq(cpu, label, this::poll, this::afterPoll);
    }

    /** One poll; returns its CPU time, ns, as the receiver charges it (0 without a receiver). */
    private long poll() {
        lastTaken = 0;
        if (stopped) {
            return 0;
        }
        polls++;
        PacketReceiver r = receiver;
        if (r != null) {
            r.pollStarted(queue);
        }
        int cleaned = driver.tx(queue).clean(true);
        txCleaned += cleaned;
        if (r == null) {
            return 0;
        }
        int n = driver.rx(queue).receive(batch, batch.length);
        packets += n;
        largest = Math.max(largest, n);
        if (n > 0) {
            r.receive(queue, batch, n);
        }
        lastTaken = n;
        if (n == batch.length) {
            fullPolls++;
        }
        return r.pollEnded(queue, n, batch.length, cleaned);
    }

    /** The poll's CPU time is over: poll again when it took the whole budget, else re-arm the vector. */
    private void afterPoll() {
        if (stopped) {
            return;
        }
        if (lastTaken == batch.length) {
            raise();
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
