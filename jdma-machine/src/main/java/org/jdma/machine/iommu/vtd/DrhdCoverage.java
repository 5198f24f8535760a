package org.jdma.machine.iommu.vtd;

import java.util.List;
import org.jdma.spec.acpi.DeviceScopeLayout;
import org.jdma.machine.firmware.acpi.DmarDescription.RemappingUnit;
import org.jdma.machine.firmware.acpi.ScopeDescription;
import org.jdma.machine.pci.BridgeSpec;
import org.jdma.machine.pci.PciPath;
import org.jdma.machine.pci.PciTopology;
import org.jdma.spec.pci.RequesterId;

/**
 * Which remapping unit a PCI function's DMA goes through, by the DMAR's device scopes (VT-d spec
 * §8.3, §8.3.1): a unit whose scope lists the function as an endpoint, or lists a bridge whose
 * buses hold it (a sub-hierarchy), wins; otherwise the INCLUDE_PCI_ALL unit of the function's
 * segment; otherwise none, and the function does physical DMA. Units with explicit scopes are
 * searched before INCLUDE_PCI_ALL ones, as Linux keeps its INCLUDE_PCI_ALL units at the end of
 * its list ({@code dmar_register_drhd_unit}).
 *
 * <p>Scope paths are resolved against the machine's own bus numbering: each hop but the last must
 * name a bridge, whose secondary bus the next hop is on. A path that does not resolve matches
 * nothing (the firmware builder has already refused paths it could not derive).
 */
public final class DrhdCoverage {
    private DrhdCoverage() { }

    /** Index into {@code units} of the unit covering {@code device}, or -1. */
    public static int unitFor(List<RemappingUnit> units, RequesterId device, PciTopology topology) {
        for (int i = 0; i < units.size(); i++) {
            RemappingUnit u = units.get(i);
            if (!u.includePciAll() && u.segment() == device.segment()
                    && u.scopes().stream().anyMatch(s -> matches(s, device, topology))) {
                return i;
            }
        }
        for (int i = 0; i < units.size(); i++) {
            if (units.get(i).includePciAll() && units.get(i).segment() == device.segment()) {
                return i;
            }
        }
        return -1;
    }

    private static boolean matches(ScopeDescription scope, RequesterId device, PciTopology topology) {
        return switch (scope) {
            case ScopeDescription.PciDevice d -> {
                RequesterId target = d.device();
                yield topology.bridgeAt(target).map(b -> below(b, device)).orElse(target.equals(device));
            }
            case ScopeDescription.Explicit e -> {
                RequesterId target = resolve(e.path(), device.segment(), topology);
                if (target == null) {
                    yield false;
                }
                yield switch (e.type()) {
                    case DeviceScopeLayout.TYPE_PCI_ENDPOINT -> target.equals(device);
                    case DeviceScopeLayout.TYPE_PCI_SUBHIERARCHY ->
                            topology.bridgeAt(target).map(b -> below(b, device)).orElse(target.equals(device));
                    default -> false; // IOAPIC, HPET, ACPI namespace devices: no PCI DMA modeled
                };
            }
        };
    }

    /** The bridge itself or any function on a bus it forwards. */
    private static boolean below(BridgeSpec bridge, RequesterId device) {
        return bridge.requester().equals(device) || bridge.routesBus(device.bus());
    }

    /** The function a scope path ends at, or null when a hop before the last is no bridge. */
    private static RequesterId resolve(PciPath path, int segment, PciTopology topology) {
        int bus = path.startBus();
        List<PciPath.Hop> hops = path.hops();
        for (int i = 0; i < hops.size(); i++) {
            RequesterId at = new RequesterId(segment, bus, hops.get(i).device(), hops.get(i).function());
            if (i == hops.size() - 1) {
                return at;
            }
            BridgeSpec bridge = topology.bridgeAt(at).orElse(null);
            if (bridge == null) {
                return null;
            }
            bus = bridge.secondaryBus();
        }
        return null;
    }
}
