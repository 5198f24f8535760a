package org.jdma.machine.iommu.vtd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.bus.AddressTranslator;
import org.jdma.machine.firmware.acpi.DmarDescription;
import org.jdma.machine.firmware.acpi.DmarDescription.RemappingUnit;
import org.jdma.machine.firmware.acpi.ScopeDescription;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.machine.pci.BridgeSpec;
import org.jdma.machine.pci.PciPath;
import org.jdma.machine.pci.PciTopology;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;
import org.jdma.machine.iommu.vtd.DrhdCoverage;
import org.jdma.machine.iommu.vtd.VtdUnit;

/** Which unit translates which device (§8.3): scopes, INCLUDE_PCI_ALL, and devices no unit covers. */
class DrhdCoverageTest {

    static final long MiB = 1L << 20;

    static MachineConfig small() {
        return MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("low", 0, 64 * MiB))).withDevices(CopyEngine.specs(2));
    }

    @Test
    void shouldGiveAnEndpointItsOwnUnitAndTheRestTheIncludeAllUnit() {
        var dmar = DmarDescription.of("T", 38, 0, List.of(
                RemappingUnit.covering(0, 0xFED8_0000L, List.of(ScopeDescription.device(RequesterId.of(0, 5, 0)))),
                RemappingUnit.includeAll(0, 0xFED9_0000L)));
        try (Machine m = new Machine(small().withDmar(dmar))) {
            List<VtdUnit> units = m.remappingUnits();
            assertEquals(2, units.size());
            assertEquals(0xFED8_0000L, units.get(0).registerBase());
            assertSame(units.get(1), m.dmaPorts().get(0).translator(), "memcpy0 (00:04.0): INCLUDE_PCI_ALL");
            assertSame(units.get(0), m.dmaPorts().get(1).translator(), "memcpy1 (00:05.0): listed by the first unit");
            assertEquals(0x10, m.cpu().read32(0xFED8_0000L));
            assertEquals(0x10, m.cpu().read32(0xFED9_0000L));
        }
    }

    @Test
    void shouldLeaveDevicesNoUnitCoversWithPhysicalDma() {
        var dmar = DmarDescription.of("T", 38, 0, List.of(
                RemappingUnit.covering(0, 0xFED9_0000L, List.of(ScopeDescription.device(RequesterId.of(0, 5, 0))))));
        try (Machine m = new Machine(small().withDmar(dmar))) {
            assertSame(AddressTranslator.IDENTITY, m.dmaPorts().get(0).translator());
            assertSame(m.remappingUnits().getFirst(), m.dmaPorts().get(1).translator());
        }
        try (Machine m = new Machine(small().withoutDmar())) {
            assertTrue(m.remappingUnits().isEmpty());
            assertSame(AddressTranslator.IDENTITY, m.dmaPorts().get(0).translator());
        }
    }

    /** Root port 00:1c.0 (buses 1-3) above a switch port 01:00.0 (buses 2-3) above 02:01.0 (bus 3). */
    static final List<BridgeSpec> BRIDGES = List.of(
            new BridgeSpec("rp", RequesterId.of(0, 0x1C, 0), 1, 3),
            new BridgeSpec("up", RequesterId.of(1, 0, 0), 2, 3),
            new BridgeSpec("down", RequesterId.of(2, 1, 0), 3, 3));
    static final PciTopology TOPOLOGY = PciTopology.of(0, BRIDGES);

    @Test
    void shouldCoverEverythingBelowABridgeOfASubHierarchyScope() {
        List<RemappingUnit> units = List.of(
                RemappingUnit.covering(0, 0x1000, List.of(ScopeDescription.device(RequesterId.of(1, 0, 0)))),
                RemappingUnit.includeAll(0, 0x2000));
        assertEquals(0, DrhdCoverage.unitFor(units, RequesterId.of(3, 0, 0), TOPOLOGY), "two buses down");
        assertEquals(0, DrhdCoverage.unitFor(units, RequesterId.of(2, 5, 1), TOPOLOGY));
        assertEquals(0, DrhdCoverage.unitFor(units, RequesterId.of(1, 0, 0), TOPOLOGY), "the bridge itself");
        assertEquals(1, DrhdCoverage.unitFor(units, RequesterId.of(1, 1, 0), TOPOLOGY), "beside the bridge");
        assertEquals(1, DrhdCoverage.unitFor(units, RequesterId.of(0, 4, 0), TOPOLOGY));
        assertEquals(-1, DrhdCoverage.unitFor(units, new RequesterId(1, 0, 4, 0), TOPOLOGY), "another segment");
    }

    @Test
    void shouldResolveExplicitScopePathsThroughTheBridges() {
        var endpoint = ScopeDescription.endpoint(PciPath.of(0, new PciPath.Hop(0x1C, 0), new PciPath.Hop(0, 0),
                new PciPath.Hop(1, 0), new PciPath.Hop(0, 2)));
        var sub = ScopeDescription.subHierarchy(PciPath.of(0, new PciPath.Hop(0x1C, 0), new PciPath.Hop(0, 0)));
        List<RemappingUnit> units = List.of(RemappingUnit.covering(0, 0x1000, List.of(endpoint)),
                RemappingUnit.covering(0, 0x2000, List.of(sub)));
        assertEquals(0, DrhdCoverage.unitFor(units, RequesterId.of(3, 0, 2), TOPOLOGY), "the endpoint's own unit first");
        assertEquals(1, DrhdCoverage.unitFor(units, RequesterId.of(3, 0, 1), TOPOLOGY));
        assertEquals(-1, DrhdCoverage.unitFor(units, RequesterId.of(1, 2, 0), TOPOLOGY));
        var broken = ScopeDescription.endpoint(PciPath.of(0, new PciPath.Hop(4, 0), new PciPath.Hop(0, 0)));
        assertEquals(-1, DrhdCoverage.unitFor(List.of(RemappingUnit.covering(0, 0x1000, List.of(broken))),
                RequesterId.of(1, 0, 0), TOPOLOGY), "00:04.0 is no bridge: the path leads nowhere");
    }
}
