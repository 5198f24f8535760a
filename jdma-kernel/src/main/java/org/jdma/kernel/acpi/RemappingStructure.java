package org.jdma.kernel.acpi;

import java.util.List;

/**
 * A remapping structure of the DMAR table, with its type code as VT-d §8.2 Table "Remapping
 * Structure Types" numbers it: DRHD 0, RMRR 1, ATSR 2, RHSA 3, ANDD 4, SATC 5, SIDP 6.
 */
public sealed interface RemappingStructure {

    int TYPE_DRHD = 0;
    int TYPE_RMRR = 1;
    int TYPE_ATSR = 2;
    int TYPE_RHSA = 3;
    int TYPE_ANDD = 4;
    int TYPE_SATC = 5;
    int TYPE_SIDP = 6;

    /** The structure's type code. */
    int type();

    /** DMA Remapping Hardware Unit Definition (§8.3). {@code size}: byte 5, log2 of the register set's 4 KiB pages (VT-d 3.x+). */
    record Drhd(int flags, int size, int segment, long registerBase, List<DeviceScope> scopes) implements RemappingStructure {
        public static final int FLAG_INCLUDE_PCI_ALL = 0x01;

        public Drhd {
            scopes = List.copyOf(scopes);
        }

        public boolean includePciAll() {
            return (flags & FLAG_INCLUDE_PCI_ALL) != 0;
        }

        @Override
        public int type() {
            return TYPE_DRHD;
        }
    }

    /** Reserved Memory Region Reporting (§8.4): [base, limit] inclusive, identity-mapped for its devices. */
    record Rmrr(int segment, long base, long limit, List<DeviceScope> scopes) implements RemappingStructure {
        public Rmrr {
            scopes = List.copyOf(scopes);
        }

        @Override
        public int type() {
            return TYPE_RMRR;
        }
    }

    /** Root Port ATS Capability Reporting (§8.5). */
    record Atsr(int flags, int segment, List<DeviceScope> scopes) implements RemappingStructure {
        public static final int FLAG_ALL_PORTS = 0x01;

        public Atsr {
            scopes = List.copyOf(scopes);
        }

        public boolean allPorts() {
            return (flags & FLAG_ALL_PORTS) != 0;
        }

        @Override
        public int type() {
            return TYPE_ATSR;
        }
    }

    /** Remapping Hardware Static Affinity (§8.6). */
    record Rhsa(long registerBase, long proximityDomain) implements RemappingStructure {
        @Override
        public int type() {
            return TYPE_RHSA;
        }
    }

    /** ACPI Name-space Device Declaration (§8.7): binds an ACPI device number to an object name. */
    record Andd(int acpiDeviceNumber, String objectName) implements RemappingStructure {
        @Override
        public int type() {
            return TYPE_ANDD;
        }
    }

    /** SoC Integrated Address Translation Cache Reporting (§8.8). */
    record Satc(int flags, int segment, List<DeviceScope> scopes) implements RemappingStructure {
        public static final int FLAG_ATC_REQUIRED = 0x01;

        public Satc {
            scopes = List.copyOf(scopes);
        }

        @Override
        public int type() {
            return TYPE_SATC;
        }
    }

    /** SoC Integrated Device Property Reporting (§8.9, VT-d 4.1). */
    record Sidp(int segment, List<DeviceScope> scopes) implements RemappingStructure {
        public Sidp {
            scopes = List.copyOf(scopes);
        }

        @Override
        public int type() {
            return TYPE_SIDP;
        }
    }

    /** A structure of a type this parser does not know (7 and up): kept whole, header included. */
    record Unknown(int type, RawBytes bytes) implements RemappingStructure {
    }
}
