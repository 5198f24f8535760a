package org.jdma.machine.irq;

/**
 * What one legacy interrupt line did so far.
 *
 * @param assertions  rising edges on the line (deasserted to asserted), routed or not
 * @param delivered   interrupt messages the controller sent to the CPU for the line (each runs the
 *                    handler once, or counts as spurious when the vector has none)
 * @param masked      signals the mask swallowed: an edge while the line was unrouted (lost, as an
 *                    I/O APIC drops it), or an assertion of a level line while it was unrouted
 * @param coalesced   edges that arrived while the line's previous edge was still waiting to be
 *                    dispatched, and merged into it (the local APIC holds one request per vector)
 * @param eois        ends of interrupt: handlers of the line that returned
 */
public record LineCounters(long assertions, long delivered, long masked, long coalesced, long eois) {
}
