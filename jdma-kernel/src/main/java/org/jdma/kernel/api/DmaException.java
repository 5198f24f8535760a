package org.jdma.kernel.api;

import java.util.Objects;

/**
 * A DMA allocation or mapping that failed, carrying the reason as a {@link DmaError} value. Checked:
 * running out of DMA memory or mapping space is an ordinary outcome a driver must handle (seed 004
 * returns {@code Result<_, DmaError>}). Whether a retry can succeed: {@link DmaError#retryable()}.
 */
public final class DmaException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient DmaError error;

    public DmaException(DmaError error) {
        super(Objects.requireNonNull(error, "error").message());
        this.error = error;
    }

    public DmaError error() {
        return error;
    }
}
