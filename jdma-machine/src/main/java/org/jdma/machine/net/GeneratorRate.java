package org.jdma.machine.net;

/** How fast a traffic generator sends. */
public sealed interface GeneratorRate {

    /** Back to back: every frame starts when the previous one and its gap have left. */
    static GeneratorRate lineRate() {
        return new LineFraction(1.0);
    }

    /**
     * A share of the wire: after each frame the generator waits until the frame's wire time
     * divided by {@code fraction} has passed, whatever the frame sizes (0 &lt; fraction &lt;= 1).
     */
    record LineFraction(double fraction) implements GeneratorRate {
        public LineFraction {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("fraction of line rate must be in (0, 1], was " + fraction);
            }
        }
    }

    /**
     * A fixed number of frame starts per second, evenly spaced (exactly: the spacing is kept as a
     * fraction of picoseconds). Above what the wire carries, frames go back to back.
     */
    record PacketsPerSecond(long pps) implements GeneratorRate {
        public PacketsPerSecond {
            if (pps < 1 || pps > 1_000_000_000L) {
                throw new IllegalArgumentException("packets per second must be 1..1e9, was " + pps);
            }
        }
    }
}
