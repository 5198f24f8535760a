package org.jdma.machine.pci;

import java.util.List;
import org.jdma.spec.pci.RequesterId;

/**
 * The route from a bus down to one PCI function, written the way VT-d device scopes write it
 * (VT-d spec §8.3.1.1 "Reporting Scope for PCI Devices"): the bus the route starts on, then one
 * device.function hop per bus. Every hop but the last names a bridge; the next hop is on that
 * bridge's secondary bus. The last hop names the function itself.
 *
 * @param startBus the bus of the first hop (a root bus, for paths {@link PciTopology} derives)
 * @param hops     at least one hop
 */
public record PciPath(int startBus, List<Hop> hops) {

    /** One hop: a device and function on the current bus. */
    public record Hop(int device, int function) {
        public Hop {
            if (device < 0 || device > 0x1F || function < 0 || function > 7) {
                throw new IllegalArgumentException(String.format(
                        "path hop %#x.%#x: device must be 0..1f and function 0..7", device, function));
            }
        }

        public static Hop of(RequesterId r) {
            return new Hop(r.device(), r.function());
        }

        @Override
        public String toString() {
            return String.format("%02x.%x", device, function);
        }
    }

    public PciPath {
        if (startBus < 0 || startBus > 0xFF) {
            throw new IllegalArgumentException("start bus out of range 0..ff: " + startBus);
        }
        hops = List.copyOf(hops);
        if (hops.isEmpty()) {
            throw new IllegalArgumentException("a PCI path needs at least one hop");
        }
    }

    public static PciPath of(int startBus, Hop... hops) {
        return new PciPath(startBus, List.of(hops));
    }

    /** A one-hop path: the function {@code device.function} on bus {@code bus}. */
    public static PciPath onBus(int bus, int device, int function) {
        return of(bus, new Hop(device, function));
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(String.format("bus %02x", startBus));
        for (Hop h : hops) {
            s.append(" / ").append(h);
        }
        return s.toString();
    }
}
