package org.jdma.machine.firmware.acpi;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.spec.acpi.DrhdLayout;

/**
 * What the machine's firmware knows about its DMA remapping and writes into the DMAR table (VT-d
 * spec §8.1): header ids, host address width, flags, and the remapping structures in table order.
 *
 * <p>This is the firmware's own description, on purpose separate from the kernel's parsed model
 * ({@code org.jdma.kernel.acpi}): firmware and OS are different programs that agree only on the
 * bytes. The records hold requests, not checked facts: {@link DmarTableBuilder} validates a
 * description against the specification when it writes it, and names what is wrong.
 *
 * @param ids              header ids (revision {@link #REVISION} for DMAR)
 * @param hostAddressWidth DMA physical address bits minus one, u8 (38 for 39-bit)
 * @param flags            {@link DmarLayout#FLAG_INTR_REMAP}, {@link DmarLayout#FLAG_X2APIC_OPT_OUT},
 *                         {@link DmarLayout#FLAG_DMA_CTRL_PLATFORM_OPT_IN}
 * @param structures       remapping structures in table order (the spec wants type order)
 */
public record DmarDescription(AcpiTableIds ids, int hostAddressWidth, int flags, List<Structure> structures) {

    /** DMAR table revision (VT-d spec §8.1: Revision 1). */
    public static final int REVISION = 1;

    public DmarDescription {
        structures = List.copyOf(structures);
    }

    /** A description with the machine firmware's ids ("JDMA", table id {@code oemTableId}). */
    public static DmarDescription of(String oemTableId, int hostAddressWidth, int flags, List<Structure> structures) {
        return new DmarDescription(AcpiTableIds.jdma(REVISION, oemTableId), hostAddressWidth, flags, structures);
    }

    public DmarDescription withStructures(List<Structure> s) {
        return new DmarDescription(ids, hostAddressWidth, flags, s);
    }

    public DmarDescription withFlags(int f) {
        return new DmarDescription(ids, hostAddressWidth, f, structures);
    }

    public <T extends Structure> List<T> structuresOf(Class<T> kind) {
        return structures.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /** A remapping structure (VT-d spec §8.2); {@link #type()} is its type code. */
    public sealed interface Structure {
        int type();
    }

    /**
     * A remapping hardware unit: DRHD, type 0 (§8.3).
     *
     * @param segment       PCI segment, u16
     * @param registerBase  base of its register set, 4 KiB aligned
     * @param sizeField     byte 5 bits 3:0: the register set spans 2^sizeField 4 KiB pages
     * @param includePciAll the unit covers every PCI device of the segment that no other unit lists;
     *                      its scopes may then list only IOAPICs, HPETs and ACPI namespace devices
     * @param scopes        the devices under it
     */
    public record RemappingUnit(int segment, long registerBase, int sizeField, boolean includePciAll,
                                List<ScopeDescription> scopes) implements Structure {
        public RemappingUnit {
            scopes = List.copyOf(scopes);
        }

        /** A one-page unit covering all of {@code segment}. */
        public static RemappingUnit includeAll(int segment, long registerBase) {
            return new RemappingUnit(segment, registerBase, 0, true, List.of());
        }

        /** A one-page unit covering exactly {@code scopes}. */
        public static RemappingUnit covering(int segment, long registerBase, List<ScopeDescription> scopes) {
            return new RemappingUnit(segment, registerBase, 0, false, scopes);
        }

        /** Bytes of the register set. */
        public long registerSetSize() {
            return (long) DrhdLayout.REGISTER_BASE_ALIGN << sizeField;
        }

        @Override
        public int type() {
            return DmarLayout.TYPE_DRHD;
        }
    }

    /**
     * A reserved memory region: RMRR, type 1 (§8.4). Memory the listed devices may reach by DMA at
     * any time (firmware-owned buffers: USB legacy emulation, graphics stolen memory), which the OS
     * must identity-map for them.
     *
     * @param segment PCI segment, u16
     * @param base    first byte, 4 KiB aligned
     * @param limit   last byte (inclusive); limit + 1 is 4 KiB aligned
     * @param scopes  the devices that use it (PCI endpoints or sub-hierarchies)
     */
    public record ReservedMemoryRegion(int segment, long base, long limit, List<ScopeDescription> scopes) implements Structure {
        public ReservedMemoryRegion {
            scopes = List.copyOf(scopes);
        }

        @Override
        public int type() {
            return DmarLayout.TYPE_RMRR;
        }
    }

    /**
     * Root-port ATS capability: ATSR, type 2 (§8.5).
     *
     * @param segment  PCI segment, u16
     * @param allPorts every root port of the segment supports ATS (then no scopes are listed)
     * @param scopes   the root ports that do (sub-hierarchy scopes)
     */
    public record RootPortAts(int segment, boolean allPorts, List<ScopeDescription> scopes) implements Structure {
        public RootPortAts {
            scopes = List.copyOf(scopes);
        }

        @Override
        public int type() {
            return DmarLayout.TYPE_ATSR;
        }
    }

    /**
     * Remapping hardware static affinity: RHSA, type 3 (§8.6).
     *
     * @param registerBase    the register base of a unit this table lists
     * @param proximityDomain its NUMA proximity domain, u32
     */
    public record UnitAffinity(long registerBase, long proximityDomain) implements Structure {
        @Override
        public int type() {
            return DmarLayout.TYPE_RHSA;
        }
    }

    /**
     * ACPI namespace device declaration: ANDD, type 4 (§8.7).
     *
     * @param acpiDeviceNumber u8, unique in the table; namespace scopes refer to it
     * @param objectName       fully qualified ACPI name ("\_SB.PCI0.I2C0"), printable ASCII
     */
    public record NamespaceDevice(int acpiDeviceNumber, String objectName) implements Structure {
        @Override
        public int type() {
            return DmarLayout.TYPE_ANDD;
        }
    }

    /**
     * SoC integrated address translation cache: SATC, type 5 (§8.8).
     *
     * @param segment     PCI segment, u16
     * @param atcRequired the listed devices need ATS enabled to work (ATC_REQUIRED)
     * @param scopes      the SoC-integrated devices with an ATC (PCI endpoints)
     */
    public record SocAtc(int segment, boolean atcRequired, List<ScopeDescription> scopes) implements Structure {
        public SocAtc {
            scopes = List.copyOf(scopes);
        }

        @Override
        public int type() {
            return DmarLayout.TYPE_SATC;
        }
    }

    /**
     * SoC integrated device properties: SIDP, type 6 (§8.9, VT-d 4.1); the properties are in the
     * scopes' flags.
     *
     * @param segment PCI segment, u16
     * @param scopes  the devices (PCI endpoints or sub-hierarchies)
     */
    public record SocDeviceProperties(int segment, List<ScopeDescription> scopes) implements Structure {
        public SocDeviceProperties {
            scopes = List.copyOf(scopes);
        }

        @Override
        public int type() {
            return DmarLayout.TYPE_SIDP;
        }
    }

    /**
     * A structure of a type the specification reserves (7 and up), written as given: what a newer
     * firmware would emit; readers must skip it.
     *
     * @param type    u16, at least 7
     * @param payload the bytes after the 4-byte Type/Length header
     */
    public record UnknownStructure(int type, byte[] payload) implements Structure {
        public UnknownStructure {
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof UnknownStructure u && u.type == type && Arrays.equals(u.payload, payload);
        }

        @Override
        public int hashCode() {
            return 31 * type + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "UnknownStructure[type=" + type + ", payload=" + HexFormat.of().formatHex(payload) + "]";
        }
    }
}
