package org.jdma.machine.pci;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jdma.spec.pci.RequesterId;

/**
 * The bus hierarchy of one PCI segment, as its bridges shape it: which bridge leads to which bus,
 * and so the path from a root bus down to any function (the path a VT-d device scope writes).
 *
 * <p>A <em>root bus</em> is the first bus a host bridge produces: bus 0 on most machines; servers
 * with several host bridges per segment have more (0x00, 0x80, ...). Every other bus is reached
 * through the bridge whose secondary bus it is; a bus that is neither (a number no bridge leads
 * to, or one a bridge keeps back for hot plug) is unreachable: nothing on it has a path.
 *
 * <p>Invariant, checked when the topology is made (so that every path is well defined): bridge
 * requester ids and secondary buses are unique; two bridges' bus ranges are disjoint or one holds
 * the other; no root bus lies in a bridge's range; and each bridge sits on a root bus or on the
 * secondary bus of the innermost bridge whose range holds its own range (a bridge whose buses
 * another bridge claims must sit below it).
 */
public final class PciTopology {

    private final int segment;
    private final Set<Integer> rootBuses;
    private final List<BridgeSpec> bridges;
    private final Map<RequesterId, BridgeSpec> byRequester = new HashMap<>();
    private final Map<Integer, BridgeSpec> bySecondaryBus = new HashMap<>();

    private PciTopology(int segment, Set<Integer> rootBuses, List<BridgeSpec> bridges) {
        this.segment = segment;
        this.rootBuses = Set.copyOf(rootBuses);
        this.bridges = bridges;
        for (int root : rootBuses) {
            if (root < 0 || root > 0xFF) {
                throw new IllegalArgumentException("root bus out of range 0..ff: " + root);
            }
        }
        for (BridgeSpec b : bridges) {
            BridgeSpec twin = byRequester.put(b.requester(), b);
            if (twin != null) {
                throw new IllegalArgumentException("bridges " + twin.name() + " and " + b.name() + " both sit at " + b.requester());
            }
            twin = bySecondaryBus.put(b.secondaryBus(), b);
            if (twin != null) {
                throw new IllegalArgumentException(String.format("bridges %s and %s both have secondary bus %02x",
                        twin.name(), b.name(), b.secondaryBus()));
            }
        }
        for (BridgeSpec a : bridges) {
            for (BridgeSpec b : bridges) {
                boolean overlap = a.secondaryBus() <= b.subordinateBus() && b.secondaryBus() <= a.subordinateBus();
                if (a != b && overlap && !holds(a, b) && !holds(b, a)) {
                    throw new IllegalArgumentException(String.format(
                            "bridge %s (buses %02x-%02x) and bridge %s (buses %02x-%02x) overlap without one holding the other",
                            a.name(), a.secondaryBus(), a.subordinateBus(), b.name(), b.secondaryBus(), b.subordinateBus()));
                }
            }
        }
        for (int root : rootBuses) {
            BridgeSpec claims = innermostRouting(root, null);
            if (claims != null) {
                throw new IllegalArgumentException(String.format("root bus %02x lies in bridge %s's buses %02x-%02x",
                        root, claims.name(), claims.secondaryBus(), claims.subordinateBus()));
            }
        }
        for (BridgeSpec b : bridges) {
            BridgeSpec onBusOf = innermostRouting(b.requester().bus(), b);
            if (onBusOf == null && !rootBuses.contains(b.requester().bus())) {
                throw new IllegalArgumentException(String.format(
                        "bridge %s sits on bus %02x, which is no root bus (%s) and lies below no bridge",
                        b.name(), b.requester().bus(), rootBusList()));
            }
            BridgeSpec around = innermostHolding(b);
            if (onBusOf != around) {
                throw new IllegalArgumentException(String.format(
                        "bridge %s sits on bus %02x %s, but its buses %02x-%02x lie %s",
                        b.name(), b.requester().bus(), onBusOf == null ? "(a root bus)" : "below " + onBusOf.name(),
                        b.secondaryBus(), b.subordinateBus(), around == null ? "outside every bridge" : "below " + around.name()));
            }
            if (onBusOf != null && onBusOf.secondaryBus() != b.requester().bus()) {
                throw unreachable(b.requester(), onBusOf);
            }
        }
    }

    /**
     * The topology of {@code segment} below one host bridge whose root bus is 0, formed by
     * {@code bridges} (bridges of other segments are ignored).
     *
     * @throws IllegalArgumentException if the bridges break the invariant; the message names them
     */
    public static PciTopology of(int segment, Collection<BridgeSpec> bridges) {
        return of(segment, Set.of(0), bridges);
    }

    /**
     * The topology of {@code segment} below host bridges whose root buses are {@code rootBuses}.
     *
     * @throws IllegalArgumentException if the bridges break the invariant; the message names them
     */
    public static PciTopology of(int segment, Set<Integer> rootBuses, Collection<BridgeSpec> bridgeSpecs) {
        List<BridgeSpec> bridges = bridgeSpecs.stream()
                .filter(f -> f.requester().segment() == segment)
                .sorted(Comparator.comparing(BridgeSpec::requester))
                .toList();
        return new PciTopology(segment, rootBuses, bridges);
    }

    public int segment() {
        return segment;
    }

    /** The bridges, by requester id. */
    public List<BridgeSpec> bridges() {
        return bridges;
    }

    public Optional<BridgeSpec> bridgeAt(RequesterId requester) {
        return Optional.ofNullable(byRequester.get(requester));
    }

    public boolean isRootBus(int bus) {
        return rootBuses.contains(bus);
    }

    /** The root buses, ascending. */
    public List<Integer> rootBuses() {
        return List.copyOf(new TreeSet<>(rootBuses));
    }

    /**
     * The path from the root bus above {@code target} down to it: start bus, then one hop per
     * bridge crossed, then the target's own device.function. The target need not exist (a scope
     * may name a slot); its bus must be reachable.
     *
     * @throws IllegalArgumentException if the target is in another segment or on an unreachable bus
     */
    public PciPath pathTo(RequesterId target) {
        if (target.segment() != segment) {
            throw new IllegalArgumentException(String.format("%s is not in segment %04x", target, segment));
        }
        Deque<PciPath.Hop> hops = new ArrayDeque<>();
        hops.addFirst(PciPath.Hop.of(target));
        int bus = target.bus();
        // Bus numbers strictly decrease upstream (secondary > primary), so this ends.
        for (BridgeSpec up = bySecondaryBus.get(bus); up != null; up = bySecondaryBus.get(bus)) {
            hops.addFirst(PciPath.Hop.of(up.requester()));
            bus = up.requester().bus();
        }
        BridgeSpec enclosing = innermostRouting(bus, null);
        if (enclosing != null) {
            throw unreachable(target, enclosing);
        }
        if (!rootBuses.contains(bus)) {
            throw new IllegalArgumentException(String.format(
                    "%s is unreachable: bus %02x is no root bus (%s) and no bridge leads to it", target, bus, rootBusList()));
        }
        return new PciPath(bus, List.copyOf(hops));
    }

    private String rootBusList() {
        return rootBuses().stream().map(b -> String.format("%02x", b)).reduce((a, b) -> a + ", " + b).orElse("none");
    }

    private static IllegalArgumentException unreachable(RequesterId target, BridgeSpec enclosing) {
        return new IllegalArgumentException(String.format(
                "%s is unreachable: bus %02x lies in bridge %s's buses %02x-%02x but no bridge has it as secondary bus",
                target, target.bus(), enclosing.name(), enclosing.secondaryBus(), enclosing.subordinateBus()));
    }

    /** Whether {@code outer}'s bus range holds {@code inner}'s (both bridges, distinct). */
    private static boolean holds(BridgeSpec outer, BridgeSpec inner) {
        return outer.secondaryBus() <= inner.secondaryBus() && inner.subordinateBus() <= outer.subordinateBus();
    }

    /** The bridge with the narrowest range holding {@code bus}, other than {@code except}; null if none. */
    private BridgeSpec innermostRouting(int bus, BridgeSpec except) {
        BridgeSpec best = null;
        for (BridgeSpec b : bridges) {
            if (b != except && b.routesBus(bus) && (best == null || holds(best, b))) {
                best = b;
            }
        }
        return best;
    }

    /** The bridge with the narrowest range holding {@code inner}'s range, other than itself; null if none. */
    private BridgeSpec innermostHolding(BridgeSpec inner) {
        BridgeSpec best = null;
        for (BridgeSpec b : bridges) {
            if (b != inner && holds(b, inner) && (best == null || holds(best, b))) {
                best = b;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return String.format("PciTopology[segment %04x, root buses %s, %d bridges]", segment, rootBusList(), bridges.size());
    }
}
