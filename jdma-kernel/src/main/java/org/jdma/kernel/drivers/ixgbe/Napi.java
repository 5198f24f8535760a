package org.jdma.kernel.drivers.ixgbe;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.jdma.kernel.net.PacketBuffer;
import org.jdma.kernel.net.PacketReceiver;

/**
 * NAPI for one queue pair (Linux {@code napi_schedule} / {@code napi_complete_done}): the queue's
 * MSI-X vector masks itself when it fires (auto-mask), its handler only schedules a poll; the poll
 * runs on the queue's CPU, reclaims sent descriptors, takes up to a budget of received packets and
 * hands them to the receiver. A poll that took its whole budget runs again (more may be waiting);
 * one that took less re-enables the vector (EIMS) and ends, so under load the queue is polled
 * without interrupts and when idle it costs nothing.
 */
final class Napi {

    /** How long a poll waits when its CPU is inside another poll already, ns. */
    static final long SOFTIRQ_RETRY_NS = 1_000;

    /**
     * CPUs inside a poll, per machine (keyed by its clock): polls do not nest on a CPU, as softirqs
     * do not. A poll that waits (a strict IOMMU's invalidation) lets the machine run events, and
     * another queue's poll on the same CPU must not run inside it.
     * TODO: this belongs to a kernel softirq service shared by every driver; until then it only
     * keeps 82599 polls apart.
     */
    private static final Map<Object, boolean[]> IN_POLL = Collections.synchronizedMap(new WeakHashMap<>());

    private final IxgbeDriver driver;
    private final int queue;
    private final int cpu;
    private final String label;
    private final PacketBuffer[] batch;
    private PacketReceiver receiver;
    private boolean scheduled;
    private boolean stopped;
    private long interrupts, polls, packets, fullPolls, rearms;
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

    /** From the interrupt handler (or a new receiver): run a poll soon on the queue's CPU, once. */
    void schedule() {
        interrupts++;
        if (scheduled || stopped) {
            return;
        }
        scheduled = true;
        driver.context().clock().schedule(0, label, () -> driver.context().runOn(cpu, this::poll));
    }

    private void poll() {
        if (stopped) {
            return;
        }
        boolean[] busy = IN_POLL.computeIfAbsent(driver.context().clock(), k -> new boolean[driver.context().cpus()]);
        if (busy[cpu]) {
            driver.context().clock().schedule(SOFTIRQ_RETRY_NS, label, () -> driver.context().runOn(cpu, this::poll));
            return;
        }
        busy[cpu] = true;
        try {
            pollOnce();
        } finally {
            busy[cpu] = false;
        }
    }

    private void pollOnce() {
        polls++;
        driver.tx(queue).clean(driver.context().cpu(), true);
        int n = 0;
        PacketReceiver r = receiver;
        if (r != null) {
            n = driver.rx(queue).receive(driver.context().cpu(), batch, batch.length);
            packets += n;
            largest = Math.max(largest, n);
            if (n > 0) {
                r.receive(queue, batch, n);
            }
        }
        if (n == batch.length) {
            fullPolls++;
            driver.context().clock().schedule(0, label, () -> driver.context().runOn(cpu, this::poll));
            return;
        }
        scheduled = false;
        rearms++;
        driver.rearm(queue);
    }

    /** No poll runs after this (the driver is being removed). */
    void stop() {
        stopped = true;
    }

    NapiStats stats() {
        return new NapiStats(interrupts, polls, packets, fullPolls, rearms, largest);
    }
}
