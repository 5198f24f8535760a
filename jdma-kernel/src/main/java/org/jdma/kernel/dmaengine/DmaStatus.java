package org.jdma.kernel.dmaengine;

/** Where a transaction stands (Linux {@code enum dma_status}, without PAUSED: no channel here pauses). */
public enum DmaStatus {
    /** Done, as asked. */
    COMPLETE,
    /** Submitted or issued, not done yet. */
    IN_PROGRESS,
    /** Done, and the device reported an error (the result says which). */
    ERROR
}
