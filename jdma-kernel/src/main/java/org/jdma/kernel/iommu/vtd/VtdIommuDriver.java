package org.jdma.kernel.iommu.vtd;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.jdma.kernel.acpi.DmarDeviceLookup;
import org.jdma.kernel.acpi.DmarParseException;
import org.jdma.kernel.acpi.DmarParser;
import org.jdma.kernel.acpi.DmarTable;
import org.jdma.kernel.acpi.RemappingStructure.Drhd;
import org.jdma.kernel.acpi.RemappingStructure.Rmrr;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.iommu.IommuDriver;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.kernel.iommu.IommuSubsystem;
import org.jdma.kernel.iommu.InterruptRemapper;
import org.jdma.kernel.iommu.iova.IovaAllocator;
import org.jdma.kernel.pci.PciSubsystem;
import org.jdma.platform.MemoryMapEntry;
import org.jdma.platform.Platform;
import org.jdma.spec.pci.RequesterId;

/**
 * The VT-d driver as the generic IOMMU layer sees it (Linux {@code intel_iommu_init} and
 * {@code intel_iommu_ops}): {@link #probe} reads the firmware's DMAR (VT-d §8), drives one
 * {@link VtdUnitDriver} per DRHD whose registers answer, and answers the layer's questions from
 * the DMAR's device scopes: which unit translates a device, which RMRRs it needs (§8.4), and
 * domains on that unit. Each unit has one shared identity domain (Linux {@code si_domain}) over all
 * RAM and every RMRR.
 *
 * <p>Problems that leave devices untranslated (no DMAR, a DMAR that does not parse, a unit that
 * does not answer or does not complete its init) go to the boot's problem list rather than being
 * thrown, as Linux logs them and goes on without remapping.
 */
public final class VtdIommuDriver implements IommuDriver {

    private final Platform platform;
    private final DmarDeviceLookup lookup;
    private final IommuDriver.Boot boot;
    private final Map<Long, VtdUnitDriver> units = new LinkedHashMap<>();
    private final Map<Long, VtdDomain> identityDomains = new LinkedHashMap<>();

    private VtdIommuDriver(IommuDriver.Boot boot, DmarDeviceLookup lookup) {
        this.boot = boot;
        this.platform = boot.platform();
        this.lookup = lookup;
    }

    /**
     * Finds the DMAR and brings up the unit of every DRHD (the {@link IommuDriver.Probe} of VT-d).
     * Empty when there is no DMAR or it does not parse; a driver with no unit up when no DRHD's
     * unit answers.
     */
    public static Optional<IommuDriver> probe(IommuDriver.Boot boot) {
        Optional<byte[]> raw = boot.platform().acpiTable("DMAR");
        if (raw.isEmpty()) {
            boot.problems().accept("no DMAR table: DMA is not remapped");
            return Optional.empty();
        }
        DmarTable table;
        try {
            table = DmarParser.parse(raw.get());
        } catch (DmarParseException e) {
            boot.problems().accept("DMAR table rejected, DMA is not remapped: " + e.getMessage());
            return Optional.empty();
        }
        VtdIommuDriver driver = new VtdIommuDriver(boot, deviceLookup(table, boot.pci()));
        // Firmware states interrupt remapping support in the DMAR flags; without it no unit's IR is used.
        boolean firmwareIr = (table.flags() & DmarTable.FLAG_INTR_REMAP) != 0;
        if (boot.interruptRemapping() && !firmwareIr) {
            boot.log().accept(String.format("DMAR-IR: DMAR Flags %#04x: INTR_REMAP clear, interrupt remapping not enabled;"
                    + " devices can inject interrupts", table.flags()));
        }
        for (Drhd drhd : table.structuresOf(Drhd.class)) {
            driver.bringUp(drhd, boot.interruptRemapping() && firmwareIr);
        }
        return Optional.of(driver);
    }

    /**
     * The VT-d driver {@code iommu} runs on.
     *
     * @throws IllegalStateException when it runs none (mode OFF, or no usable DMAR)
     */
    public static VtdIommuDriver of(IommuSubsystem iommu) {
        return iommu.driver(VtdIommuDriver.class).orElseThrow(() -> new IllegalStateException(
                "the IOMMU layer runs no VT-d driver (mode " + iommu.mode() + ", problems " + iommu.problems() + ")"));
    }

    /** Which DRHD covers which device, from {@code table} and the bridges {@code pci} found. */
    public static DmarDeviceLookup deviceLookup(DmarTable table, PciSubsystem pci) {
        return new DmarDeviceLookup(table, pci.bridges().stream()
                .map(b -> new DmarDeviceLookup.Bridge(b.requester(), b.secondaryBus(), b.subordinateBus())).toList());
    }

    /** Probes and initialises the unit of {@code drhd}; a unit that does not answer or init is a problem, not an error. */
    private void bringUp(Drhd drhd, boolean interruptRemapping) {
        Optional<VtdUnitDriver> u = VtdUnitDriver.probe(platform, boot.frames(), drhd.registerBase(), drhd.segment());
        if (u.isEmpty()) {
            boot.problems().accept(String.format("DRHD at %#x (segment %d): VER reads all ones or zero, no unit answers; "
                    + "its devices' DMA is not remapped", drhd.registerBase(), drhd.segment()));
            return;
        }
        VtdUnitDriver unit = u.get();
        try {
            unit.init(interruptRemapping);
        } catch (IllegalStateException e) {
            // A unit that does not complete a command: Linux fails its init and goes on without it.
            boot.problems().accept(String.format("DRHD at %#x: init failed, its devices' DMA is not remapped: %s",
                    drhd.registerBase(), e.getMessage()));
            return;
        }
        boot.log().accept(String.format("DMAR: unit %#x: VER %#x CAP %#018x ECAP %#018x, %d-level tables",
                unit.registerBase(), unit.version(), unit.cap(), unit.ecap(), unit.contextAw() + 2));
        boot.log().accept(String.format("DMAR: unit %#x: root table at %#x (GCMD.SRTP), %s, fault events on vector %d",
                unit.registerBase(), unit.rootTable(),
                unit.queuedInvalidation() ? "queued invalidation enabled (GCMD.QIE)" : "register-based invalidation",
                unit.faultVector()));
        if (unit.interruptRemapping()) {
            boot.log().accept(String.format("DMAR-IR: unit %#x: interrupt remapping enabled, table at %#x (%d entries, xAPIC mode),"
                    + " compatibility-format interrupts blocked", unit.registerBase(), unit.interruptRemapTable(), InterruptRemapTable.ENTRIES));
        } else if (interruptRemapping) {
            // Linux: "... the system is vulnerable to irq-injection attacks".
            boot.log().accept(String.format("DMAR-IR: unit %#x: no interrupt remapping (ECAP.IR %s, queued invalidation %s):"
                    + " its devices can inject interrupts", unit.registerBase(),
                    (unit.ecap() & org.jdma.spec.vtd.VtdCapabilityLayout.ECAP_IR) != 0 ? "set" : "clear",
                    unit.queuedInvalidation() ? "on" : "off"));
        }
        unit.addFaultListener(boot.faults());
        units.put(drhd.registerBase(), unit);
    }

    @Override
    public String name() {
        return "DMAR";
    }

    @Override
    public boolean enabled() {
        return !units.isEmpty();
    }

    /** The initialised unit that translates {@code device}, if any. */
    public Optional<VtdUnitDriver> unitDriverOf(RequesterId device) {
        return lookup.unitFor(device).map(d -> units.get(d.registerBase()));
    }

    @Override
    public OptionalLong unitOf(RequesterId device) {
        return unitDriverOf(device).map(u -> OptionalLong.of(u.registerBase())).orElse(OptionalLong.empty());
    }

    @Override
    public long unitOf(IommuDomain domain) {
        if (!(domain instanceof VtdDomain d)) {
            throw new IllegalArgumentException(domain + " is not a VT-d domain");
        }
        return d.unit().registerBase();
    }

    @Override
    public IommuDomain allocDomain(RequesterId device, IommuDomain.Type type, IovaAllocator iova) {
        VtdUnitDriver unit = unitDriverOf(device).orElseThrow(() -> new IllegalArgumentException(
                "no enabled remapping unit covers " + device));
        return switch (type) {
            case DMA_STRICT, DMA_LAZY -> VtdDomain.dma(unit, type, iova, platform);
            case IDENTITY -> identityDomain(unit);
            case BLOCKED -> VtdDomain.blocked(unit);
        };
    }

    /** The unit's shared identity domain (Linux {@code si_domain}) over all RAM and every RMRR, made on first use. */
    public synchronized VtdDomain identityDomain(VtdUnitDriver unit) {
        return identityDomains.computeIfAbsent(unit.registerBase(), b -> {
            List<long[]> ranges = new ArrayList<>();
            for (MemoryMapEntry e : platform.memoryMap()) {
                if (e.type() == MemoryMapEntry.Type.RAM) {
                    ranges.add(new long[] {e.base(), e.length()});
                }
            }
            for (Rmrr r : lookup.table().structuresOf(Rmrr.class)) {
                ranges.add(new long[] {r.base(), r.limit() - r.base() + 1});
            }
            return VtdDomain.identity(unit, ranges, true);
        });
    }

    /** The device's RMRRs; the RMRR limit is the last byte (VT-d §8.4). */
    @Override
    public List<ReservedRegion> reservedRegions(RequesterId device) {
        return lookup.reservedRegionsFor(device).stream()
                .map(r -> new ReservedRegion(r.base(), r.limit() - r.base() + 1, "RMRR")).toList();
    }

    @Override
    public Optional<InterruptRemapper> interruptRemapper(RequesterId device) {
        return unitDriverOf(device).filter(VtdUnitDriver::interruptRemapping)
                .map(u -> (InterruptRemapper) (rid, count) -> u.allocateInterrupts(rid, count));
    }

    /** GCMD.TE on every unit, after the caller mapped every RMRR (VT-d §8.4). */
    @Override
    public void enableTranslation() {
        for (VtdUnitDriver unit : units.values()) {
            unit.enableTranslation();
            boot.log().accept(String.format("DMAR: unit %#x: translation enabled", unit.registerBase()));
        }
    }

    /** IOTLB invalidation requests of every unit so far, every granularity (a poll loop reads it often). */
    public long iotlbInvalidations() {
        long n = 0;
        for (VtdUnitDriver unit : units.values()) {
            n += unit.iotlbInvalidations();
        }
        return n;
    }

    /** The units that came up, in DRHD order. */
    public List<VtdUnitDriver> units() {
        return List.copyOf(units.values());
    }

    /** Which DRHD covers which device, as this driver read the DMAR. */
    public DmarDeviceLookup lookup() {
        return lookup;
    }

    @Override
    public List<IommuFault> faults() {
        List<IommuFault> all = new ArrayList<>();
        units.values().forEach(u -> all.addAll(u.faults()));
        return all;
    }

    @Override
    public void close() {
        units.values().forEach(VtdUnitDriver::close);
    }

    @Override
    public String toString() {
        return units.keySet().stream().map(b -> String.format("%#x", b))
                .collect(Collectors.joining(", ", "VT-d driver, units up: [", "]"));
    }
}
