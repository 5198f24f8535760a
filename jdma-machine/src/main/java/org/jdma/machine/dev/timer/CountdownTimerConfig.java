package org.jdma.machine.dev.timer;

/**
 * Named timing parameter of a countdown timer.
 *
 * @param tickNs the period of the input clock the counter decrements at, ns (at least 1)
 */
public record CountdownTimerConfig(long tickNs) {

    /**
     * The PC's timer input clock, 1.193182 MHz (the 8254 PIT's on every PC/AT), to the nearest
     * nanosecond: 838 ns.
     */
    public static final CountdownTimerConfig DEFAULT = new CountdownTimerConfig(838);

    public CountdownTimerConfig {
        if (tickNs < 1) {
            throw new IllegalArgumentException("tickNs must be >= 1 ns, was " + tickNs);
        }
    }
}
