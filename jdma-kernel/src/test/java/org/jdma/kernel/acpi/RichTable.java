package org.jdma.kernel.acpi;

import java.util.List;
import org.jdma.kernel.acpi.RemappingStructure.Andd;
import org.jdma.kernel.acpi.RemappingStructure.Atsr;
import org.jdma.kernel.acpi.RemappingStructure.Drhd;
import org.jdma.kernel.acpi.RemappingStructure.Rhsa;
import org.jdma.kernel.acpi.RemappingStructure.Rmrr;
import org.jdma.kernel.acpi.RemappingStructure.Satc;
import org.jdma.kernel.acpi.RemappingStructure.Sidp;
import org.jdma.kernel.acpi.RemappingStructure.Unknown;
import org.jdma.kernel.acpi.TestTables.Scope;
import org.jdma.spec.acpi.AcpiHeaderLayout;
import org.jdma.spec.acpi.DeviceScopeLayout;

/**
 * A well-formed table with every structure type (0-6 and an unknown 7), every device scope type
 * (and an unknown one), paths of up to 6 hops, several DRHDs including INCLUDE_PCI_ALL units on
 * two segments, two RMRRs, odd-length ANDDs (so the table's length is not a multiple of 4), and
 * u32/u64 fields with their top bit set. {@link #structures()} is the model written out by hand.
 */
final class RichTable {
    private RichTable() { }

    static final int STRUCTURE_COUNT = 13;

    static final Scope IGD = Scope.endpoint(0, 0x02, 0);
    /** Five hops from bus 0: more than the seed's cap of four. */
    static final Scope DEEP_BRIDGE = Scope.bridge(0, 0x1c, 0, 0x00, 0, 0x03, 0, 0x00, 1, 0x1f, 7);
    static final Scope DEEP_ENDPOINT = Scope.endpoint(0x80, 0x01, 0, 0x02, 0, 0x03, 0, 0x04, 0, 0x05, 0, 0x06, 0);
    static final Scope I2C0 = Scope.namespace(1, 0, 0x15, 0);
    static final Scope IOAPIC = Scope.ioapic(2, 0xf0, 0x1f, 0);
    static final Scope HPET = Scope.hpet(0, 0, 0x1f, 0);
    static final Scope XHCI = Scope.endpoint(0, 0x14, 0);
    static final Scope STRANGE = Scope.of(0x2a, 0, 7, 3, 0x01, 0x02);
    static final Scope ROOT_PORT = Scope.bridge(0, 0x01, 0);
    static final Scope FLAGGED = Scope.of(DeviceScopeLayout.TYPE_PCI_ENDPOINT, 0x01, 0, 0, 0x0d, 0);

    static final long HIGH_UNIT = 0xffff_f000_0000_0000L;
    static final long U32_TOP = 0xffff_ffffL;
    static final long CREATOR_REVISION = 0x8000_0000L;
    static final int HAW = 0x2d;
    static final int FLAGS = DmarTable.FLAG_INTR_REMAP | DmarTable.FLAG_X2APIC_OPT_OUT
            | DmarTable.FLAG_DMA_CTRL_PLATFORM_OPT_IN;
    static final int UNKNOWN_TYPE = 7;

    static TestTables.Builder builder() {
        return TestTables.dmar()
                .oem("INTEL\0", "EDK2    ", U32_TOP)
                .creator("INTL", CREATOR_REVISION)
                .hostAddressWidth(HAW)
                .flags(FLAGS)
                .drhd(0, 0, 0x0000, 0xfed9_0000L, IGD)
                .drhd(0, 1, 0x0000, 0xfed9_1000L, DEEP_BRIDGE, DEEP_ENDPOINT, I2C0)
                .drhd(Drhd.FLAG_INCLUDE_PCI_ALL, 0x0000, 0xfed9_2000L, IOAPIC, HPET)
                .drhd(Drhd.FLAG_INCLUDE_PCI_ALL, 0x0001, HIGH_UNIT)
                .rmrr(0, 0x7b80_0000L, 0x7fff_ffffL, IGD)
                .rmrr(0, 0x000e_8000L, 0x000e_8fffL, XHCI, STRANGE)
                .atsr(Atsr.FLAG_ALL_PORTS, 0, ROOT_PORT)
                .rhsa(0xfed9_1000L, U32_TOP)
                .andd(1, "\\_SB.PCI0.I2C0")
                .satc(Satc.FLAG_ATC_REQUIRED, 0, IGD)
                .sidp(0, FLAGGED)
                .structure(UNKNOWN_TYPE, 1, 2, 3, 4, 5)
                .andd(2, "\\_SB.PCI0.SPI1", 5);
    }

    static byte[] bytes() {
        return builder().build();
    }

    static DmarTable model() {
        byte[] t = bytes();
        return new DmarTable(builder().expectedHeader(t.length, t[AcpiHeaderLayout.CHECKSUM] & 0xff),
                HAW, FLAGS, structures());
    }

    static List<RemappingStructure> structures() {
        return List.of(
                new Drhd(0, 0, 0, 0xfed9_0000L, TestTables.expected(IGD)),
                new Drhd(0, 1, 0, 0xfed9_1000L, TestTables.expected(DEEP_BRIDGE, DEEP_ENDPOINT, I2C0)),
                new Drhd(Drhd.FLAG_INCLUDE_PCI_ALL, 0, 0, 0xfed9_2000L, TestTables.expected(IOAPIC, HPET)),
                new Drhd(Drhd.FLAG_INCLUDE_PCI_ALL, 0, 1, HIGH_UNIT, List.of()),
                new Rmrr(0, 0x7b80_0000L, 0x7fff_ffffL, TestTables.expected(IGD)),
                new Rmrr(0, 0x000e_8000L, 0x000e_8fffL, TestTables.expected(XHCI, STRANGE)),
                new Atsr(Atsr.FLAG_ALL_PORTS, 0, TestTables.expected(ROOT_PORT)),
                new Rhsa(0xfed9_1000L, U32_TOP),
                new Andd(1, "\\_SB.PCI0.I2C0"),
                new Satc(Satc.FLAG_ATC_REQUIRED, 0, TestTables.expected(IGD)),
                new Sidp(0, TestTables.expected(FLAGGED)),
                new Unknown(UNKNOWN_TYPE, new RawBytes(new byte[] {UNKNOWN_TYPE, 0, 9, 0, 1, 2, 3, 4, 5})),
                new Andd(2, "\\_SB.PCI0.SPI1"));
    }
}
