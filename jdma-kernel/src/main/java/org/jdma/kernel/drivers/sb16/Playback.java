package org.jdma.kernel.drivers.sb16;

/**
 * How to play: sample size, rate, the block (half the double buffer) in samples, the 8237A mode
 * the channel runs in, whether the DSP's FIFO is on, and how long the driver takes from the
 * interrupt to the refill (0: in the handler; more models a CPU busy elsewhere).
 *
 * @param sixteenBit    16-bit signed samples on the 16-bit channel; else 8-bit unsigned on the 8-bit one
 * @param rate          output rate, Hz (the DSP takes 5000-45000)
 * @param blockSamples  samples per half; the buffer holds two
 * @param demand        run the channel in demand mode (the card bursts while its FIFO has room); else single mode
 * @param fifo          the DSP's FIFO on (command bit 1)
 * @param refillDelayNs from the interrupt to the refill and its acknowledge, ns
 */
public record Playback(boolean sixteenBit, int rate, int blockSamples, boolean demand, boolean fifo, long refillDelayNs) {

    public Playback {
        if (rate <= 0 || blockSamples < 1 || blockSamples > 0x10000 || refillDelayNs < 0) {
            throw new IllegalArgumentException(String.format("playback: rate %d Hz, block %d samples (1..65536), refill delay %d ns",
                    rate, blockSamples, refillDelayNs));
        }
    }

    /** 16-bit at {@code rate}, blocks of {@code blockSamples}, single mode, FIFO on, refilled in the handler. */
    public static Playback sixteenBit(int rate, int blockSamples) {
        return new Playback(true, rate, blockSamples, false, true, 0);
    }

    /** 8-bit at {@code rate}, blocks of {@code blockSamples}, single mode, FIFO on, refilled in the handler. */
    public static Playback eightBit(int rate, int blockSamples) {
        return new Playback(false, rate, blockSamples, false, true, 0);
    }

    public Playback withDemand(boolean on) {
        return new Playback(sixteenBit, rate, blockSamples, on, fifo, refillDelayNs);
    }

    public Playback withRefillDelayNs(long ns) {
        return new Playback(sixteenBit, rate, blockSamples, demand, fifo, ns);
    }

    public int unitBytes() {
        return sixteenBit ? 2 : 1;
    }

    public int blockBytes() {
        return blockSamples * unitBytes();
    }

    /** A block's playing time, ns. */
    public long blockNs() {
        return Math.round(blockSamples * 1e9 / rate);
    }
}
