package org.jdma.platform;

import java.util.function.BooleanSupplier;

/**
 * Time as the OS running on the machine experiences it. The kernel code runs "on the CPU"; when it
 * waits (for a completion, for a timeout) it lets the machine run, which is what these calls do.
 */
public interface Clock {
    /** Virtual time in nanoseconds. */
    long now();

    /** Lets the machine run until {@code condition} holds or nothing is left to happen. */
    boolean runUntil(BooleanSupplier condition);

    /** Like {@link #runUntil(BooleanSupplier)} but gives up after {@code timeoutNs} of virtual time. */
    boolean runUntil(BooleanSupplier condition, long timeoutNs);

    /** Lets {@code deltaNs} of virtual time pass. */
    void runFor(long deltaNs);

    /** Runs until no event is pending. */
    void runUntilIdle();

    /**
     * Arms a one-shot timer: {@code action} runs on the machine's event thread {@code delayNs}
     * from now, while the machine runs (a timer interrupt's handler, as an OS timer would run).
     * The default has no timers and throws {@link UnsupportedOperationException}; callers that can
     * do without fall back to checking deadlines themselves.
     */
    default void schedule(long delayNs, String label, Runnable action) {
        throw new UnsupportedOperationException("this clock has no timers");
    }

    /**
     * The time before which nothing can change the machine but the code running now (the next
     * event, or the end of the run in progress): work that would only repeat a step that changed
     * nothing may account for its repetitions before this time instead of running each. The
     * default, {@link Long#MIN_VALUE}, promises nothing.
     */
    default long quietUntil() {
        return Long.MIN_VALUE;
    }
}
