package org.jdma.machine.firmware.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdma.machine.firmware.acpi.DmarDescription.NamespaceDevice;
import org.jdma.machine.firmware.acpi.DmarDescription.RemappingUnit;
import org.jdma.machine.firmware.acpi.DmarDescription.ReservedMemoryRegion;
import org.jdma.machine.firmware.acpi.DmarDescription.RootPortAts;
import org.jdma.machine.firmware.acpi.DmarDescription.SocAtc;
import org.jdma.machine.firmware.acpi.DmarDescription.SocDeviceProperties;
import org.jdma.machine.firmware.acpi.DmarDescription.Structure;
import org.jdma.machine.firmware.acpi.DmarDescription.UnitAffinity;
import org.jdma.machine.firmware.acpi.DmarDescription.UnknownStructure;
import org.jdma.machine.pci.PciPath;
import org.jdma.machine.pci.PciTopology;
import org.jdma.spec.acpi.DeviceScopeLayout;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.spec.acpi.AnddLayout;
import org.jdma.spec.acpi.AtsrLayout;
import org.jdma.spec.acpi.DrhdLayout;
import org.jdma.spec.acpi.RhsaLayout;
import org.jdma.spec.acpi.RmrrLayout;
import org.jdma.spec.acpi.SatcLayout;
import org.jdma.spec.acpi.SidpLayout;

/**
 * Writes a DMAR table (VT-d spec §8) from a {@link DmarDescription}: every field at the offset its
 * layout class names, little-endian, reserved bytes zero, each structure's and scope's Length as
 * written, Table Length, and the checksum that makes the table's bytes sum to zero (ACPI 6.5
 * §5.2.6). Structures appear in the description's order; nothing is padded, so a table may end on
 * any byte (an ANDD name makes odd lengths).
 *
 * <p>A {@link ScopeDescription.PciDevice} scope becomes an endpoint scope, or a sub-hierarchy
 * scope when the function is a bridge, with the start bus and path {@link PciTopology#pathTo}
 * derives: the firmware writes what its own bus numbering says.
 *
 * <p>The builder writes only tables the specification allows, and rejects a description that
 * would break it with an {@link IllegalArgumentException} naming the structure (its index in the
 * description, from 0) and the field:
 * <ul>
 * <li>table: Host Address Width outside 11..63 (12- to 64-bit DMA addresses); flag bits the
 *     spec does not define; no DRHD; structures out of ascending type order (§8.1); a table
 *     longer than a Java array;</li>
 * <li>any field wider than its bytes (segment u16, proximity domain u32, device numbers u8, ...);
 *     a structure longer than 65535 bytes; a scope path longer than 124 hops (Length is a u8);</li>
 * <li>DRHD: Register Base Address not 4 KiB aligned or its register set wrapping past 2^64; Size
 *     field above 15; two units at one base; two INCLUDE_PCI_ALL units in a segment, or one that is
 *     not the last DRHD of its segment (§8.3); an INCLUDE_PCI_ALL unit listing PCI scopes, or
 *     another unit listing none;</li>
 * <li>RMRR: base or limit + 1 not 4 KiB aligned; base above limit; no scopes;</li>
 * <li>ATSR: ALL_PORTS with scopes, or neither; SATC, SIDP: no scopes;</li>
 * <li>RHSA: a register base no DRHD of the table has, or two RHSAs for one unit;</li>
 * <li>ANDD: an empty name or one with characters outside printable ASCII; a device number
 *     declared twice;</li>
 * <li>unknown structures: a type below 7;</li>
 * <li>scopes: a type the structure does not allow (DRHD any; INCLUDE_PCI_ALL DRHD IOAPIC, HPET,
 *     ACPI namespace; RMRR and SIDP PCI endpoint or sub-hierarchy; ATSR sub-hierarchy; SATC
 *     endpoint); an Enumeration ID on a PCI scope; a device in another segment than its structure,
 *     or one whose segment has no topology or whose bus is unreachable.</li>
 * </ul>
 */
public final class DmarTableBuilder {

    /** Longest path one scope can carry: Length is a u8 and counts the 6 header bytes. */
    public static final int MAX_PATH_HOPS = (0xFF - DeviceScopeLayout.PATH) / DeviceScopeLayout.PATH_ENTRY_SIZE;
    /** Lowest type code the specification reserves for future structures. */
    public static final int FIRST_RESERVED_TYPE = DmarLayout.TYPE_SIDP + 1;

    private static final int U8 = 0xFF;
    private static final int U16 = 0xFFFF;
    private static final long U32 = 0xFFFF_FFFFL;
    private static final int MIN_HAW = 11;
    private static final int MAX_HAW = 63;
    private static final int DEFINED_DMAR_FLAGS = DmarLayout.FLAG_INTR_REMAP | DmarLayout.FLAG_X2APIC_OPT_OUT
            | DmarLayout.FLAG_DMA_CTRL_PLATFORM_OPT_IN;
    private static final int SIZE_FIELD_MASK = 0x0F;
    private static final int PRINTABLE_FIRST = 0x21;
    private static final int PRINTABLE_LAST = 0x7E;

    private static final Set<Integer> ALL_SCOPE_TYPES = Set.of(DeviceScopeLayout.TYPE_PCI_ENDPOINT,
            DeviceScopeLayout.TYPE_PCI_SUBHIERARCHY, DeviceScopeLayout.TYPE_IOAPIC, DeviceScopeLayout.TYPE_HPET,
            DeviceScopeLayout.TYPE_ACPI_NAMESPACE);
    private static final Set<Integer> NON_PCI_SCOPE_TYPES = Set.of(DeviceScopeLayout.TYPE_IOAPIC,
            DeviceScopeLayout.TYPE_HPET, DeviceScopeLayout.TYPE_ACPI_NAMESPACE);
    private static final Set<Integer> PCI_SCOPE_TYPES = Set.of(DeviceScopeLayout.TYPE_PCI_ENDPOINT,
            DeviceScopeLayout.TYPE_PCI_SUBHIERARCHY);
    private static final Set<Integer> BRIDGE_SCOPE_TYPE = Set.of(DeviceScopeLayout.TYPE_PCI_SUBHIERARCHY);
    private static final Set<Integer> ENDPOINT_SCOPE_TYPE = Set.of(DeviceScopeLayout.TYPE_PCI_ENDPOINT);

    private final DmarDescription description;
    private final Map<Integer, PciTopology> topologies = new HashMap<>();

    private DmarTableBuilder(DmarDescription description, Collection<PciTopology> topologies) {
        this.description = description;
        for (PciTopology t : topologies) {
            if (this.topologies.put(t.segment(), t) != null) {
                throw new IllegalArgumentException(String.format("two PCI topologies for segment %04x", t.segment()));
            }
        }
    }

    /**
     * The table's bytes, for a description whose scopes are all {@link ScopeDescription.Explicit}.
     *
     * @throws IllegalArgumentException if the description breaks the specification (see above)
     */
    public static byte[] build(DmarDescription description) {
        return build(description, List.of());
    }

    /**
     * The table's bytes; {@link ScopeDescription.PciDevice} scopes take their paths from the
     * topology of their segment.
     *
     * @param topologies at most one per segment
     * @throws IllegalArgumentException if the description breaks the specification (see above)
     */
    public static byte[] build(DmarDescription description, Collection<PciTopology> topologies) {
        return new DmarTableBuilder(description, topologies).write();
    }

    private byte[] write() {
        checkTable();
        List<byte[]> parts = new ArrayList<>();
        long length = DmarLayout.STRUCTURES;
        List<Structure> structures = description.structures();
        for (int i = 0; i < structures.size(); i++) {
            byte[] part = structure(i, structures.get(i));
            if (part.length > U16) {
                throw fail(i, structures.get(i), "Length", "the structure would be %d bytes; Length is a u16", part.length);
            }
            parts.add(part);
            length += part.length;
        }
        // Java arrays stop short of Integer.MAX_VALUE; Table Length (u32) could say more.
        if (length > Integer.MAX_VALUE - Long.BYTES) {
            throw new IllegalArgumentException("DMAR table would be " + length + " bytes, more than one array holds");
        }
        ByteBuffer t = AcpiTableWriter.start(DmarLayout.SIGNATURE, (int) length, description.ids());
        t.put(DmarLayout.HOST_ADDRESS_WIDTH, (byte) description.hostAddressWidth());
        t.put(DmarLayout.FLAGS, (byte) description.flags());
        t.position(DmarLayout.STRUCTURES);
        for (byte[] part : parts) {
            t.put(part);
        }
        return AcpiTableWriter.finish(t);
    }

    // ---- table-wide rules ------------------------------------------------------------------

    private void checkTable() {
        int haw = description.hostAddressWidth();
        if (haw < MIN_HAW || haw > MAX_HAW) {
            throw new IllegalArgumentException(String.format(
                    "DMAR Host Address Width %d: DMA addresses of HAW+1 = %d bits; must be %d..%d bits",
                    haw, haw + 1, MIN_HAW + 1, MAX_HAW + 1));
        }
        if ((description.flags() & ~DEFINED_DMAR_FLAGS) != 0) {
            throw new IllegalArgumentException(String.format(
                    "DMAR Flags %#x: only bits 0-2 (INTR_REMAP, X2APIC_OPT_OUT, DMA_CTRL_PLATFORM_OPT_IN) are defined",
                    description.flags()));
        }
        List<Structure> structures = description.structures();
        if (description.structuresOf(RemappingUnit.class).isEmpty()) {
            throw new IllegalArgumentException("DMAR lists no DRHD: VT-d §8.1 requires at least one remapping unit");
        }
        for (int i = 1; i < structures.size(); i++) {
            if (structures.get(i).type() < structures.get(i - 1).type()) {
                throw fail(i, structures.get(i), "Type", "follows structure %d (%s): VT-d §8.1 wants ascending type order",
                        i - 1, name(structures.get(i - 1)));
            }
        }
        Set<Long> bases = new HashSet<>();
        Set<Integer> segmentsDone = new HashSet<>();
        for (int i = 0; i < structures.size(); i++) {
            if (!(structures.get(i) instanceof RemappingUnit u)) {
                continue;
            }
            if (!bases.add(u.registerBase())) {
                throw fail(i, u, "Register Base Address", "another DRHD already sits at %#x", u.registerBase());
            }
            if (segmentsDone.contains(u.segment())) {
                throw fail(i, u, "Flags", "follows the INCLUDE_PCI_ALL unit of segment %04x, which must be the segment's last DRHD (VT-d §8.3)",
                        u.segment());
            }
            if (u.includePciAll()) {
                segmentsDone.add(u.segment());
            }
        }
    }

    // ---- structures ------------------------------------------------------------------------

    private byte[] structure(int i, Structure s) {
        return switch (s) {
            case RemappingUnit u -> drhd(i, u);
            case ReservedMemoryRegion r -> rmrr(i, r);
            case RootPortAts a -> atsr(i, a);
            case UnitAffinity a -> rhsa(i, a);
            case NamespaceDevice n -> andd(i, n);
            case SocAtc c -> satc(i, c);
            case SocDeviceProperties p -> sidp(i, p);
            case UnknownStructure u -> unknown(i, u);
        };
    }

    private byte[] drhd(int i, RemappingUnit u) {
        checkU16(i, u, "Segment Number", u.segment());
        if (u.registerBase() % DrhdLayout.REGISTER_BASE_ALIGN != 0) {
            throw fail(i, u, "Register Base Address", "%#x is not 4 KiB aligned", u.registerBase());
        }
        if ((u.sizeField() & ~SIZE_FIELD_MASK) != 0) {
            throw fail(i, u, "Size", "%d: the register set is 2^N pages with N in bits 3:0 (0..15)", u.sizeField());
        }
        if (Long.compareUnsigned(u.registerBase() + u.registerSetSize() - 1, u.registerBase()) < 0) {
            throw fail(i, u, "Size", "%d pages from %#x run past the end of the address space", 1L << u.sizeField(), u.registerBase());
        }
        if (!u.includePciAll() && u.scopes().isEmpty()) {
            throw fail(i, u, "Device Scope", "a unit without INCLUDE_PCI_ALL must list the devices it covers");
        }
        byte[] scopes = scopes(i, u, u.segment(), u.scopes(), u.includePciAll() ? NON_PCI_SCOPE_TYPES : ALL_SCOPE_TYPES);
        ByteBuffer b = header(u, DrhdLayout.SCOPES + scopes.length);
        b.put(DrhdLayout.FLAGS, (byte) (u.includePciAll() ? DrhdLayout.FLAG_INCLUDE_PCI_ALL : 0));
        b.put(DrhdLayout.SIZE_FIELD, (byte) u.sizeField());
        b.putShort(DrhdLayout.SEGMENT, (short) u.segment());
        b.putLong(DrhdLayout.REGISTER_BASE, u.registerBase());
        return b.put(DrhdLayout.SCOPES, scopes).array();
    }

    private byte[] rmrr(int i, ReservedMemoryRegion r) {
        checkU16(i, r, "Segment Number", r.segment());
        if (r.base() % RmrrLayout.ALIGN != 0) {
            throw fail(i, r, "Base Address", "%#x is not 4 KiB aligned", r.base());
        }
        if ((r.limit() + 1) % RmrrLayout.ALIGN != 0) {
            throw fail(i, r, "End Address", "%#x: limit + 1 must be 4 KiB aligned (the limit is the region's last byte)", r.limit());
        }
        if (Long.compareUnsigned(r.base(), r.limit()) > 0) {
            throw fail(i, r, "Base Address", "%#x is above the End Address %#x", r.base(), r.limit());
        }
        if (r.scopes().isEmpty()) {
            throw fail(i, r, "Device Scope", "a reserved memory region must name the devices that use it");
        }
        byte[] scopes = scopes(i, r, r.segment(), r.scopes(), PCI_SCOPE_TYPES);
        ByteBuffer b = header(r, RmrrLayout.SCOPES + scopes.length);
        b.putShort(RmrrLayout.SEGMENT, (short) r.segment());
        b.putLong(RmrrLayout.BASE, r.base());
        b.putLong(RmrrLayout.LIMIT, r.limit());
        return b.put(RmrrLayout.SCOPES, scopes).array();
    }

    private byte[] atsr(int i, RootPortAts a) {
        checkU16(i, a, "Segment Number", a.segment());
        if (a.allPorts() != a.scopes().isEmpty()) {
            throw fail(i, a, "Flags", a.allPorts() ? "ALL_PORTS is set, so no root ports may be listed"
                    : "ALL_PORTS is clear, so the root ports with ATS must be listed");
        }
        byte[] scopes = scopes(i, a, a.segment(), a.scopes(), BRIDGE_SCOPE_TYPE);
        ByteBuffer b = header(a, AtsrLayout.SCOPES + scopes.length);
        b.put(AtsrLayout.FLAGS, (byte) (a.allPorts() ? AtsrLayout.FLAG_ALL_PORTS : 0));
        b.putShort(AtsrLayout.SEGMENT, (short) a.segment());
        return b.put(AtsrLayout.SCOPES, scopes).array();
    }

    private byte[] rhsa(int i, UnitAffinity a) {
        if (a.proximityDomain() < 0 || a.proximityDomain() > U32) {
            throw fail(i, a, "Proximity Domain", "%#x is not a u32", a.proximityDomain());
        }
        if (description.structuresOf(RemappingUnit.class).stream().noneMatch(u -> u.registerBase() == a.registerBase())) {
            throw fail(i, a, "Register Base Address", "%#x is the base of no DRHD in this table", a.registerBase());
        }
        List<UnitAffinity> all = description.structuresOf(UnitAffinity.class);
        if (all.stream().filter(o -> o.registerBase() == a.registerBase()).count() > 1) {
            throw fail(i, a, "Register Base Address", "the unit at %#x has more than one RHSA", a.registerBase());
        }
        ByteBuffer b = header(a, RhsaLayout.LENGTH);
        b.putLong(RhsaLayout.REGISTER_BASE, a.registerBase());
        return b.putInt(RhsaLayout.PROXIMITY_DOMAIN, (int) a.proximityDomain()).array();
    }

    private byte[] andd(int i, NamespaceDevice n) {
        checkU8(i, n, "ACPI Device Number", n.acpiDeviceNumber());
        if (description.structuresOf(NamespaceDevice.class).stream()
                .filter(o -> o.acpiDeviceNumber() == n.acpiDeviceNumber()).count() > 1) {
            throw fail(i, n, "ACPI Device Number", "%d is declared by more than one ANDD", n.acpiDeviceNumber());
        }
        String name = n.objectName();
        if (name.isEmpty()) {
            throw fail(i, n, "Object Name", "is empty");
        }
        for (int c = 0; c < name.length(); c++) {
            if (name.charAt(c) < PRINTABLE_FIRST || name.charAt(c) > PRINTABLE_LAST) {
                throw fail(i, n, "Object Name", "character %d of \"%s\" (U+%04X) is not printable ASCII", c, name, (int) name.charAt(c));
            }
        }
        long length = AnddLayout.OBJECT_NAME + (long) name.length() + 1;
        if (length > U16) {
            throw fail(i, n, "Object Name", "%d characters make the ANDD %d bytes; Length is a u16", name.length(), length);
        }
        ByteBuffer b = header(n, (int) length);
        b.put(AnddLayout.DEVICE_NUMBER, (byte) n.acpiDeviceNumber());
        AcpiTableWriter.ascii(b, AnddLayout.OBJECT_NAME, name); // the terminating NUL is the buffer's last, zero byte
        return b.array();
    }

    private byte[] satc(int i, SocAtc c) {
        checkU16(i, c, "Segment Number", c.segment());
        if (c.scopes().isEmpty()) {
            throw fail(i, c, "Device Scope", "an SATC must name the devices with an address translation cache");
        }
        byte[] scopes = scopes(i, c, c.segment(), c.scopes(), ENDPOINT_SCOPE_TYPE);
        ByteBuffer b = header(c, SatcLayout.SCOPES + scopes.length);
        b.put(SatcLayout.FLAGS, (byte) (c.atcRequired() ? SatcLayout.FLAG_ATC_REQUIRED : 0));
        b.putShort(SatcLayout.SEGMENT, (short) c.segment());
        return b.put(SatcLayout.SCOPES, scopes).array();
    }

    private byte[] sidp(int i, SocDeviceProperties p) {
        checkU16(i, p, "Segment Number", p.segment());
        if (p.scopes().isEmpty()) {
            throw fail(i, p, "Device Scope", "an SIDP must name the devices it describes");
        }
        byte[] scopes = scopes(i, p, p.segment(), p.scopes(), PCI_SCOPE_TYPES);
        ByteBuffer b = header(p, SidpLayout.SCOPES + scopes.length);
        b.putShort(SidpLayout.SEGMENT, (short) p.segment());
        return b.put(SidpLayout.SCOPES, scopes).array();
    }

    private byte[] unknown(int i, UnknownStructure u) {
        if (u.type() < FIRST_RESERVED_TYPE || u.type() > U16) {
            throw fail(i, u, "Type", "%d: a raw structure must have a reserved type (%d..65535)", u.type(), FIRST_RESERVED_TYPE);
        }
        byte[] payload = u.payload();
        if (DmarLayout.STRUCT_HEADER_SIZE + payload.length > U16) {
            throw fail(i, u, "Length", "a %d-byte payload does not fit a u16 Length", payload.length);
        }
        return header(u, DmarLayout.STRUCT_HEADER_SIZE + payload.length).put(DmarLayout.STRUCT_HEADER_SIZE, payload).array();
    }

    /** A zeroed structure buffer with Type and Length written (Length is checked by the caller). */
    private static ByteBuffer header(Structure s, int length) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(DmarLayout.STRUCT_TYPE, (short) s.type());
        b.putShort(DmarLayout.STRUCT_LENGTH, (short) length);
        return b;
    }

    // ---- device scopes ---------------------------------------------------------------------

    private byte[] scopes(int i, Structure s, int segment, List<ScopeDescription> scopes, Set<Integer> allowed) {
        List<byte[]> entries = new ArrayList<>();
        int total = 0;
        for (int k = 0; k < scopes.size(); k++) {
            ScopeDescription.Explicit e = resolve(i, s, k, segment, scopes.get(k));
            String where = "Device Scope " + k;
            if (!allowed.contains(e.type())) {
                throw fail(i, s, where + ".Type", "%d (%s) is not allowed here; allowed: %s", e.type(), scopeTypeName(e.type()),
                        allowed.stream().sorted().map(t -> t + " (" + scopeTypeName(t) + ")").toList());
            }
            checkU8(i, s, where + ".Flags", e.flags());
            checkU8(i, s, where + ".Enumeration ID", e.enumerationId());
            if (PCI_SCOPE_TYPES.contains(e.type()) && e.enumerationId() != 0) {
                throw fail(i, s, where + ".Enumeration ID", "%d: PCI scopes carry no enumeration id (reserved, 0)", e.enumerationId());
            }
            List<PciPath.Hop> hops = e.path().hops();
            if (hops.size() > MAX_PATH_HOPS) {
                throw fail(i, s, where + ".Path", "%d hops; a scope holds at most %d (Length is a u8)", hops.size(), MAX_PATH_HOPS);
            }
            int length = DeviceScopeLayout.PATH + hops.size() * DeviceScopeLayout.PATH_ENTRY_SIZE;
            byte[] entry = new byte[length];
            entry[DeviceScopeLayout.TYPE] = (byte) e.type();
            entry[DeviceScopeLayout.LENGTH] = (byte) length;
            entry[DeviceScopeLayout.FLAGS] = (byte) e.flags();
            entry[DeviceScopeLayout.ENUMERATION_ID] = (byte) e.enumerationId();
            entry[DeviceScopeLayout.START_BUS] = (byte) e.path().startBus();
            for (int h = 0; h < hops.size(); h++) {
                int at = DeviceScopeLayout.PATH + h * DeviceScopeLayout.PATH_ENTRY_SIZE;
                entry[at] = (byte) hops.get(h).device();
                entry[at + 1] = (byte) hops.get(h).function();
            }
            entries.add(entry);
            total += length;
        }
        ByteBuffer all = ByteBuffer.allocate(total);
        entries.forEach(all::put);
        return all.array();
    }

    private ScopeDescription.Explicit resolve(int i, Structure s, int k, int segment, ScopeDescription scope) {
        return switch (scope) {
            case ScopeDescription.Explicit e -> e;
            case ScopeDescription.PciDevice d -> {
                String where = "Device Scope " + k;
                if (d.device().segment() != segment) {
                    throw fail(i, s, where, "device %s is in segment %04x, the structure in segment %04x",
                            d.device(), d.device().segment(), segment);
                }
                PciTopology topology = topologies.get(segment);
                if (topology == null) {
                    throw fail(i, s, where, "device %s: no PCI topology for segment %04x to derive its path from", d.device(), segment);
                }
                PciPath path;
                try {
                    path = topology.pathTo(d.device());
                } catch (IllegalArgumentException e) {
                    throw fail(i, s, where, "%s", e.getMessage());
                }
                boolean bridge = topology.bridgeAt(d.device()).isPresent();
                yield new ScopeDescription.Explicit(bridge ? DeviceScopeLayout.TYPE_PCI_SUBHIERARCHY
                        : DeviceScopeLayout.TYPE_PCI_ENDPOINT, d.flags(), 0, path);
            }
        };
    }

    // ---- checks and messages ---------------------------------------------------------------

    private static void checkU8(int i, Structure s, String field, int v) {
        if (v < 0 || v > U8) {
            throw fail(i, s, field, "%d is not a u8", v);
        }
    }

    private static void checkU16(int i, Structure s, String field, int v) {
        if (v < 0 || v > U16) {
            throw fail(i, s, field, "%d is not a u16", v);
        }
    }

    private static IllegalArgumentException fail(int i, Structure s, String field, String format, Object... args) {
        return new IllegalArgumentException(String.format("DMAR structure %d (%s) %s: %s", i, name(s), field,
                String.format(format, args)));
    }

    /** The structure's name as the VT-d spec abbreviates it. */
    public static String name(Structure s) {
        return switch (s) {
            case RemappingUnit u -> "DRHD";
            case ReservedMemoryRegion r -> "RMRR";
            case RootPortAts a -> "ATSR";
            case UnitAffinity a -> "RHSA";
            case NamespaceDevice n -> "ANDD";
            case SocAtc c -> "SATC";
            case SocDeviceProperties p -> "SIDP";
            case UnknownStructure u -> "type " + u.type();
        };
    }

    private static String scopeTypeName(int type) {
        return switch (type) {
            case DeviceScopeLayout.TYPE_PCI_ENDPOINT -> "PCI endpoint";
            case DeviceScopeLayout.TYPE_PCI_SUBHIERARCHY -> "PCI sub-hierarchy";
            case DeviceScopeLayout.TYPE_IOAPIC -> "IOAPIC";
            case DeviceScopeLayout.TYPE_HPET -> "MSI-capable HPET";
            case DeviceScopeLayout.TYPE_ACPI_NAMESPACE -> "ACPI namespace device";
            default -> "unknown";
        };
    }
}
