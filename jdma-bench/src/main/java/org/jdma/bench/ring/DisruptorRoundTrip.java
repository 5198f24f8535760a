package org.jdma.bench.ring;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;

/**
 * An LMAX Disruptor 4 ring of {@link #CAPACITY} preallocated requests with a single producer and
 * one {@link BatchEventProcessor} on the consumer thread (busy-spin wait strategy). The completion
 * path is the Disruptor's own: the processor's sequence, which the producer reads back (the same
 * sequence gates the producer from overwriting unfinished slots). A batch is claimed with
 * {@code next(n)} and published with one {@code publish(lo, hi)}.
 */
public final class DisruptorRoundTrip implements RoundTrip {

    private final RingBuffer<Request> ring;
    private final BatchEventProcessor<Request> processor;
    private final Sequence completed;
    private final Thread consumer;

    public DisruptorRoundTrip() {
        ring = RingBuffer.createSingleProducer(Request::new, CAPACITY, new BusySpinWaitStrategy());
        processor = new BatchEventProcessorBuilder().build(ring, ring.newBarrier(),
                (Request r, long sequence, boolean endOfBatch) -> r.execute());
        completed = processor.getSequence();
        ring.addGatingSequences(completed);
        consumer = new Thread(processor, "disruptor-consumer");
        consumer.setDaemon(true);
        consumer.start();
    }

    @Override
    public int roundTrip(int batch) {
        long hi = ring.next(batch);
        long lo = hi - batch + 1;
        for (long s = lo; s <= hi; s++) {
            ring.get(s).fill(Request.OPCODE_NOOP, 0, 0, 0, 0, 0);
        }
        ring.publish(lo, hi);
        while (completed.get() < hi) {
            Thread.onSpinWait();
        }
        int statusSum = 0;
        for (long s = lo; s <= hi; s++) {
            statusSum += ring.get(s).status;
        }
        return statusSum;
    }

    @Override
    public void close() {
        processor.halt();
        try {
            consumer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining the Disruptor consumer", e);
        }
    }
}
