package org.jdma.machine.pci;

import java.util.Objects;
import org.jdma.spec.pci.RequesterId;

/**
 * A PCI-to-PCI bridge (a PCIe root port) as the machine configuration and the firmware know it:
 * where it sits and which buses it forwards (PCI-to-PCI Bridge Architecture Specification 1.2
 * §3.2.5.3-§3.2.5.5: primary bus = the bus it sits on, secondary bus directly below it,
 * subordinate bus the highest below it). The machine builds a {@link PciBridge} from it, with a
 * type 1 configuration header holding these numbers.
 *
 * @param name           a short instance name ("rootport0")
 * @param requester      where it sits; its bus is the primary bus
 * @param secondaryBus   the bus directly below it, above its own bus (buses are numbered depth-first)
 * @param subordinateBus the highest bus below it, at least the secondary bus, at most 0xff
 */
public record BridgeSpec(String name, RequesterId requester, int secondaryBus, int subordinateBus) {

    public BridgeSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(requester, "requester");
        if (secondaryBus <= requester.bus() || secondaryBus > subordinateBus || subordinateBus > 0xFF) {
            throw new IllegalArgumentException(String.format(
                    "bridge %s at %s: need primary bus %02x < secondary bus <= subordinate bus <= ff, got secondary %#x subordinate %#x",
                    name, requester, requester.bus(), secondaryBus, subordinateBus));
        }
    }

    /** Whether {@code bus} lies in {@code [secondaryBus, subordinateBus]}. */
    public boolean routesBus(int bus) {
        return secondaryBus <= bus && bus <= subordinateBus;
    }
}
