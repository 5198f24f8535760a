package org.jdma.machine.dev.sb16;

/**
 * Timing and size parameters of the Sound Blaster 16-like DAC.
 *
 * @param resetNs     from the end of a reset (RESET written 0) to {@code 0xAA} at READ_DATA, ns
 *                    (the guide allows up to 100 us)
 * @param fifoBytes   the DSP's output FIFO with FIFO on (command bit 1), bytes; with FIFO off it
 *                    holds one sample frame
 * @param defaultRate the output rate before a 0x41 command, Hz
 */
public record Sb16Config(long resetNs, int fifoBytes, int defaultRate) {

    /** 20 us to answer a reset, a 64-byte FIFO, 11 025 Hz until told otherwise. */
    public static final Sb16Config DEFAULT = new Sb16Config(20_000, 64, 11_025);

    public Sb16Config {
        if (resetNs < 0 || fifoBytes < 4 || defaultRate <= 0) {
            throw new IllegalArgumentException(String.format("SB16: reset %d ns (not negative), FIFO %d bytes (at least 4), "
                    + "default rate %d Hz (positive)", resetNs, fifoBytes, defaultRate));
        }
    }
}
