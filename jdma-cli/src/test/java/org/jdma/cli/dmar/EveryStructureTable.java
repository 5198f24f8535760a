package org.jdma.cli.dmar;

import static org.jdma.cli.dmar.DmarBytes.andd;
import static org.jdma.cli.dmar.DmarBytes.atsr;
import static org.jdma.cli.dmar.DmarBytes.drhd;
import static org.jdma.cli.dmar.DmarBytes.raw;
import static org.jdma.cli.dmar.DmarBytes.rhsa;
import static org.jdma.cli.dmar.DmarBytes.rmrr;
import static org.jdma.cli.dmar.DmarBytes.satc;
import static org.jdma.cli.dmar.DmarBytes.scope;
import static org.jdma.cli.dmar.DmarBytes.sidp;

import org.jdma.spec.acpi.DeviceScopeLayout;

/**
 * A hand-built DMAR table with every structure type and every device scope type: multi-hop PCI
 * paths, an INCLUDE_PCI_ALL unit with no scopes, a padded ANDD that makes the table length odd,
 * SATC and SIDP (VT-d 4.1) and a structure of unknown type 7. {@code every-structure.dsl} is its
 * expected disassembly: up to SATC it is byte for byte what Debian's iasl 20200925 prints for this
 * table; SATC and SIDP were checked by hand against ACPICA 20251212's output format.
 */
public final class EveryStructureTable {
    private EveryStructureTable() { }

    public static final int HOST_ADDRESS_WIDTH = 38;
    public static final int FLAGS = 0x05;

    private static final int ENDPOINT = DeviceScopeLayout.TYPE_PCI_ENDPOINT;
    private static final int BRIDGE = DeviceScopeLayout.TYPE_PCI_SUBHIERARCHY;
    private static final int IOAPIC = DeviceScopeLayout.TYPE_IOAPIC;
    private static final int HPET = DeviceScopeLayout.TYPE_HPET;
    private static final int NAMESPACE = DeviceScopeLayout.TYPE_ACPI_NAMESPACE;

    /** The structures iasl 20200925 decodes (types 0-4), in table order. */
    public static byte[][] knownToIasl() {
        return new byte[][] {
            drhd(0, 0, 0, 0xFED9_0000L,
                    scope(ENDPOINT, 0, 0, 0, 0x02, 0),
                    scope(BRIDGE, 0, 0, 0, 0x1C, 0, 0x00, 1),
                    scope(IOAPIC, 0, 8, 0xF0, 0x1F, 0),
                    scope(HPET, 0, 0, 0xF0, 0x1F, 7),
                    scope(NAMESPACE, 0, 1, 0, 0x15, 1)),
            drhd(1, 0, 1, 0xFED9_1000L),
            rmrr(0, 0x7A00_0000L, 0x7A3F_FFFFL,
                    scope(ENDPOINT, 0, 0, 0, 0x14, 0),
                    scope(ENDPOINT, 0, 0, 3, 0x01, 0, 0x02, 3, 0x04, 5)),
            atsr(1, 0, scope(BRIDGE, 0, 0, 0, 0x03, 0)),
            rhsa(0xFED9_0000L, 1),
            andd(1, "\\_SB.PCI0.I2C0", 2),
        };
    }

    /** Every structure: the above, then SATC, SIDP (scope flags set) and an unknown type 7. */
    public static byte[] bytes() {
        byte[][] known = knownToIasl();
        byte[][] all = new byte[known.length + 3][];
        System.arraycopy(known, 0, all, 0, known.length);
        all[known.length] = satc(1, 0, scope(ENDPOINT, 0, 0, 0, 0x02, 0), scope(ENDPOINT, 0, 0, 0, 0x0B, 0));
        all[known.length + 1] = sidp(0, scope(ENDPOINT, 0x1F, 0, 0, 0x02, 0), scope(ENDPOINT, 0x1C, 0, 0, 0x0B, 0, 0x00, 2));
        all[known.length + 2] = raw(7, (byte) 0xAA, (byte) 0xBB);
        return DmarBytes.table(HOST_ADDRESS_WIDTH, FLAGS, all);
    }

    /** Only the structures iasl 20200925 knows, for comparing with it directly. */
    public static byte[] bytesKnownToIasl() {
        return DmarBytes.table(HOST_ADDRESS_WIDTH, FLAGS, knownToIasl());
    }
}
