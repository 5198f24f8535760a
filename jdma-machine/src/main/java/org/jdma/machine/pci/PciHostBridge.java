package org.jdma.machine.pci;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jdma.spec.pci.RequesterId;

/**
 * Segment 0's PCI host bridge: the {@link Ecam} window through which configuration cycles reach
 * every function, the bridges that shape the bus hierarchy ({@link PciTopology}), and what
 * firmware does to them before the OS boots ({@link #initialize}).
 *
 * <p>Invariant after {@link #initialize}: every function answers at a unique requester id that
 * its bus hierarchy reaches; function 0 of every device exists and carries the Multi-Function bit
 * when the device has more functions; every endpoint's BARs are assigned and decoding.
 */
public final class PciHostBridge {

    private final PciHostConfig config;
    private final Ecam ecam;
    private final List<PciBridge> bridges = new ArrayList<>();
    private final List<PciEndpoint> endpoints = new ArrayList<>();
    private final PciTopology topology;

    /**
     * @throws IllegalArgumentException when a bridge is outside segment 0 or the ECAM buses, two
     *                                  functions share a requester id, or the bridges break the
     *                                  rules of {@link PciTopology}
     */
    public PciHostBridge(PciHostConfig config, List<BridgeSpec> bridgeSpecs) {
        this.config = Objects.requireNonNull(config, "config");
        this.ecam = new Ecam(0, config.endBus());
        for (BridgeSpec b : bridgeSpecs) {
            PciBridge bridge = new PciBridge(b);
            ecam.add(bridge);
            bridges.add(bridge);
        }
        this.topology = PciTopology.of(0, bridgeSpecs);
    }

    public PciHostConfig config() {
        return config;
    }

    public Ecam ecam() {
        return ecam;
    }

    /** Segment 0's bus hierarchy. */
    public PciTopology topology() {
        return topology;
    }

    /** Puts {@code endpoint} at its requester id. */
    public void add(PciEndpoint endpoint) {
        ecam.add(endpoint);
        endpoints.add(endpoint);
    }

    /**
     * Puts the chipset's LPC bridge at its requester id.
     *
     * @throws IllegalArgumentException when another function already sits there, naming both
     */
    public void add(LpcBridge bridge) {
        ecam.add(bridge);
    }

    /** Every function, bridges included, by requester id. */
    public List<PciFunction> functions() {
        return ecam.functions();
    }

    public List<PciEndpoint> endpoints() {
        return List.copyOf(endpoints);
    }

    public List<PciBridge> bridges() {
        return List.copyOf(bridges);
    }

    /**
     * Does what firmware does before handing over: checks that every function can be reached,
     * marks multi-function devices, and assigns every endpoint's BARs (in the order the endpoints
     * were added), turning memory decoding on.
     *
     * @throws IllegalArgumentException naming the function that cannot be reached, a device
     *                                  without function 0, or a BAR that does not fit
     */
    public void initialize() {
        for (PciFunction f : ecam.functions()) {
            topology.pathTo(f.requester()); // throws, naming it, if unreachable
            RequesterId r = f.requester();
            if (r.function() != 0) {
                PciFunction zero = ecam.at(new RequesterId(r.segment(), r.bus(), r.device(), 0));
                if (zero == null) {
                    throw new IllegalArgumentException(String.format(
                            "%s at %s: device %02x:%02x has no function 0, so enumeration would never find it",
                            f.name(), r, r.bus(), r.device()));
                }
                zero.multiFunction(true);
            }
        }
        assignBars();
    }

    /**
     * Firmware's BAR placement alone (what {@link #initialize()} ends with), again after a reset
     * has left every BAR unassigned; the same endpoints get the same addresses.
     */
    public void assignBars() {
        BarAllocator allocator = new BarAllocator(config);
        for (PciEndpoint e : endpoints) {
            allocator.assign(e);
            for (Bar b : e.bars()) {
                if (e.barWindow(b.index()).isEmpty()) {
                    throw new IllegalArgumentException(String.format(
                            "firmware placed %s's BAR%d at %#x, but something else already answers there",
                            e.name(), b.index(), e.barAddress(b.index())));
                }
            }
        }
    }
}
