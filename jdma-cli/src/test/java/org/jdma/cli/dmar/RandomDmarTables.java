package org.jdma.cli.dmar;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jdma.cli.dmar.IaslDmarFormat.Field;
import org.jdma.kernel.acpi.AcpiTableHeader;
import org.jdma.kernel.acpi.DeviceScope;
import org.jdma.kernel.acpi.DmarTable;
import org.jdma.kernel.acpi.PciPathEntry;
import org.jdma.kernel.acpi.RemappingStructure;
import org.jdma.spec.acpi.AcpiHeaderLayout;
import org.jdma.spec.acpi.AtsrLayout;
import org.jdma.spec.acpi.DeviceScopeLayout;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.spec.acpi.DrhdLayout;
import org.jdma.spec.acpi.SatcLayout;
import org.jdma.spec.acpi.SidpLayout;

/**
 * Valid DMAR tables drawn from a seeded random source: their bytes (written by {@link DmarBytes})
 * and the model a correct parser must return for them. Each table has one to four DRHDs (the
 * last one of a segment sometimes INCLUDE_PCI_ALL), device scopes of every type with paths of one
 * to four hops, RMRRs, ATSRs, RHSAs and ANDDs (names padded or not, so lengths are odd or even),
 * in the type order VT-d §8.1 asks for. With {@code socStructures}, SATC and SIDP structures
 * follow, and the fields they must print as are given by hand from their layouts.
 */
public final class RandomDmarTables {
    private RandomDmarTables() { }

    /**
     * One generated table.
     *
     * @param bytes          the table
     * @param model          what the parser must return
     * @param socOffset      where the first SATC or SIDP starts, or -1 when there is none
     * @param socFields      the fields SATC and SIDP structures must print as (from {@code socOffset} on)
     */
    public record Table(byte[] bytes, DmarTable model, int socOffset, List<Field> socFields) { }

    public static Table generate(SplittableRandom r, boolean socStructures) {
        List<byte[]> parts = new ArrayList<>();
        List<RemappingStructure> model = new ArrayList<>();
        int segments = 1 + r.nextInt(2);
        int drhds = 1 + r.nextInt(4);
        List<Long> bases = new ArrayList<>();
        for (int i = 0; i < drhds; i++) {
            int segment = i * segments / drhds;
            boolean lastOfSegment = (i + 1) * segments / drhds != segment;
            boolean includeAll = lastOfSegment && r.nextBoolean();
            long base = 0xFED9_0000L + 0x1000L * i + (r.nextBoolean() ? 0 : 0x10_0000_0000L);
            bases.add(base);
            int size = r.nextInt(3);
            List<Scope> scopes = new ArrayList<>();
            int n = includeAll ? r.nextInt(3) : 1 + r.nextInt(5);
            for (int s = 0; s < n; s++) {
                scopes.add(includeAll
                        ? scope(r, r.nextBoolean() ? DeviceScopeLayout.TYPE_IOAPIC : DeviceScopeLayout.TYPE_HPET)
                        : scope(r, 1 + r.nextInt(5)));
            }
            int flags = includeAll ? DrhdLayout.FLAG_INCLUDE_PCI_ALL : 0;
            parts.add(DmarBytes.drhd(flags, size, segment, base, bytes(scopes)));
            model.add(new RemappingStructure.Drhd(flags, size, segment, base, models(scopes)));
        }
        for (int i = r.nextInt(4); i > 0; i--) {
            long base = r.nextLong(1L << 28) << 12;
            long limit = base + ((1L + r.nextInt(1024)) << 12) - 1;
            int segment = r.nextInt(segments);
            List<Scope> scopes = scopes(r, 1 + r.nextInt(3), DeviceScopeLayout.TYPE_PCI_ENDPOINT, DeviceScopeLayout.TYPE_PCI_SUBHIERARCHY);
            parts.add(DmarBytes.rmrr(segment, base, limit, bytes(scopes)));
            model.add(new RemappingStructure.Rmrr(segment, base, limit, models(scopes)));
        }
        for (int i = r.nextInt(3); i > 0; i--) {
            boolean allPorts = r.nextBoolean();
            int segment = r.nextInt(segments);
            List<Scope> scopes = allPorts ? List.of() : scopes(r, 1 + r.nextInt(3), DeviceScopeLayout.TYPE_PCI_SUBHIERARCHY);
            int flags = allPorts ? AtsrLayout.FLAG_ALL_PORTS : 0;
            parts.add(DmarBytes.atsr(flags, segment, bytes(scopes)));
            model.add(new RemappingStructure.Atsr(flags, segment, models(scopes)));
        }
        for (int i = Math.min(r.nextInt(3), bases.size()); i > 0; i--) {
            long base = bases.get(i - 1);
            long domain = r.nextLong(1L << 32);
            parts.add(DmarBytes.rhsa(base, domain));
            model.add(new RemappingStructure.Rhsa(base, domain));
        }
        for (int i = r.nextInt(3); i > 0; i--) {
            String name = "\\_SB.PCI0." + "ABCDEFGHIJKLMNOPQRSTUVWXYZ".charAt(r.nextInt(26)) + Integer.toHexString(r.nextInt(0x1000)).toUpperCase();
            int number = r.nextInt(256);
            parts.add(DmarBytes.andd(number, name, r.nextInt(4)));
            model.add(new RemappingStructure.Andd(number, name));
        }
        int socOffset = -1;
        List<Field> socFields = new ArrayList<>();
        if (socStructures) {
            socOffset = DmarLayout.STRUCTURES + parts.stream().mapToInt(p -> p.length).sum();
            int at = socOffset;
            for (int i = 1 + r.nextInt(2); i > 0; i--) {
                int flags = r.nextInt(2);
                int segment = r.nextInt(segments);
                List<Scope> scopes = scopes(r, 1 + r.nextInt(3), DeviceScopeLayout.TYPE_PCI_ENDPOINT);
                byte[] satc = DmarBytes.satc(flags, segment, bytes(scopes));
                parts.add(satc);
                model.add(new RemappingStructure.Satc(flags, segment, models(scopes)));
                at = expectSoc(socFields, at, satc.length, DmarLayout.TYPE_SATC, "SoC Integrated Address Translation Cache",
                        List.of(new Field(at + SatcLayout.FLAGS, 1, "Flags", hex2(flags)),
                                new Field(at + SatcLayout.RESERVED, 1, "Reserved", "00"),
                                new Field(at + SatcLayout.SEGMENT, 2, "PCI Segment Number", hex4(segment))),
                        at + SatcLayout.SCOPES, scopes);
            }
            for (int i = 1 + r.nextInt(2); i > 0; i--) {
                int segment = r.nextInt(segments);
                List<Scope> scopes = scopes(r, 1 + r.nextInt(3), DeviceScopeLayout.TYPE_PCI_ENDPOINT, DeviceScopeLayout.TYPE_PCI_SUBHIERARCHY);
                byte[] sidp = DmarBytes.sidp(segment, bytes(scopes));
                parts.add(sidp);
                model.add(new RemappingStructure.Sidp(segment, models(scopes)));
                at = expectSoc(socFields, at, sidp.length, DmarLayout.TYPE_SIDP, "SoC Integrated Device Property",
                        List.of(new Field(at + SidpLayout.RESERVED, 2, "Reserved", "0000"),
                                new Field(at + SidpLayout.SEGMENT, 2, "PCI Segment Number", hex4(segment))),
                        at + SidpLayout.SCOPES, scopes);
            }
        }
        int haw = 35 + r.nextInt(17);
        int flags = r.nextInt(8);
        byte[] bytes = DmarBytes.table(haw, flags, parts.toArray(byte[][]::new));
        AcpiTableHeader header = new AcpiTableHeader(DmarLayout.SIGNATURE, bytes.length, DmarBytes.REVISION,
                bytes[AcpiHeaderLayout.CHECKSUM] & 0xFF, DmarBytes.OEM_ID, DmarBytes.OEM_TABLE_ID, DmarBytes.OEM_REVISION,
                DmarBytes.CREATOR_ID, DmarBytes.CREATOR_REVISION);
        return new Table(bytes, new DmarTable(header, haw, flags, model), socOffset, socFields);
    }

    /** A scope as drawn: its bytes and its model agree by construction. */
    private record Scope(int type, int flags, int enumerationId, int startBus, int[] path) {
        byte[] bytes() {
            return DmarBytes.scope(type, flags, enumerationId, startBus, path);
        }

        DeviceScope model() {
            List<PciPathEntry> hops = new ArrayList<>();
            for (int i = 0; i < path.length; i += 2) {
                hops.add(new PciPathEntry(path[i], path[i + 1]));
            }
            return new DeviceScope(type, flags, enumerationId, startBus, hops);
        }
    }

    private static Scope scope(SplittableRandom r, int type) {
        boolean pci = type == DeviceScopeLayout.TYPE_PCI_ENDPOINT || type == DeviceScopeLayout.TYPE_PCI_SUBHIERARCHY;
        int hops = 1 + r.nextInt(4);
        int[] path = new int[2 * hops];
        for (int i = 0; i < hops; i++) {
            path[2 * i] = r.nextInt(32);
            path[2 * i + 1] = r.nextInt(8);
        }
        // Byte 2 is Flags since VT-d 3.0 (bits 0-1 defined); this iasl shows it inside "Reserved".
        return new Scope(type, r.nextInt(4), pci ? 0 : r.nextInt(256), r.nextInt(256), path);
    }

    private static List<Scope> scopes(SplittableRandom r, int n, int... types) {
        List<Scope> scopes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            scopes.add(scope(r, types[r.nextInt(types.length)]));
        }
        return scopes;
    }

    private static byte[][] bytes(List<Scope> scopes) {
        return scopes.stream().map(Scope::bytes).toArray(byte[][]::new);
    }

    private static List<DeviceScope> models(List<Scope> scopes) {
        return scopes.stream().map(Scope::model).toList();
    }

    /** Appends the fields a SATC or SIDP at {@code at} must print as; returns where the next starts. */
    private static int expectSoc(List<Field> out, int at, int length, int type, String name, List<Field> body,
                                 int scopesAt, List<Scope> scopes) {
        out.add(new Field(at + DmarLayout.STRUCT_TYPE, 2, "Subtable Type", String.format("%04X [%s]", type, name)));
        out.add(new Field(at + DmarLayout.STRUCT_LENGTH, 2, "Length", hex4(length)));
        out.addAll(body);
        int s = scopesAt;
        for (Scope scope : scopes) {
            out.add(new Field(s + DeviceScopeLayout.TYPE, 1, "Device Scope Type",
                    String.format("%02X [%s]", scope.type(), IaslDmarFormat.scopeName(scope.type()))));
            out.add(new Field(s + DeviceScopeLayout.LENGTH, 1, "Entry Length", hex2(DeviceScopeLayout.PATH + scope.path().length)));
            out.add(new Field(s + DeviceScopeLayout.FLAGS, 2, "Reserved", hex4(scope.flags())));
            out.add(new Field(s + DeviceScopeLayout.ENUMERATION_ID, 1, "Enumeration ID", hex2(scope.enumerationId())));
            out.add(new Field(s + DeviceScopeLayout.START_BUS, 1, "PCI Bus Number", hex2(scope.startBus())));
            for (int i = 0; i < scope.path().length; i += 2) {
                out.add(new Field(s + DeviceScopeLayout.PATH + i, 2, "PCI Path",
                        String.format("%02X,%02X", scope.path()[i], scope.path()[i + 1])));
            }
            s += DeviceScopeLayout.PATH + scope.path().length;
        }
        return at + length;
    }

    static String hex2(int v) {
        return String.format("%02X", v);
    }

    static String hex4(int v) {
        return String.format("%04X", v);
    }
}
