package org.jdma.kernel.drivers.memcpy;

import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import org.jdma.platform.Clock;

/**
 * The copy engine driver's completion side: the synchronous wait for one descriptor (by completion
 * interrupt or by polling its record), and the asynchronous drain, which share the ring's
 * consumer end. Completions drained while a synchronous operation waited for its own are kept in a
 * backlog, oldest first, for {@link #drain}.
 *
 * <p>Runs on the thread that drives the machine's clock; interrupt handlers (which only count)
 * run there too.
 */
final class CompletionWaiter {

    private final CopyRing ring;
    private final Clock clock;
    private final CopyEngineDriver.CompletionMode mode;
    private final long timeoutNs;
    private final EngineState engine;
    private final ArrayDeque<CompletedDescriptor> backlog = new ArrayDeque<>();
    private final CompletedDescriptor[] drainBuffer;
    private final PolledWait polledWait = new PolledWait();
    private final InterruptWait interruptWait = new InterruptWait();
    /** A synchronous wait is running: one started inside it (from an event it ran) gets wait objects of its own. */
    private boolean waiting;
    private volatile long completionInterrupts;
    private volatile long errorInterrupts;

    CompletionWaiter(CopyRing ring, Clock clock, CopyEngineDriver.Options options, EngineState engine) {
        this.ring = ring;
        this.engine = engine;
        this.clock = clock;
        this.mode = options.mode();
        this.timeoutNs = options.timeoutNs();
        this.drainBuffer = new CompletedDescriptor[ring.capacity()];
    }

    /** The completion vector's handler. */
    void completionInterrupt() {
        completionInterrupts++;
    }

    /** The error vector's handler. */
    void errorInterrupt() {
        errorInterrupts++;
    }

    long completionInterrupts() {
        return completionInterrupts;
    }

    long errorInterrupts() {
        return errorInterrupts;
    }

    /**
     * Submits one descriptor (with INTERRUPT set or cleared to match the mode) and waits for it:
     * its completion, a halted engine, or the timeout. Waiting for a free slot, when the ring is
     * full of asynchronous work, polls the oldest descriptor.
     */
    OpResult submitAndWait(Descriptor descriptor) {
        return submitAndWait(descriptor, true);
    }

    /** As {@link #submitAndWait(Descriptor)}; {@code check} false only for fault injection ({@link CopyRing#submitUnchecked}). */
    OpResult submitAndWait(Descriptor descriptor, boolean check) {
        Descriptor d = mode == CopyEngineDriver.CompletionMode.INTERRUPT
                ? descriptor.withFlags(descriptor.flags() | Descriptor.INTERRUPT)
                : descriptor.withFlags(descriptor.flags() & ~Descriptor.INTERRUPT);
        while (ring.isFull()) {
            if (reap() == 0) {
                long oldest = ring.drainedCount();
                if (!clock.runUntil(() -> ring.isComplete(oldest), timeoutNs)) {
                    EngineStatus s = engine.status();
                    return s.halted() ? new OpResult.Halted(s) : new OpResult.TimedOut(timeoutNs, s);
                }
            }
        }
        long sequence = ring.submittedCount();
        long irqsBefore = completionInterrupts;
        long errorsBefore = errorInterrupts;
        if (!(check ? ring.submit(d) : ring.submitUnchecked(d))) {
            throw new IllegalStateException("ring had a free slot but refused the descriptor");
        }
        long deadline = Math.addExact(clock.now(), timeoutNs);
        boolean nested = waiting;
        PolledWait polled = nested ? new PolledWait() : polledWait;
        InterruptWait interrupted = nested ? new InterruptWait() : interruptWait;
        waiting = true;
        try {
            return waitFor(sequence, deadline, polled, interrupted, irqsBefore, errorsBefore);
        } finally {
            waiting = nested;
        }
    }

    /** Runs the machine until descriptor {@code sequence} completed, the engine halted, or {@code deadline}. */
    private OpResult waitFor(long sequence, long deadline, PolledWait polled, InterruptWait interrupted, long irqsBefore,
                             long errorsBefore) {
        while (true) {
            BooleanSupplier done = switch (mode) {
                case POLLED -> polled.waitFor(sequence);
                case INTERRUPT -> interrupted.waitFor(sequence, irqsBefore, errorsBefore);
            };
            clock.runUntil(done, Math.max(0, deadline - clock.now()));
            if (ring.isComplete(sequence)) {
                return new OpResult.Completed(reapThrough(sequence));
            }
            EngineStatus s = engine.status();
            if (s.halted()) {
                return new OpResult.Halted(s);
            }
            if (clock.now() >= deadline) {
                return new OpResult.TimedOut(timeoutNs, s);
            }
            // Woken by an error interrupt for an error that did not halt the engine: wait on.
            irqsBefore = completionInterrupts;
            errorsBefore = errorInterrupts;
            if (ring.isComplete(sequence)) {
                return new OpResult.Completed(reapThrough(sequence));
            }
        }
    }

    /** What the waiter asks of the engine when a descriptor does not complete. */
    @FunctionalInterface
    interface EngineState {
        EngineStatus status();
    }

    /** Wakes the waiter when the record of its descriptor says it completed. Reused by every wait but a nested one. */
    private final class PolledWait implements BooleanSupplier {
        private long sequence;

        PolledWait waitFor(long sequence) {
            this.sequence = sequence;
            return this;
        }

        @Override
        public boolean getAsBoolean() {
            return ring.isComplete(sequence);
        }
    }

    /** Wakes the waiter only when an interrupt arrived: then (and only then) looks at the record. Reused likewise. */
    private final class InterruptWait implements BooleanSupplier {
        private long sequence;
        private long errorsBefore;
        private long seen;

        InterruptWait waitFor(long sequence, long irqsBefore, long errorsBefore) {
            this.sequence = sequence;
            this.seen = irqsBefore;
            this.errorsBefore = errorsBefore;
            return this;
        }

        @Override
        public boolean getAsBoolean() {
            if (errorInterrupts != errorsBefore) {
                return true;
            }
            long now = completionInterrupts;
            if (now == seen) {
                return false;
            }
            seen = now;
            return ring.isComplete(sequence);
        }
    }

    /**
     * Completed descriptors, oldest first, into {@code out} from index 0: the backlog first, then
     * the ring. Does not let the machine run.
     */
    int drain(CompletedDescriptor[] out) {
        int n = 0;
        while (n < out.length && !backlog.isEmpty()) {
            out[n++] = backlog.poll();
        }
        while (n < out.length) {
            int got = ring.drain(drainBuffer);
            if (got == 0) {
                break;
            }
            for (int i = 0; i < got; i++) {
                if (n < out.length) {
                    out[n++] = drainBuffer[i];
                } else {
                    backlog.add(drainBuffer[i]);
                }
            }
        }
        return n;
    }

    /** Drains everything completed into the backlog; returns how many. */
    int reap() {
        int total = 0;
        int got;
        while ((got = ring.drain(drainBuffer)) > 0) {
            // One by one: addAll of a subList view allocates the view and copies it to an array first.
            for (int i = 0; i < got; i++) {
                backlog.add(drainBuffer[i]);
            }
            total += got;
        }
        return total;
    }

    /** Drains up to and including {@code sequence} (which has completed) and returns that one. */
    private CompletedDescriptor reapThrough(long sequence) {
        CompletedDescriptor mine = null;
        while (ring.drainedCount() <= sequence) {
            int got = ring.drain(drainBuffer);
            if (got == 0) {
                throw new IllegalStateException("descriptor " + sequence + " completed but could not be drained");
            }
            // Those before it go to the backlog for drain(); it goes to the caller without a stop there.
            for (int i = 0; i < got; i++) {
                CompletedDescriptor c = drainBuffer[i];
                if (c.sequence() == sequence) {
                    mine = c;
                } else {
                    backlog.add(c);
                }
            }
        }
        if (mine != null) {
            return mine;
        }
        for (var it = backlog.descendingIterator(); it.hasNext(); ) {
            CompletedDescriptor c = it.next();
            if (c.sequence() == sequence) {
                it.remove();
                return c;
            }
        }
        throw new IllegalStateException("descriptor " + sequence + " was drained by someone else");
    }
}
