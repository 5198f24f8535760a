package org.jdma.kernel.net;

/**
 * A device's counters since its driver started (ixy's {@code device_stats}, Linux's
 * {@code rtnl_link_stats64} subset).
 *
 * @param rxPackets   good packets the device received
 * @param rxBytes     their bytes, FCS included (as the hardware counts them)
 * @param txPackets   packets the device sent
 * @param txBytes     their bytes, FCS included
 * @param rxDropped   packets the device dropped because the driver gave it no receive buffer
 *                    (no descriptor, or no room left in its packet buffer)
 * @param rxErrors    packets the driver received with an error status and recycled
 */
public record NetStats(long rxPackets, long rxBytes, long txPackets, long txBytes, long rxDropped, long rxErrors) {

    public static final NetStats ZERO = new NetStats(0, 0, 0, 0, 0, 0);

    /** These counters plus {@code o}'s. */
    public NetStats plus(NetStats o) {
        return new NetStats(rxPackets + o.rxPackets, rxBytes + o.rxBytes, txPackets + o.txPackets, txBytes + o.txBytes,
                rxDropped + o.rxDropped, rxErrors + o.rxErrors);
    }
}
