package org.jdma.kernel.dma;

import java.util.Objects;

/**
 * A DMA request that failed, carrying the reason as a {@link DmaError} value: the kernel's one DMA
 * exception, from the DMA API's handle methods, the descriptor rings and the compatibility APIs
 * alike. Unchecked: a driver that can wait and retry tests {@link #retryable()}, and everything
 * else is a bug or an outcome it reports upward. Programming errors (a bad index, a closed handle,
 * direction NONE) are {@link IllegalArgumentException}s and {@link IllegalStateException}s, as in
 * the JDK.
 */
public final class DmaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient DmaError error;

    public DmaException(DmaError error) {
        super(Objects.requireNonNull(error, "error").message());
        this.error = error;
    }

    public DmaError error() {
        return error;
    }

    /** Whether the same request can succeed later. */
    public boolean retryable() {
        return error.retryable();
    }
}
