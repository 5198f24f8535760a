package org.jdma.kernel.acpi;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.jdma.kernel.acpi.RemappingStructure.Andd;
import org.jdma.kernel.acpi.RemappingStructure.Atsr;
import org.jdma.kernel.acpi.RemappingStructure.Drhd;
import org.jdma.kernel.acpi.RemappingStructure.Rhsa;
import org.jdma.kernel.acpi.RemappingStructure.Rmrr;
import org.jdma.kernel.acpi.RemappingStructure.Satc;
import org.jdma.kernel.acpi.RemappingStructure.Sidp;
import org.jdma.kernel.acpi.RemappingStructure.Unknown;
import org.jdma.spec.acpi.AcpiHeaderLayout;
import org.jdma.machine.firmware.acpi.AcpiTableIds;
import org.jdma.spec.acpi.DeviceScopeLayout;
import org.jdma.machine.firmware.acpi.DmarDescription;
import org.jdma.machine.firmware.acpi.DmarDescription.NamespaceDevice;
import org.jdma.machine.firmware.acpi.DmarDescription.RemappingUnit;
import org.jdma.machine.firmware.acpi.DmarDescription.ReservedMemoryRegion;
import org.jdma.machine.firmware.acpi.DmarDescription.RootPortAts;
import org.jdma.machine.firmware.acpi.DmarDescription.SocAtc;
import org.jdma.machine.firmware.acpi.DmarDescription.SocDeviceProperties;
import org.jdma.machine.firmware.acpi.DmarDescription.Structure;
import org.jdma.machine.firmware.acpi.DmarDescription.UnitAffinity;
import org.jdma.machine.firmware.acpi.DmarDescription.UnknownStructure;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.machine.firmware.acpi.DmarTableBuilder;
import org.jdma.machine.firmware.acpi.ScopeDescription;
import org.jdma.machine.pci.BridgeSpec;
import org.jdma.machine.pci.PciPath;
import org.jdma.machine.pci.PciTopology;
import org.jdma.spec.pci.RequesterId;

/**
 * Test support for the firmware ↔ kernel round trip: maps the firmware's {@link DmarDescription}
 * to the model the parser should produce and back, and generates random valid descriptions (with
 * random PCI topologies for scopes named by requester id).
 *
 * <p>The two sides are separate programs on purpose; this mapping is the one place that states
 * how their fields correspond.
 */
final class DmarDescriptions {
    private DmarDescriptions() { }

    /** A description and the topologies its {@link ScopeDescription.PciDevice} scopes resolve in. */
    record Generated(DmarDescription description, List<PciTopology> topologies) {
        byte[] build() {
            return DmarTableBuilder.build(description, topologies);
        }
    }

    // ---- description → model ---------------------------------------------------------------

    /** The table the parser must read from {@code bytes}, which the builder wrote from {@code d}. */
    static DmarTable expectedModel(DmarDescription d, List<PciTopology> topologies, byte[] bytes) {
        AcpiTableIds ids = d.ids();
        var header = new AcpiTableHeader(DmarLayout.SIGNATURE, bytes.length, ids.revision(),
                bytes[AcpiHeaderLayout.CHECKSUM] & 0xFF, ids.oemId(), ids.oemTableId(), ids.oemRevision(), ids.creatorId(),
                ids.creatorRevision());
        List<RemappingStructure> structures = new ArrayList<>();
        for (Structure s : d.structures()) {
            structures.add(switch (s) {
                case RemappingUnit u -> new Drhd(u.includePciAll() ? Drhd.FLAG_INCLUDE_PCI_ALL : 0, u.sizeField(), u.segment(),
                        u.registerBase(), scopes(u.segment(), u.scopes(), topologies));
                case ReservedMemoryRegion r -> new Rmrr(r.segment(), r.base(), r.limit(), scopes(r.segment(), r.scopes(), topologies));
                case RootPortAts a -> new Atsr(a.allPorts() ? Atsr.FLAG_ALL_PORTS : 0, a.segment(), scopes(a.segment(), a.scopes(), topologies));
                case UnitAffinity a -> new Rhsa(a.registerBase(), a.proximityDomain());
                case NamespaceDevice n -> new Andd(n.acpiDeviceNumber(), n.objectName());
                case SocAtc c -> new Satc(c.atcRequired() ? Satc.FLAG_ATC_REQUIRED : 0, c.segment(), scopes(c.segment(), c.scopes(), topologies));
                case SocDeviceProperties p -> new Sidp(p.segment(), scopes(p.segment(), p.scopes(), topologies));
                case UnknownStructure u -> new Unknown(u.type(), new RawBytes(unknownBytes(u)));
            });
        }
        return new DmarTable(header, d.hostAddressWidth(), d.flags(), structures);
    }

    private static byte[] unknownBytes(UnknownStructure u) {
        byte[] payload = u.payload();
        byte[] all = new byte[DmarLayout.STRUCT_HEADER_SIZE + payload.length];
        all[DmarLayout.STRUCT_TYPE] = (byte) u.type();
        all[DmarLayout.STRUCT_TYPE + 1] = (byte) (u.type() >>> 8);
        all[DmarLayout.STRUCT_LENGTH] = (byte) all.length;
        all[DmarLayout.STRUCT_LENGTH + 1] = (byte) (all.length >>> 8);
        System.arraycopy(payload, 0, all, DmarLayout.STRUCT_HEADER_SIZE, payload.length);
        return all;
    }

    private static List<DeviceScope> scopes(int segment, List<ScopeDescription> scopes, List<PciTopology> topologies) {
        return scopes.stream().map(s -> scope(segment, s, topologies)).toList();
    }

    private static DeviceScope scope(int segment, ScopeDescription s, List<PciTopology> topologies) {
        ScopeDescription.Explicit e = switch (s) {
            case ScopeDescription.Explicit x -> x;
            case ScopeDescription.PciDevice p -> {
                PciTopology t = topologies.stream().filter(x -> x.segment() == segment).findFirst().orElseThrow();
                boolean bridge = t.bridgeAt(p.device()).isPresent();
                yield new ScopeDescription.Explicit(bridge ? DeviceScopeLayout.TYPE_PCI_SUBHIERARCHY : DeviceScopeLayout.TYPE_PCI_ENDPOINT,
                        p.flags(), 0, t.pathTo(p.device()));
            }
        };
        return new DeviceScope(e.type(), e.flags(), e.enumerationId(), e.path().startBus(),
                e.path().hops().stream().map(h -> new PciPathEntry(h.device(), h.function())).toList());
    }

    // ---- model → description ---------------------------------------------------------------

    /**
     * The description that writes {@code table} again: every field the model holds, scopes
     * spelled out. Defined for tables the builder can express (defined flag bits only, zero
     * reserved bytes, structures in type order, ...); the builder refuses the others.
     */
    static DmarDescription description(DmarTable table) {
        AcpiTableHeader h = table.header();
        var ids = new AcpiTableIds(h.revision(), h.oemId(), h.oemTableId(), h.oemRevision(), h.creatorId(), h.creatorRevision());
        List<Structure> structures = new ArrayList<>();
        for (RemappingStructure s : table.structures()) {
            structures.add(switch (s) {
                case Drhd u -> new RemappingUnit(u.segment(), u.registerBase(), u.size(), u.includePciAll(), scopes(u.scopes()));
                case Rmrr r -> new ReservedMemoryRegion(r.segment(), r.base(), r.limit(), scopes(r.scopes()));
                case Atsr a -> new RootPortAts(a.segment(), a.allPorts(), scopes(a.scopes()));
                case Rhsa a -> new UnitAffinity(a.registerBase(), a.proximityDomain());
                case Andd n -> new NamespaceDevice(n.acpiDeviceNumber(), n.objectName());
                case Satc c -> new SocAtc(c.segment(), (c.flags() & Satc.FLAG_ATC_REQUIRED) != 0, scopes(c.scopes()));
                case Sidp p -> new SocDeviceProperties(p.segment(), scopes(p.scopes()));
                case Unknown u -> new UnknownStructure(u.type(), Arrays.copyOfRange(u.bytes().toArray(), DmarLayout.STRUCT_HEADER_SIZE,
                        u.bytes().length()));
            });
        }
        return new DmarDescription(ids, table.hostAddressWidth(), table.flags(), structures);
    }

    private static List<ScopeDescription> scopes(List<DeviceScope> scopes) {
        return scopes.stream().<ScopeDescription>map(s -> new ScopeDescription.Explicit(s.type(), s.flags(), s.enumerationId(),
                new PciPath(s.startBus(), s.path().stream().map(p -> new PciPath.Hop(p.device(), p.function())).toList()))).toList();
    }

    // ---- random valid descriptions ---------------------------------------------------------

    private static final String PRINTABLE = "\\_^.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-+!#$%&*";

    /** A random description the builder accepts, drawing every choice from {@code rnd}. */
    static Generated random(SplittableRandom rnd) {
        var ids = new AcpiTableIds(rnd.nextInt(256), latin1(rnd, rnd.nextInt(7)), latin1(rnd, rnd.nextInt(9)),
                rnd.nextLong(1L << 32), latin1(rnd, rnd.nextInt(5)), rnd.nextLong(1L << 32));
        Set<Integer> segmentSet = new HashSet<>(List.of(0));
        for (int i = rnd.nextInt(3); i > 0; i--) {
            segmentSet.add(rnd.nextBoolean() ? 1 : rnd.nextInt(0x10000));
        }
        Map<Integer, PciTopology> topologies = new TreeMap<>();
        for (int segment : segmentSet) {
            topologies.put(segment, randomTopology(rnd, segment));
        }
        List<Integer> segments = List.copyOf(topologies.keySet());
        Generator g = new Generator(rnd, topologies);

        List<Structure> s = new ArrayList<>();
        Set<Long> bases = new HashSet<>();
        List<RemappingUnit> units = new ArrayList<>();
        for (int i = rnd.nextInt(4); i > 0; i--) {
            int segment = pick(rnd, segments);
            units.add(new RemappingUnit(segment, g.base(bases), rnd.nextInt(4), false, g.scopes(segment, Generator.ANY, 1, 4)));
        }
        for (int segment : segments) {
            if (units.isEmpty() || rnd.nextInt(3) > 0) {
                units.add(new RemappingUnit(segment, g.base(bases), rnd.nextInt(16), true, g.scopes(segment, Generator.NON_PCI, 0, 3)));
            }
        }
        s.addAll(units);
        for (int i = rnd.nextInt(4); i > 0; i--) {
            int segment = pick(rnd, segments);
            long base = rnd.nextLong(1L << 40) & ~0xFFFL;
            long limit = base + (rnd.nextLong(1, 1L << 20) << 12) - 1;
            s.add(new ReservedMemoryRegion(segment, base, limit, g.scopes(segment, Generator.PCI, 1, 3)));
        }
        for (int i = rnd.nextInt(3); i > 0; i--) {
            int segment = pick(rnd, segments);
            boolean all = rnd.nextBoolean();
            s.add(new RootPortAts(segment, all, all ? List.of() : g.scopes(segment, Generator.BRIDGE, 1, 3)));
        }
        List<RemappingUnit> withAffinity = new ArrayList<>(units);
        for (int i = rnd.nextInt(withAffinity.size() + 1); i > 0; i--) {
            s.add(new UnitAffinity(withAffinity.remove(rnd.nextInt(withAffinity.size())).registerBase(), rnd.nextLong(1L << 32)));
        }
        Set<Integer> numbers = new HashSet<>();
        for (int i = rnd.nextInt(4); i > 0; i--) {
            int number = rnd.nextInt(256);
            if (numbers.add(number)) {
                StringBuilder name = new StringBuilder();
                for (int c = rnd.nextInt(1, 40); c > 0; c--) {
                    name.append(PRINTABLE.charAt(rnd.nextInt(PRINTABLE.length())));
                }
                s.add(new NamespaceDevice(number, name.toString()));
            }
        }
        for (int i = rnd.nextInt(3); i > 0; i--) {
            int segment = pick(rnd, segments);
            s.add(new SocAtc(segment, rnd.nextBoolean(), g.scopes(segment, Generator.ENDPOINT, 1, 3)));
        }
        for (int i = rnd.nextInt(3); i > 0; i--) {
            int segment = pick(rnd, segments);
            s.add(new SocDeviceProperties(segment, g.scopes(segment, Generator.PCI, 1, 3)));
        }
        List<Structure> unknown = new ArrayList<>();
        for (int i = rnd.nextInt(3); i > 0; i--) {
            byte[] payload = new byte[rnd.nextInt(40)];
            rnd.nextBytes(payload);
            unknown.add(new UnknownStructure(rnd.nextInt(DmarTableBuilder.FIRST_RESERVED_TYPE, 0x10000), payload));
        }
        unknown.sort(Comparator.comparingInt(Structure::type));
        s.addAll(unknown);
        var d = new DmarDescription(ids, rnd.nextInt(11, 64), rnd.nextInt(8), s);
        return new Generated(d, List.copyOf(topologies.values()));
    }

    private static String latin1(SplittableRandom rnd, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append((char) rnd.nextInt(256));
        }
        return s.toString();
    }

    private static <T> T pick(SplittableRandom rnd, List<T> from) {
        return from.get(rnd.nextInt(from.size()));
    }

    /** Bridges numbered depth-first from root bus 0, up to 4 deep, as firmware numbers them. */
    static PciTopology randomTopology(SplittableRandom rnd, int segment) {
        List<BridgeSpec> bridges = new ArrayList<>();
        grow(rnd, segment, bridges, 0, new int[] {1}, 0);
        return PciTopology.of(segment, bridges);
    }

    private static void grow(SplittableRandom rnd, int segment, List<BridgeSpec> out, int bus, int[] next, int depth) {
        int children = depth >= 4 ? 0 : rnd.nextInt(depth == 0 ? 4 : 3);
        for (int c = 0; c < children && next[0] < 250; c++) {
            int secondary = next[0]++;
            int index = out.size();
            out.add(null);
            grow(rnd, segment, out, secondary, next, depth + 1);
            next[0] += rnd.nextInt(2);
            out.set(index, new BridgeSpec("b" + secondary, new RequesterId(segment, bus, 0x10 + c, rnd.nextInt(8)),
                    secondary, next[0] - 1));
        }
    }

    /** Draws scopes of the kinds a structure allows. */
    private record Generator(SplittableRandom rnd, Map<Integer, PciTopology> topologies) {
        static final int[] ANY = {1, 2, 3, 4, 5};
        static final int[] NON_PCI = {3, 4, 5};
        static final int[] PCI = {1, 2};
        static final int[] BRIDGE = {2};
        static final int[] ENDPOINT = {1};

        long base(Set<Long> used) {
            long b;
            do {
                b = rnd.nextLong(1L << 44) & ~0xFFFL; // far from 2^64, so 2^15 pages never wrap
            } while (!used.add(b));
            return b;
        }

        List<ScopeDescription> scopes(int segment, int[] types, int min, int max) {
            List<ScopeDescription> out = new ArrayList<>();
            for (int i = rnd.nextInt(min, max + 1); i > 0; i--) {
                out.add(scope(segment, types[rnd.nextInt(types.length)]));
            }
            return out;
        }

        private ScopeDescription scope(int segment, int type) {
            PciTopology t = topologies.get(segment);
            boolean pci = type == DeviceScopeLayout.TYPE_PCI_ENDPOINT || type == DeviceScopeLayout.TYPE_PCI_SUBHIERARCHY;
            if (pci && rnd.nextBoolean()) {
                // Named by requester id: the builder derives the path.
                if (type == DeviceScopeLayout.TYPE_PCI_SUBHIERARCHY && !t.bridges().isEmpty()) {
                    return new ScopeDescription.PciDevice(pick(rnd, t.bridges()).requester(), rnd.nextInt(256));
                }
                if (type == DeviceScopeLayout.TYPE_PCI_ENDPOINT) {
                    List<Integer> buses = new ArrayList<>(List.of(0));
                    t.bridges().forEach(b -> buses.add(b.secondaryBus()));
                    RequesterId r = new RequesterId(segment, pick(rnd, buses), rnd.nextInt(0x10), rnd.nextInt(8)); // devices 0-f: no bridge
                    return new ScopeDescription.PciDevice(r, rnd.nextInt(256));
                }
            }
            List<PciPath.Hop> hops = new ArrayList<>();
            int n = rnd.nextInt(10) == 0 ? rnd.nextInt(1, DmarTableBuilder.MAX_PATH_HOPS + 1) : rnd.nextInt(1, 5);
            for (int i = 0; i < n; i++) {
                hops.add(new PciPath.Hop(rnd.nextInt(32), rnd.nextInt(8)));
            }
            return new ScopeDescription.Explicit(type, rnd.nextInt(256), pci ? 0 : rnd.nextInt(256), new PciPath(rnd.nextInt(256), hops));
        }
    }
}
