package org.jdma.kernel.pci;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.jdma.kernel.acpi.McfgAllocation;
import org.jdma.kernel.acpi.McfgParseException;
import org.jdma.kernel.acpi.McfgParser;
import org.jdma.kernel.acpi.McfgTable;
import org.jdma.platform.Platform;
import org.jdma.spec.acpi.McfgLayout;
import org.jdma.spec.pci.EcamLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * The kernel's PCI enumeration at boot (Linux {@code pci_scan_root_bus} over
 * {@code pci_mmcfg}): finds configuration space through the firmware's MCFG table, then scans each
 * segment's first bus and, depth first, the secondary bus of every bridge it meets, as firmware
 * numbered them (no renumbering). On each bus, device numbers 0..31, function 0, and functions
 * 1..7 when function 0's header has the Multi-Function bit (Linux {@code pci_scan_slot}). Each
 * function found is probed ({@link PciDevice}).
 *
 * <p>A bridge whose secondary bus is not above its own bus, lies outside the MCFG region, or was
 * scanned already is not followed (a firmware loop would otherwise never end); that, an MCFG table
 * that is missing or rejected, and every probing problem are in {@link #problems()}. Nothing is
 * thrown for anything the hardware answers.
 */
public final class PciSubsystem {

    private final ConfigAccess config;
    private final List<PciDevice> devices = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final List<String> bootLog = new ArrayList<>();

    private PciSubsystem(ConfigAccess config) {
        this.config = config;
    }

    /** Reads MCFG from the platform's firmware and enumerates every bus it covers. */
    public static PciSubsystem scan(Platform platform) {
        Optional<byte[]> raw = platform.acpiTable(McfgLayout.SIGNATURE);
        if (raw.isEmpty()) {
            PciSubsystem s = new PciSubsystem(null);
            s.problems.add("no MCFG table: PCI configuration space cannot be reached, no device is enumerated");
            return s;
        }
        McfgTable mcfg;
        try {
            mcfg = McfgParser.parse(raw.get());
        } catch (McfgParseException e) {
            PciSubsystem s = new PciSubsystem(null);
            s.problems.add("MCFG table rejected, no device is enumerated: " + e.getMessage());
            return s;
        }
        return scan(new EcamConfigAccess(platform.cpu(), mcfg), mcfg.allocations());
    }

    /** Enumerates the buses of {@code regions} through {@code config}. */
    public static PciSubsystem scan(ConfigAccess config, List<McfgAllocation> regions) {
        PciSubsystem s = new PciSubsystem(config);
        for (McfgAllocation a : regions) {
            s.bootLog.add(String.format("PCI: ECAM [%#x-%#x] for segment %04x buses %02x-%02x (MCFG)",
                    a.regionBase(), a.regionBase() + a.regionSize() - 1, a.segment(), a.startBus(), a.endBus()));
            s.scanBus(a, a.startBus(), new BitSet(EcamLayout.BUS_MASK + 1));
        }
        s.devices.sort(Comparator.comparing(PciDevice::requester));
        for (PciDevice d : s.devices) {
            s.problems.addAll(d.problems());
        }
        return s;
    }

    private void scanBus(McfgAllocation region, int bus, BitSet scanned) {
        scanned.set(bus);
        for (int device = 0; device <= EcamLayout.DEVICE_MASK; device++) {
            Optional<PciDevice> zero = PciDevice.probe(config, new RequesterId(region.segment(), bus, device, 0));
            if (zero.isEmpty()) {
                continue;
            }
            found(region, zero.get(), scanned);
            if (!zero.get().multiFunction()) {
                continue;
            }
            for (int function = 1; function <= EcamLayout.FUNCTION_MASK; function++) {
                PciDevice.probe(config, new RequesterId(region.segment(), bus, device, function))
                        .ifPresent(f -> found(region, f, scanned));
            }
        }
    }

    private void found(McfgAllocation region, PciDevice d, BitSet scanned) {
        devices.add(d);
        if (!d.isBridge()) {
            return;
        }
        int below = d.secondaryBus();
        int bus = d.requester().bus();
        if (below <= bus || below > region.endBus() || scanned.get(below)) {
            problems.add(String.format("%s: bridge to bus %02x is not followed (%s)", d.requester(), below,
                    below <= bus ? "not below its own bus" : below > region.endBus() ? "outside the MCFG region" : "scanned already"));
            return;
        }
        scanBus(region, below, scanned);
    }

    /** Every function found, bridges included, by requester id. */
    public List<PciDevice> devices() {
        return List.copyOf(devices);
    }

    /** The bridges found. */
    public List<PciDevice> bridges() {
        return devices.stream().filter(PciDevice::isBridge).toList();
    }

    /** The functions that are not bridges. */
    public List<PciDevice> endpoints() {
        return devices.stream().filter(d -> !d.isBridge()).toList();
    }

    /** The functions with {@code vendor}:{@code device} ids, by requester id. */
    public List<PciDevice> find(int vendor, int device) {
        return devices.stream().filter(d -> d.is(vendor, device)).toList();
    }

    public Optional<PciDevice> device(RequesterId requester) {
        return devices.stream().filter(d -> d.requester().equals(requester)).findFirst();
    }

    /** How configuration space is reached; null when enumeration found no MCFG to use. */
    public ConfigAccess configAccess() {
        return config;
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    public List<String> bootLog() {
        return List.copyOf(bootLog);
    }
}
