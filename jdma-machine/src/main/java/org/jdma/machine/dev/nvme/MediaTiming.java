package org.jdma.machine.dev.nvme;

/**
 * The modeled flash behind the controller: {@code channels} independent units, each doing one
 * command at a time. A read or write of {@code n} logical blocks occupies the first free channel
 * for {@code commandNs + n * (read|write)NsPerBlock}; commands wait for a channel in arrival
 * order. So one command at a time sees the bare latency, and throughput grows with queue depth
 * until every channel is busy, after which only the wait (latency) grows.
 *
 * @param channels          units working in parallel, at least 1
 * @param commandNs         fixed cost of every media command (the controller's firmware), ns
 * @param readNsPerBlock    media time per logical block read, ns
 * @param writeNsPerBlock   media time per logical block written, ns
 * @param flushNs           time a Flush takes once every earlier write is on the media, ns
 * @param spread            each media command takes up to this fraction longer, drawn from the
 *                          machine's seeded random source (0 = always the same time), 0..1
 */
public record MediaTiming(int channels, long commandNs, long readNsPerBlock, long writeNsPerBlock, long flushNs,
                          double spread) {

    /**
     * 8 channels; 2 us per command; 512-byte blocks: 12 us per 4 KiB read, 22 us per 4 KiB
     * written; flush 50 us; up to 25 % longer at random.
     */
    public static final MediaTiming DEFAULT = new MediaTiming(8, 2_000, 1_250, 2_500, 50_000, 0.25);

    public MediaTiming {
        if (channels < 1 || channels > 1024) {
            throw new IllegalArgumentException("channels must be 1..1024, was " + channels);
        }
        if (commandNs < 0 || readNsPerBlock < 0 || writeNsPerBlock < 0 || flushNs < 0) {
            throw new IllegalArgumentException(String.format(
                    "media times must be >= 0 ns: command %d, read %d, write %d, flush %d",
                    commandNs, readNsPerBlock, writeNsPerBlock, flushNs));
        }
        if (!(spread >= 0 && spread <= 1)) {
            throw new IllegalArgumentException("spread must be 0..1, was " + spread);
        }
    }

    public MediaTiming withChannels(int n) {
        return new MediaTiming(n, commandNs, readNsPerBlock, writeNsPerBlock, flushNs, spread);
    }

    public MediaTiming withSpread(double s) {
        return new MediaTiming(channels, commandNs, readNsPerBlock, writeNsPerBlock, flushNs, s);
    }
}
