package org.jdma.kernel.engine;

/** A DMA request the engine could not carry out. {@link Reason#retryable()} says whether a retry can succeed. */
public final class DmaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** Every usable slot holds a descriptor; drain completions, then retry. */
        RING_FULL(true),
        /** No device address could be made for the buffer (IOMMU out of IOVA space or mapping slots). */
        MAPPING_FAILED(true),
        /** The buffer's device address does not have the alignment the caller asked for. */
        MISALIGNED(false);

        private final boolean retryable;

        Reason(boolean retryable) {
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }
    }

    private final Reason reason;

    public DmaException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
