package org.jdma.machine.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.jdma.machine.pci.PciPath.Hop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.jdma.spec.pci.RequesterId;

class PciTopologyTest {

    static BridgeSpec bridge(String name, int bus, int dev, int fn, int secondary, int subordinate) {
        return new BridgeSpec(name, RequesterId.of(bus, dev, fn), secondary, subordinate);
    }

    @Test
    void shouldGiveOneHopPathsOnARootBus() {
        PciTopology t = PciTopology.of(0, List.of(bridge("rp", 0, 0x1C, 0, 1, 1)));
        assertEquals(PciPath.onBus(0, 4, 0), t.pathTo(RequesterId.of(0, 4, 0)));
        assertEquals(PciPath.onBus(0, 0x1C, 0), t.pathTo(RequesterId.of(0, 0x1C, 0)), "a bridge's path ends at itself");
        assertEquals(List.of("rp"), t.bridges().stream().map(BridgeSpec::name).toList());
        assertTrue(t.isRootBus(0));
        assertFalse(t.isRootBus(1));
        assertFalse(t.isRootBus(2));
        assertEquals(List.of(0), t.rootBuses());
        var e = assertThrows(IllegalArgumentException.class, () -> t.pathTo(RequesterId.of(2, 0, 0)));
        assertTrue(e.getMessage().contains("0000:02:00.0 is unreachable: bus 02 is no root bus (00) and no bridge leads to it"),
                e.getMessage());
    }

    /** A chain of {@code depth} bridges from bus 0 (root port, switch upstream port, downstream ports...). */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void shouldDeriveThePathThroughEveryBridgeAbove(int depth) {
        List<BridgeSpec> bridges = new ArrayList<>();
        List<Hop> expected = new ArrayList<>();
        int bus = 0;
        for (int level = 0; level < depth; level++) {
            int dev = level == 0 ? 0x1C : level; // 00:1c.0, then 01:01.0, 02:02.0
            bridges.add(bridge("b" + level, bus, dev, level, bus + 1, depth));
            expected.add(new Hop(dev, level));
            bus++;
        }
        // A sibling bridge on the root bus must not disturb the paths.
        bridges.add(bridge("other", 0, 0x1D, 0, depth + 1, depth + 2));
        PciTopology t = PciTopology.of(0, bridges);
        expected.add(new Hop(5, 3));
        assertEquals(new PciPath(0, expected), t.pathTo(RequesterId.of(depth, 5, 3)));
        assertEquals(PciPath.of(0, new Hop(0x1D, 0), new Hop(0, 0)), t.pathTo(RequesterId.of(depth + 1, 0, 0)));
    }

    @Test
    void shouldDeriveAPathBelowABridgeOnASecondRootBus() {
        PciTopology t = PciTopology.of(0, Set.of(0, 0x80), List.of(bridge("rp", 0x80, 2, 0, 0x81, 0x81)));
        assertEquals(PciPath.of(0x80, new Hop(2, 0), new Hop(0, 1)), t.pathTo(RequesterId.of(0x81, 0, 1)));
        assertEquals(PciPath.onBus(0, 3, 0), t.pathTo(RequesterId.of(0, 3, 0)));
    }

    @Test
    void shouldIgnoreOtherSegments() {
        PciTopology t = PciTopology.of(1, List.of(bridge("seg0", 0, 0x1C, 0, 1, 1),
                new BridgeSpec("seg1", new RequesterId(1, 0, 3, 0), 5, 5)));
        assertEquals(1, t.bridges().size());
        assertEquals(PciPath.of(0, new Hop(3, 0), new Hop(0, 0)), t.pathTo(new RequesterId(1, 5, 0, 0)));
        var e = assertThrows(IllegalArgumentException.class, () -> t.pathTo(RequesterId.of(1, 0, 0)));
        assertTrue(e.getMessage().contains("not in segment 0001"), e.getMessage());
        assertEquals(PciPath.onBus(0, 3, 0), PciTopology.of(0, List.of()).pathTo(RequesterId.of(0, 3, 0)));
    }

    static void assertRejected(List<BridgeSpec> functions, String... fragments) {
        var e = assertThrows(IllegalArgumentException.class, () -> PciTopology.of(0, functions));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message lacks '" + f + "': " + e.getMessage());
        }
    }

    @Test
    void shouldRejectBridgesThatBreakTheHierarchy() {
        assertRejected(List.of(bridge("a", 0, 1, 0, 1, 3), bridge("b", 0, 2, 0, 3, 5)),
                "bridge a (buses 01-03) and bridge b (buses 03-05) overlap without one holding the other");
        assertRejected(List.of(bridge("a", 0, 1, 0, 1, 5), bridge("b", 0, 2, 0, 2, 3)),
                "bridge b sits on bus 00 (a root bus), but its buses 02-03 lie below a");
        assertRejected(List.of(bridge("a", 0, 1, 0, 1, 2), bridge("b", 1, 0, 0, 3, 3)),
                "bridge b sits on bus 01 below a, but its buses 03-03 lie outside every bridge");
        assertRejected(List.of(bridge("a", 0, 1, 0, 1, 4), bridge("b", 2, 0, 0, 3, 3)),
                "0000:02:00.0 is unreachable", "bus 02 lies in bridge a's buses 01-04");
        assertRejected(List.of(bridge("a", 0, 1, 0, 1, 1), bridge("b", 0, 1, 0, 2, 2)), "bridges a and b both sit at 0000:00:01.0");
        assertRejected(List.of(bridge("a", 0, 1, 0, 1, 1), bridge("b", 0, 2, 0, 1, 1)), "bridges a and b both have secondary bus 01");
        assertRejected(List.of(bridge("a", 5, 1, 0, 6, 6)), "bridge a sits on bus 05, which is no root bus (00) and lies below no bridge");
        var e = assertThrows(IllegalArgumentException.class, () -> PciTopology.of(0, Set.of(0, 2), List.of(bridge("a", 0, 1, 0, 1, 3))));
        assertTrue(e.getMessage().contains("root bus 02 lies in bridge a's buses 01-03"), e.getMessage());
    }

    @Test
    void shouldRejectAPathIntoABusNoBridgeLeadsTo() {
        PciTopology t = PciTopology.of(0, List.of(bridge("hotplug", 0, 0x1C, 0, 1, 8)));
        var e = assertThrows(IllegalArgumentException.class, () -> t.pathTo(RequesterId.of(5, 0, 0)));
        assertTrue(e.getMessage().contains("0000:05:00.0 is unreachable: bus 05 lies in bridge hotplug's buses 01-08"), e.getMessage());
    }

    @Test
    void shouldRejectImpossibleBridgeBusNumbers() {
        assertThrows(IllegalArgumentException.class, () -> bridge("x", 1, 0, 0, 1, 1), "secondary must be above primary");
        assertThrows(IllegalArgumentException.class, () -> bridge("x", 0, 0, 0, 3, 2), "subordinate below secondary");
        assertThrows(IllegalArgumentException.class, () -> bridge("x", 0, 0, 0, 3, 256));
        assertThrows(IllegalArgumentException.class, () -> new PciPath(0, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Hop(32, 0));
        assertThrows(IllegalArgumentException.class, () -> new Hop(0, 8));
    }

    /**
     * Random trees of bridges, numbered depth-first as firmware does: following each derived path
     * forward (start bus, then each hop's secondary bus) must land on the target's bus.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 0x5EED_7090L})
    void shouldDerivePathsThatLeadToTheTargetInRandomTrees(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int round = 0; round < 200; round++) {
            List<BridgeSpec> bridges = new ArrayList<>();
            int[] next = {1};
            grow(rnd, bridges, 0, next, 0);
            PciTopology t = PciTopology.of(0, bridges);
            List<Integer> buses = new ArrayList<>(List.of(0));
            bridges.forEach(b -> buses.add(b.secondaryBus()));
            for (int bus : buses) {
                RequesterId target = RequesterId.of(bus, rnd.nextInt(32), rnd.nextInt(8));
                PciPath p = t.pathTo(target);
                int at = p.startBus();
                for (Hop h : p.hops().subList(0, p.hops().size() - 1)) {
                    var b = t.bridgeAt(RequesterId.of(at, h.device(), h.function()));
                    assertTrue(b.isPresent(), "seed " + seed + ": hop " + h + " on bus " + at + " is no bridge, path " + p);
                    at = b.get().secondaryBus();
                }
                assertEquals(target.bus(), at, "seed " + seed + " path " + p);
                assertEquals(Hop.of(target), p.hops().getLast(), "seed " + seed);
                assertEquals(0, p.startBus(), "seed " + seed);
            }
        }
    }

    /** Adds up to 3 child bridges under {@code bus}, each with its subtree, numbering buses depth-first. */
    private static void grow(SplittableRandom rnd, List<BridgeSpec> out, int bus, int[] next, int depth) {
        int children = depth >= 4 ? 0 : rnd.nextInt(4);
        for (int c = 0; c < children && next[0] < 250; c++) {
            int secondary = next[0]++;
            int index = out.size();
            out.add(null);
            grow(rnd, out, secondary, next, depth + 1);
            next[0] += rnd.nextInt(2); // sometimes keep a spare bus number (hot plug)
            int subordinate = Math.min(next[0] - 1, 255);
            out.set(index, bridge("b" + secondary, bus, c + 1, 0, secondary, subordinate));
        }
    }
}
