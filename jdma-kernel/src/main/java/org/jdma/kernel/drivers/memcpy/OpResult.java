package org.jdma.kernel.drivers.memcpy;

import java.util.Optional;
import org.jdma.spec.memcpy.CompletionStatus;

/**
 * What a synchronous copy-engine operation came to. A device-reported error is a result, never an
 * exception: either the descriptor completed with an error status ({@link Completed}), or the
 * engine halted ({@link Halted}, with its ERROR register), or nothing happened in time
 * ({@link TimedOut}).
 */
public sealed interface OpResult {

    /** The descriptor completed; its completion record says how. */
    record Completed(CompletedDescriptor completion) implements OpResult { }

    /** The engine halted before the descriptor completed; reset it to go on. */
    record Halted(EngineStatus engine) implements OpResult { }

    /** The descriptor had not completed after {@code waitedNs} of virtual time. */
    record TimedOut(long waitedNs, EngineStatus engine) implements OpResult { }

    default boolean isSuccess() {
        return this instanceof Completed c && c.completion().isSuccess();
    }

    /** The completion status, when the descriptor completed. */
    default Optional<CompletionStatus> status() {
        return this instanceof Completed c ? Optional.ofNullable(c.completion().status()) : Optional.empty();
    }

    /** The completion, when the descriptor completed. */
    default Optional<CompletedDescriptor> completed() {
        return this instanceof Completed c ? Optional.of(c.completion()) : Optional.empty();
    }
}
