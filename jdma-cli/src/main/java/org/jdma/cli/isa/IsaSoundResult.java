package org.jdma.cli.isa;

/**
 * The sound card's run: what it played and how the double buffer went.
 *
 * @param rate        Hz
 * @param bits        8 or 16
 * @param played      the samples the DAC played (as a WAV file's data holds them)
 * @param interrupts  block interrupts
 * @param underruns   blocks that ended before the driver had acknowledged the previous one
 * @param starved     sample periods with an empty FIFO
 * @param grants      bus grants on the card's channel
 * @param matches     the played samples equal what the driver wrote, byte for byte
 */
public record IsaSoundResult(int rate, int bits, byte[] played, long interrupts, long underruns, long starved, long grants,
                             boolean matches) {
}
