package org.jdma.machine;

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
}
