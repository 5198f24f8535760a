package org.jdma.machine.legacy;

/**
 * A legacy device's DREQ line to the DMA controller, for one channel. Asserting it asks for
 * transfers; what the controller does then depends on how software programmed the channel.
 */
public interface DmaRequestLine {

    /** Drives DREQ active. */
    void assertDreq();

    /** Drives DREQ inactive. */
    void dropDreq();

    /** Whether the device drives DREQ active. */
    boolean dreq();
}
