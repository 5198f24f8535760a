package org.jdma.kernel.drivers.ixgbe;

import static org.jdma.spec.ixgbe.IxgbeRegisters.*;

import org.jdma.kernel.driver.MmioWindow;
import org.jdma.kernel.net.LinkStatus;

/**
 * The port's carrier as the driver tracks it (Linux {@code netif_carrier_on/off} from
 * {@code ixgbe_watchdog_update_link}): LINKS read at each link-status-change interrupt, the
 * speed, the changes seen and the sends refused while down.
 */
final class Carrier {

    private boolean up;
    private long bitsPerSecond;
    private long changes;
    private long refused;

    /** Reads LINKS; {@code count}: a change from what was seen before is counted. */
    void read(MmioWindow registers, boolean count) {
        int links = registers.read32(LINKS);
        boolean nowUp = (links & LINKS_UP) != 0;
        if (count && nowUp != up) {
            changes++;
        }
        up = nowUp;
        bitsPerSecond = !up ? 0 : switch (links & LINKS_SPEED_MASK) {
            case LINKS_SPEED_10G -> 10_000_000_000L;
            case LINKS_SPEED_1G -> 1_000_000_000L;
            case LINKS_SPEED_100M -> 100_000_000L;
            default -> 0;
        };
    }

    boolean up() {
        return up;
    }

    /** A send was refused because the carrier is down. */
    void refused() {
        refused++;
    }

    LinkStatus status() {
        return new LinkStatus(up, bitsPerSecond, changes, refused);
    }
}
