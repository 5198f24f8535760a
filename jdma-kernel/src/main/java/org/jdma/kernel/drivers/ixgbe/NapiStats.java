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
 */
public record NapiStats(long interrupts, long polls, long packets, long fullPolls, long rearms, int largest) { }
