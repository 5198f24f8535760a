package org.jdma.kernel.dma.debug;

/**
 * Receives every report of a {@link DmaDebug} checker. Called synchronously on the thread that
 * made the faulty call or memory access (a device thread for a sanitizer finding about a device
 * access), with the checker's lock held: a listener must not call back into the checker or the
 * DMA API, and should only record or print.
 */
@FunctionalInterface
public interface DmaDebugListener {
    void report(DmaDebugReport report);
}
