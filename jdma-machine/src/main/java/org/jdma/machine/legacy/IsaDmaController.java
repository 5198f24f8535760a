package org.jdma.machine.legacy;

/**
 * The DMA controllers behind the legacy bus (the PC/AT's two 8237As): a device with a DMA channel
 * connects to them and gets its DREQ line.
 */
public interface IsaDmaController {

    /**
     * Connects {@code device} to {@code channel}.
     *
     * @throws IllegalStateException when a device is connected to the channel already
     */
    DmaRequestLine connect(int channel, DmaHandshake device);

    /** The bus's RESET: the controllers return to their master-clear state. */
    void reset();
}
