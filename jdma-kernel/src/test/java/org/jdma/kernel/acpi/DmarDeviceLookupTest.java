package org.jdma.kernel.acpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import org.jdma.kernel.iommu.vtd.VtdIommuDriver;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.jdma.kernel.acpi.RemappingStructure.Drhd;
import org.jdma.kernel.acpi.RemappingStructure.Rmrr;
import org.jdma.kernel.pci.PciSubsystem;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

/** Device → unit and device → RMRR lookup over DmarTables built by hand (no parser needed). */
class DmarDeviceLookupTest {

    static final AcpiTableHeader HEADER = new AcpiTableHeader("DMAR", 0, 1, 0, "OEMID ", "TABLE   ", 1, "TEST", 1);

    /**
     * Segment 0: root port 00:1c.0 (buses 1-4) above a switch upstream port 01:00.0 (buses 2-4)
     * above downstream ports 02:01.0 (bus 3) and 02:02.0 (bus 4); root port 00:1d.0 (bus 5).
     * Segment 1: root port 0001:00:01.0 (bus 1).
     */
    static final List<DmarDeviceLookup.Bridge> ENUMERATED = List.of(
            bridge(0, 0, 0x1C, 0, 1, 4), bridge(0, 1, 0, 0, 2, 4), bridge(0, 2, 1, 0, 3, 3), bridge(0, 2, 2, 0, 4, 4),
            bridge(0, 0, 0x1D, 0, 5, 5), bridge(1, 0, 1, 0, 1, 1));

    static DmarDeviceLookup.Bridge bridge(int seg, int bus, int dev, int fn, int secondary, int subordinate) {
        return new DmarDeviceLookup.Bridge(new RequesterId(seg, bus, dev, fn), secondary, subordinate);
    }

    static DeviceScope scope(DeviceScopeType type, int startBus, int... devFn) {
        List<PciPathEntry> path = new java.util.ArrayList<>();
        for (int i = 0; i < devFn.length; i += 2) {
            path.add(new PciPathEntry(devFn[i], devFn[i + 1]));
        }
        return new DeviceScope(type.code(), 0, 0, startBus, path);
    }

    static DeviceScope endpoint(int startBus, int... devFn) {
        return scope(DeviceScopeType.PCI_ENDPOINT, startBus, devFn);
    }

    static DeviceScope bridgeScope(int startBus, int... devFn) {
        return scope(DeviceScopeType.PCI_SUBHIERARCHY, startBus, devFn);
    }

    static Drhd unit(int segment, long base, DeviceScope... scopes) {
        return new Drhd(0, 0, segment, base, List.of(scopes));
    }

    static Drhd includeAll(int segment, long base) {
        return new Drhd(Drhd.FLAG_INCLUDE_PCI_ALL, 0, segment, base, List.of());
    }

    static DmarDeviceLookup lookup(RemappingStructure... structures) {
        return new DmarDeviceLookup(new DmarTable(HEADER, 38, 0, List.of(structures)), ENUMERATED);
    }

    static RequesterId rid(int bus, int dev, int fn) {
        return RequesterId.of(bus, dev, fn);
    }

    @Test
    void shouldMatchAnEndpointOnTheRootBus() {
        Drhd gfx = unit(0, 0xFED9_0000L, endpoint(0, 2, 0));
        Drhd all = includeAll(0, 0xFED9_1000L);
        var l = lookup(gfx, all);
        assertEquals(Optional.of(gfx), l.unitFor(rid(0, 2, 0)));
        assertEquals(Optional.of(all), l.unitFor(rid(0, 2, 1)), "another function of the same device is not the endpoint");
        assertEquals(Optional.of(all), l.unitFor(rid(0, 3, 0)));
    }

    @Test
    void shouldWalkAnEndpointPathThroughThreeBridges() {
        Drhd u = unit(0, 0xFED9_0000L, endpoint(0, 0x1C, 0, 0, 0, 1, 0, 0, 0)); // 1c.0 / 00.0 / 01.0 / 00.0 = 03:00.0
        var l = lookup(u);
        assertEquals(Optional.of(u), l.unitFor(rid(3, 0, 0)));
        assertEquals(Optional.empty(), l.unitFor(rid(3, 0, 1)));
        assertEquals(Optional.empty(), l.unitFor(rid(4, 0, 0)));
        assertEquals(Optional.of(new DmarDeviceLookup.ScopeTarget(rid(3, 0, 0), false, 0, 0)), l.resolve(0, u.scopes().getFirst()));
    }

    @Test
    void shouldCoverEverythingBelowASubHierarchyScope() {
        Drhd u = unit(0, 0xFED9_0000L, bridgeScope(0, 0x1C, 0, 0, 0)); // the switch upstream port 01:00.0, buses 2-4
        var l = lookup(u, includeAll(0, 0xFED9_1000L));
        for (RequesterId covered : List.of(rid(1, 0, 0), rid(2, 1, 0), rid(2, 7, 3), rid(3, 0, 0), rid(4, 0x1F, 7))) {
            assertEquals(Optional.of(u), l.unitFor(covered), covered.toString());
        }
        for (RequesterId outside : List.of(rid(0, 0x1C, 0), rid(1, 1, 0), rid(5, 0, 0), rid(0, 4, 0))) {
            assertTrue(l.unitFor(outside).orElseThrow().includePciAll(), outside.toString());
        }
    }

    @Test
    void shouldJudgeAScopeByWhatItNamesNotByItsTypeByte() {
        // Firmware that lists a root port as an endpoint still means its hierarchy (Linux matches so).
        var l = lookup(unit(0, 0xFED9_0000L, endpoint(0, 0x1D, 0)));
        assertTrue(l.unitFor(rid(5, 0, 0)).isPresent());
        // A sub-hierarchy scope naming a function that is no bridge covers that function only.
        var m = lookup(unit(0, 0xFED9_0000L, bridgeScope(0, 0x1E, 0)));
        assertTrue(m.unitFor(rid(0, 0x1E, 0)).isPresent());
        assertFalse(m.unitFor(rid(1, 0, 0)).isPresent());
    }

    @Test
    void shouldFallBackToTheIncludeAllUnitOfTheDevicesSegment() {
        Drhd seg0 = includeAll(0, 0xFED9_0000L);
        Drhd seg1 = includeAll(1, 0xFED9_1000L);
        Drhd seg1Port = unit(1, 0xFED9_2000L, bridgeScope(0, 1, 0));
        var l = lookup(seg0, seg1, seg1Port);
        assertEquals(Optional.of(seg0), l.unitFor(rid(3, 0, 0)));
        assertEquals(Optional.of(seg1Port), l.unitFor(new RequesterId(1, 1, 0, 0)),
                "an explicit scope wins even over an INCLUDE_PCI_ALL unit listed before it");
        assertEquals(Optional.of(seg1), l.unitFor(new RequesterId(1, 0, 4, 0)));
        assertEquals(Optional.empty(), l.unitFor(new RequesterId(2, 0, 4, 0)), "segment 2 has no unit: its DMA is not remapped");
        assertEquals(Optional.empty(), lookup(unit(0, 0xFED9_0000L, endpoint(0, 2, 0))).unitFor(new RequesterId(1, 0, 2, 0)),
                "a scope is read in its structure's segment");
    }

    @Test
    void shouldResolveNothingForBrokenOrNonPciScopes() {
        Drhd all = includeAll(0, 0xFED9_1000L);
        var l = lookup(
                unit(0, 0xFED9_0000L,
                        endpoint(0, 4, 0, 0, 0),                          // through 00:04.0, which is no bridge
                        endpoint(0, 0x20, 0),                             // device 32
                        endpoint(0, 2, 8),                                // function 8
                        new DeviceScope(1, 0, 0, 0, List.of()),           // no path
                        new DeviceScope(1, 0, 0, 256, List.of(new PciPathEntry(2, 0))), // bus 256
                        scope(DeviceScopeType.IOAPIC, 0, 0x1F, 0),        // an IOAPIC's requester id
                        new DeviceScope(9, 0, 0, 0, List.of(new PciPathEntry(3, 0)))), // unknown type
                all);
        for (RequesterId r : List.of(rid(0, 4, 0), rid(0, 0x1F, 0), rid(0, 2, 0), rid(0, 3, 0), rid(1, 0, 0))) {
            assertEquals(Optional.of(all), l.unitFor(r), r.toString());
        }
    }

    @Test
    void shouldWalkFromANonRootStartBus() {
        // Firmware sometimes writes a one-hop path from the device's own bus; the forward walk still lands on it.
        Drhd u = unit(0, 0xFED9_0000L, endpoint(3, 0, 0));
        assertEquals(Optional.of(u), lookup(u).unitFor(rid(3, 0, 0)));
    }

    @Test
    void shouldFindTheReservedRegionsOfADevice() {
        Rmrr usb = new Rmrr(0, 0x7C00_0000L, 0x7C0F_FFFFL, List.of(endpoint(0, 0x14, 0), endpoint(0, 0x1A, 0)));
        Rmrr gfx = new Rmrr(0, 0x8000_0000L, 0x8FFF_FFFFL, List.of(endpoint(0, 2, 0)));
        Rmrr behindSwitch = new Rmrr(0, 0x7000_0000L, 0x7000_0FFFL, List.of(bridgeScope(0, 0x1C, 0, 0, 0)));
        Rmrr otherSegment = new Rmrr(1, 0x7C00_0000L, 0x7C0F_FFFFL, List.of(endpoint(0, 0x14, 0)));
        Rmrr usbAgain = new Rmrr(0, 0x7D00_0000L, 0x7D00_0FFFL, List.of(endpoint(0, 0x14, 0)));
        var l = lookup(includeAll(0, 0xFED9_0000L), usb, gfx, behindSwitch, otherSegment, usbAgain);
        assertEquals(List.of(usb, usbAgain), l.reservedRegionsFor(rid(0, 0x14, 0)));
        assertEquals(List.of(usb), l.reservedRegionsFor(rid(0, 0x1A, 0)));
        assertEquals(List.of(gfx), l.reservedRegionsFor(rid(0, 2, 0)));
        assertEquals(List.of(behindSwitch), l.reservedRegionsFor(rid(4, 0, 0)));
        assertEquals(List.of(), l.reservedRegionsFor(rid(5, 0, 0)));
        assertEquals(List.of(otherSegment), l.reservedRegionsFor(new RequesterId(1, 0, 0x14, 0)));
    }

    @Test
    void shouldSeeTheBridgesThePlatformEnumerates() {
        var bridgeBelowRootPort = MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("low", 0, 64L << 20)));
        try (Machine m = new Machine(bridgeBelowRootPort)) {
            Drhd port = unit(0, 0xFED8_0000L, bridgeScope(0, 0x1C, 0));
            var l = VtdIommuDriver.deviceLookup(new DmarTable(HEADER, 38, 0, List.of(port, includeAll(0, 0xFED9_0000L))),
                    PciSubsystem.scan(m));
            assertEquals(Optional.of(port), l.unitFor(rid(1, 0, 0)), "bus 1 is below the default root port 00:1c.0");
            assertTrue(l.unitFor(rid(0, 4, 0)).orElseThrow().includePciAll(), "the copy engine on bus 0");
        }
    }
}
