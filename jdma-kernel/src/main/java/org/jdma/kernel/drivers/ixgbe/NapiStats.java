package org.jdma.kernel.drivers.ixgbe;

/**
 * What one queue pair's NAPI did.
 *
 * @param interrupts interrupts that scheduled a poll
 * @param polls      polls run
 * @param packets    packets the polls took
 * @param fullPolls  polls that took their whole budget (and ran again instead of re-arming)
 * @param rearms     times the vector was re-enabled (a poll took less than its budget)
 * @param largest    the most packets one poll took
 * @param txCleaned  transmit descriptors the polls reclaimed
 */
public record NapiStats(long interrupts, long polls, long packets, long fullPolls, long rearms, int largest, long txCleaned) {

    /** No poll yet. */
    public static final NapiStats ZERO = new NapiStats(0, 0, 0, 0, 0, 0, 0);

    /** Both queues' counts together (the larger {@code largest}). */
    public NapiStats plus(NapiStats o) {
        return new NapiStats(interrupts + o.interrupts, polls + o.polls, packets + o.packets, fullPolls + o.fullPolls,
                rearms + o.rearms, Math.max(largest, o.largest), txCleaned + o.txCleaned);
    }
}
