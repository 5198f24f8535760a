package org.jdma.machine.net;

/**
 * What one direction of a link has carried, as of one moment.
 *
 * @param frames         frames the transmitter accepted while the link was up
 * @param bytes          their bytes, without FCS
 * @param delivered      frames that reached the far end's receiver
 * @param lostLinkDown   frames lost to the link being down: sent while down, or still on the wire
 *                       when it went down
 * @param unclaimed      frames that arrived at an end with no receiver
 * @param busyPicoseconds time the transmitter spent sending, gaps included
 */
public record LinkCounters(long frames, long bytes, long delivered, long lostLinkDown, long unclaimed,
                           long busyPicoseconds) {

    /** Fraction of {@code elapsedNs} the transmitter was busy. */
    public double utilisation(long elapsedNs) {
        return elapsedNs <= 0 ? 0 : busyPicoseconds / (elapsedNs * 1000.0);
    }
}
