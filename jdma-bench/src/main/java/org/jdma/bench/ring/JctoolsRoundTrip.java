package org.jdma.bench.ring;

import org.jctools.queues.varhandle.SpscVarHandleArrayQueue;

/**
 * Two JCTools SPSC queues (the VarHandle variant of {@code SpscArrayQueue}, no Unsafe): requests
 * go to the consumer thread on one, completions come back on the other. Both hold
 * {@link #CAPACITY} elements; the producer cycles through {@link #CAPACITY} preallocated requests.
 */
public final class JctoolsRoundTrip implements RoundTrip {

    private final SpscVarHandleArrayQueue<Request> requests = new SpscVarHandleArrayQueue<>(CAPACITY);
    private final SpscVarHandleArrayQueue<Request> completions = new SpscVarHandleArrayQueue<>(CAPACITY);
    private final Request[] pool = new Request[CAPACITY];
    private final ConsumerThread consumer;
    private long next;

    public JctoolsRoundTrip() {
        for (int i = 0; i < CAPACITY; i++) {
            pool[i] = new Request();
        }
        consumer = new ConsumerThread("jctools-consumer", this::consumeOne);
        consumer.start();
    }

    /** Consumer side: one request through, or false when there was none. */
    private boolean consumeOne() {
        Request r = requests.poll();
        if (r == null) {
            return false;
        }
        r.execute();
        while (!completions.offer(r)) {
            Thread.onSpinWait();
        }
        return true;
    }

    @Override
    public int roundTrip(int batch) {
        for (int i = 0; i < batch; i++) {
            Request r = pool[(int) (next++ & (CAPACITY - 1))];
            r.fill(Request.OPCODE_NOOP, 0, 0, 0, 0, 0);
            while (!requests.offer(r)) {
                Thread.onSpinWait();
            }
        }
        int statusSum = 0;
        for (int drained = 0; drained < batch; ) {
            Request r = completions.poll();
            if (r == null) {
                Thread.onSpinWait();
                continue;
            }
            statusSum += r.status;
            drained++;
        }
        return statusSum;
    }

    @Override
    public void close() {
        consumer.stopAndJoin();
    }
}
