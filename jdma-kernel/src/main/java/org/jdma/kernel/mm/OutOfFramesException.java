package org.jdma.kernel.mm;

/** No free block of the requested order in the allowed zones. A retry can succeed after frees. */
public final class OutOfFramesException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OutOfFramesException(String message) {
        super(message);
    }
}
