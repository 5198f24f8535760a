package org.jdma.machine.dev.nvme;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The channels of {@link MediaTiming}: when each is free. A command takes the channel free
 * earliest (lowest index on a tie), and takes up to {@link MediaTiming#spread()} longer at
 * random from a split of the machine's seeded source, so the same seed and the same commands give
 * the same latencies.
 */
final class Media {

    private final MediaTiming timing;
    private final long[] freeAt;
    private final SplittableRandom random;

    Media(MediaTiming timing, SplittableRandom random) {
        this.timing = timing;
        this.freeAt = new long[timing.channels()];
        this.random = random;
    }

    /** A read of {@code blocks} blocks arriving at {@code now}: when it is done. */
    long read(long now, long blocks) {
        return occupy(now, timing.commandNs() + blocks * timing.readNsPerBlock());
    }

    /** A write of {@code blocks} blocks arriving at {@code now}: when it is done. */
    long write(long now, long blocks) {
        return occupy(now, timing.commandNs() + blocks * timing.writeNsPerBlock());
    }

    /** A flush arriving at {@code now}: done when every channel is idle, plus the flush time. */
    long flush(long now) {
        long idle = now;
        for (long t : freeAt) {
            idle = Math.max(idle, t);
        }
        return idle + timing.flushNs();
    }

    private long occupy(long now, long duration) {
        int best = 0;
        for (int c = 1; c < freeAt.length; c++) {
            if (freeAt[c] < freeAt[best]) {
                best = c;
            }
        }
        if (timing.spread() > 0) {
            duration += (long) (duration * timing.spread() * random.nextDouble());
        }
        long start = Math.max(now, freeAt[best]);
        freeAt[best] = start + duration;
        return freeAt[best];
    }

    void reset() {
        Arrays.fill(freeAt, 0);
    }
}
