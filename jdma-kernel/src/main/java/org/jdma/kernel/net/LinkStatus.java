package org.jdma.kernel.net;

/**
 * A device's carrier as its driver last saw it (Linux's {@code netif_carrier_ok}, the link speed
 * and {@code carrier_changes}).
 *
 * @param up                 whether the link is up: frames are handed to the device only then
 * @param bitsPerSecond      the link's speed while up, 0 while down or unknown
 * @param changes            how often the driver saw the carrier go down or up since it started
 * @param txRefusedWhileDown send calls refused (returned 0) because the carrier was down
 */
public record LinkStatus(boolean up, long bitsPerSecond, long changes, long txRefusedWhileDown) {
}
