package org.jdma.kernel.acpi;

import org.jdma.kernel.iommu.vtd.VtdIommuDriver;
import org.jdma.kernel.pci.PciSubsystem;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.machine.pci.BridgeSpec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.jdma.kernel.acpi.RemappingStructure.Drhd;
import org.jdma.kernel.acpi.RemappingStructure.Rmrr;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.firmware.acpi.DmarDescription;
import org.jdma.machine.firmware.acpi.DmarDescription.RemappingUnit;
import org.jdma.machine.firmware.acpi.DmarDescription.ReservedMemoryRegion;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.machine.firmware.acpi.DmarTableBuilder;
import org.jdma.machine.firmware.acpi.ScopeDescription;
import org.jdma.machine.pci.PciTopology;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Firmware and kernel agree on the bytes: what the machine's builder writes, the kernel's parser
 * reads back as the same table, and the table the parser reads, the builder writes again byte for
 * byte. Random descriptions cover every structure, scope type, long paths, odd table lengths and
 * scopes derived from random PCI topologies.
 */
class DmarRoundTripTest {

    static final int DESCRIPTIONS_PER_SEED = 300;

    static String why(long seed, int i, byte[] bytes) {
        return "seed " + seed + ", description " + i + ", table " + HexFormat.of().formatHex(bytes);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 0x5EED_D3A7L})
    void shouldParseWhatTheBuilderWroteAsTheDescribedTable(long seed) throws DmarParseException {
        SplittableRandom rnd = new SplittableRandom(seed);
        Set<Class<?>> kinds = new HashSet<>();
        Set<Integer> scopeTypes = new HashSet<>();
        int longestDerivedPath = 0;
        int oddLengths = 0;
        for (int i = 0; i < DESCRIPTIONS_PER_SEED; i++) {
            DmarDescriptions.Generated g = DmarDescriptions.random(rnd);
            byte[] bytes = g.build();
            String why = why(seed, i, bytes);
            DmarTable expected = DmarDescriptions.expectedModel(g.description(), g.topologies(), bytes);
            assertEquals(expected, DmarParser.parse(bytes), why);
            DmarParser.Result lenient = DmarParser.parseLenient(bytes);
            assertEquals(expected, lenient.table(), why);
            assertEquals(List.of(), lenient.warnings(), why);

            expected.structures().forEach(s -> kinds.add(s.getClass()));
            expected.structures().stream().flatMap(s -> scopesOf(s).stream()).forEach(sc -> scopeTypes.add(sc.type()));
            for (var s : g.description().structures()) {
                for (ScopeDescription sc : scopesOf(s)) {
                    if (sc instanceof ScopeDescription.PciDevice d) {
                        PciTopology t = g.topologies().stream().filter(x -> x.segment() == d.device().segment()).findFirst().orElseThrow();
                        longestDerivedPath = Math.max(longestDerivedPath, t.pathTo(d.device()).hops().size());
                    }
                }
            }
            oddLengths += bytes.length % 4 != 0 ? 1 : 0;
        }
        // The generator must reach every case, or this test proves less than it claims.
        assertEquals(8, kinds.size(), "seed " + seed + ": structure kinds seen " + kinds);
        assertEquals(Set.of(1, 2, 3, 4, 5), scopeTypes, "seed " + seed);
        assertTrue(longestDerivedPath >= 4, "seed " + seed + ": longest derived path " + longestDerivedPath);
        assertTrue(oddLengths > 0, "seed " + seed + ": no table length that is not a multiple of 4");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3, 4, 0x5EED_B17EL})
    void shouldRebuildTheSameBytesFromTheParsedTable(long seed) throws DmarParseException {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < DESCRIPTIONS_PER_SEED; i++) {
            byte[] bytes = DmarDescriptions.random(rnd).build();
            DmarTable parsed = DmarParser.parse(bytes);
            assertArrayEquals(bytes, DmarTableBuilder.build(DmarDescriptions.description(parsed)), why(seed, i, bytes));
        }
    }

    /** The firmware derives paths upward from a device; the kernel walks them downward: both must meet at the device. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {5, 0x5EED_0A7BL})
    void shouldResolveEveryScopeTheFirmwareDerivedToItsDevice(long seed) throws DmarParseException {
        SplittableRandom rnd = new SplittableRandom(seed);
        int checked = 0;
        for (int i = 0; i < DESCRIPTIONS_PER_SEED; i++) {
            DmarDescriptions.Generated g = DmarDescriptions.random(rnd);
            byte[] bytes = g.build();
            DmarTable parsed = DmarParser.parse(bytes);
            var enumerated = g.topologies().stream().flatMap(t -> t.bridges().stream())
                    .map(b -> new DmarDeviceLookup.Bridge(b.requester(), b.secondaryBus(), b.subordinateBus())).toList();
            var lookup = new DmarDeviceLookup(parsed, enumerated);
            List<DmarDescription.Structure> described = g.description().structures();
            for (int s = 0; s < described.size(); s++) {
                List<ScopeDescription> scopes = scopesOf(described.get(s));
                List<DeviceScope> read = scopesOf(parsed.structures().get(s));
                for (int k = 0; k < scopes.size(); k++) {
                    if (scopes.get(k) instanceof ScopeDescription.PciDevice d) {
                        PciTopology t = g.topologies().stream().filter(x -> x.segment() == d.device().segment()).findFirst().orElseThrow();
                        var target = lookup.resolve(d.device().segment(), read.get(k));
                        assertEquals(Optional.of(d.device()), target.map(DmarDeviceLookup.ScopeTarget::function), why(seed, i, bytes));
                        assertEquals(t.bridgeAt(d.device()).isPresent(), target.get().bridge(), why(seed, i, bytes));
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked > DESCRIPTIONS_PER_SEED, "only " + checked + " derived scopes checked");
    }

    static List<ScopeDescription> scopesOf(DmarDescription.Structure s) {
        return switch (s) {
            case RemappingUnit u -> u.scopes();
            case ReservedMemoryRegion r -> r.scopes();
            case DmarDescription.RootPortAts a -> a.scopes();
            case DmarDescription.SocAtc c -> c.scopes();
            case DmarDescription.SocDeviceProperties p -> p.scopes();
            default -> List.of();
        };
    }

    static List<DeviceScope> scopesOf(RemappingStructure s) {
        return switch (s) {
            case Drhd u -> u.scopes();
            case Rmrr r -> r.scopes();
            case RemappingStructure.Atsr a -> a.scopes();
            case RemappingStructure.Satc c -> c.scopes();
            case RemappingStructure.Sidp p -> p.scopes();
            default -> List.of();
        };
    }

    @Test
    void shouldParseTheDefaultMachinesDmarStrictly() throws DmarParseException {
        try (Machine m = Machine.createDefault()) {
            byte[] bytes = m.acpiTable(DmarLayout.SIGNATURE).orElseThrow();
            DmarTable t = DmarParser.parse(bytes);
            assertEquals(new AcpiTableHeader("DMAR", 64, 1, bytes[9] & 0xFF, "JDMA  ", "JDMAMACH", 1, "JDMA", 1), t.header());
            assertEquals(39, t.physicalAddressBits());
            assertEquals(DmarTable.FLAG_INTR_REMAP | DmarTable.FLAG_DMA_CTRL_PLATFORM_OPT_IN, t.flags());
            Drhd unit = new Drhd(Drhd.FLAG_INCLUDE_PCI_ALL, 0, 0, MachineConfig.VTD_REGISTER_BASE, List.of());
            assertEquals(List.of(unit), t.structures());
            assertEquals(DmarDescriptions.expectedModel(MachineConfig.defaultDmar(), List.of(), bytes), t);
            var lookup = VtdIommuDriver.deviceLookup(t, PciSubsystem.scan(m));
            assertEquals(Optional.of(unit), lookup.unitFor(m.devices(CopyEngine.class).getFirst().requester()));
            assertEquals(Optional.of(unit), lookup.unitFor(RequesterId.of(1, 0, 0)), "behind the root port too");
            assertEquals(List.of(), lookup.reservedRegionsFor(RequesterId.of(0, 4, 0)));
        }
    }

    /** A machine with a switch below its root port, a unit for that hierarchy and a USB-style RMRR. */
    @Test
    void shouldLookUpUnitsAndRegionsOnARichMachine() throws DmarParseException {
        var bridges = List.of(new BridgeSpec("rp", RequesterId.of(0, 0x1C, 0), 1, 3),
                new BridgeSpec("up", RequesterId.of(1, 0, 0), 2, 3),
                new BridgeSpec("down", RequesterId.of(2, 1, 0), 3, 3));
        var engine = RequesterId.of(0, 4, 0);
        var slot = RequesterId.of(3, 0, 0);
        var dmar = DmarDescription.of("RICH", 47, DmarLayout.FLAG_DMA_CTRL_PLATFORM_OPT_IN, List.of(
                RemappingUnit.covering(0, 0xFED8_0000L, List.of(ScopeDescription.device(RequesterId.of(0, 0x1C, 0)))),
                RemappingUnit.includeAll(0, MachineConfig.VTD_REGISTER_BASE),
                new ReservedMemoryRegion(0, 0x10_0000, 0x10_FFFF, List.of(ScopeDescription.device(engine), ScopeDescription.device(slot))),
                new DmarDescription.UnitAffinity(0xFED8_0000L, 1),
                new DmarDescription.NamespaceDevice(1, "\\_SB.PCI0.I2C0")));
        var config = MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("low", 0, 64L << 20)))
                .withBridges(bridges).withDmar(dmar);
        try (Machine m = new Machine(config)) {
            DmarTable t = DmarParser.parse(m.acpiTable("DMAR").orElseThrow());
            var lookup = VtdIommuDriver.deviceLookup(t, PciSubsystem.scan(m));
            Drhd port = t.structuresOf(Drhd.class).getFirst();
            Drhd all = t.structuresOf(Drhd.class).getLast();
            assertEquals(0xFED8_0000L, port.registerBase());
            assertEquals(Optional.of(port), lookup.unitFor(slot));
            assertEquals(Optional.of(port), lookup.unitFor(RequesterId.of(0, 0x1C, 0)));
            assertEquals(Optional.of(all), lookup.unitFor(engine));
            Rmrr usb = t.structuresOf(Rmrr.class).getFirst();
            assertEquals(List.of(usb), lookup.reservedRegionsFor(slot));
            assertEquals(List.of(usb), lookup.reservedRegionsFor(engine));
            assertEquals(List.of(), lookup.reservedRegionsFor(RequesterId.of(3, 1, 0)));
            assertEquals(48, t.physicalAddressBits());
        }
    }
}
