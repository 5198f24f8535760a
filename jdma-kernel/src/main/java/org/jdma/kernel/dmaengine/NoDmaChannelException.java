package org.jdma.kernel.dmaengine;

/**
 * No registered channel was free and offered what a client asked for. The message names the
 * capabilities asked for, every registered channel with what it offers and who holds it. A retry
 * can succeed once a holder releases a channel.
 */
public final class NoDmaChannelException extends RuntimeException {

    private final DmaCapabilities wanted;

    NoDmaChannelException(DmaCapabilities wanted, String message) {
        super(message);
        this.wanted = wanted;
    }

    /** What the client asked for. */
    public DmaCapabilities wanted() {
        return wanted;
    }
}
