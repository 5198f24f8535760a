package org.jdma.kernel.acpi;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdma.kernel.acpi.RemappingStructure.Drhd;
import org.jdma.kernel.acpi.RemappingStructure.Rmrr;
import org.jdma.spec.pci.RequesterId;

/**
 * Which remapping unit (DRHD) translates a PCI function's DMA, and which reserved memory regions
 * (RMRRs) it must keep identity-mapped, from a parsed DMAR and the bridges the OS enumerated.
 *
 * <p>A PCI device scope (VT-d spec §8.3.1: endpoint, type 1, or sub-hierarchy, type 2) is
 * <em>resolved</em> by walking it forward: start at its Start Bus; each hop but the last must be
 * a bridge on the current bus, and the walk continues on that bridge's secondary bus; the last hop
 * names the scope's function on the bus reached. A scope whose walk meets a function that is not
 * a bridge, or a hop with a device above 31 or a function above 7, names nothing. A resolved scope
 * <em>covers</em> its function and, when that function is a bridge, every function on the buses
 * of its range {@code [secondary, subordinate]}.
 *
 * <p>The semantics are Linux's (drivers/iommu/intel/dmar.c, {@code dmar_find_matched_drhd_unit};
 * iommu.c, {@code device_to_iommu} and the RMRR reserved regions): whether a scope covers a
 * hierarchy depends on what the resolved function is, not on the scope's type byte, since Linux
 * matches devices that way (and only warns when the type disagrees); IOAPIC, HPET and ACPI
 * namespace scopes name no PCI function. A device's unit is the first DRHD of its segment, in table
 * order and without INCLUDE_PCI_ALL, with a scope covering it; else the first INCLUDE_PCI_ALL DRHD
 * of its segment (the spec puts that unit last in its segment, and Linux moves it last); else none
 * — its DMA is not remapped. The spec lets no device be covered by two units; if a table does so
 * anyway, table order decides here where Linux (which lists units in reverse) takes the last one.
 *
 * <p>Everything is answered from the table and the enumeration this lookup was made with; it
 * never throws for any table content.
 */
public final class DmarDeviceLookup {

    /**
     * A PCI-to-PCI bridge the OS enumerated: where it sits and the buses below it (its Secondary
     * and Subordinate Bus Number registers).
     */
    public record Bridge(RequesterId requester, int secondaryBus, int subordinateBus) { }

    /**
     * What a PCI scope resolved to: a function and, if it is a bridge, its bus range.
     *
     * @param function       the function the scope's path ends at
     * @param bridge         whether that function is a bridge
     * @param secondaryBus   first bus below the bridge (0 when not a bridge)
     * @param subordinateBus last bus below the bridge (0 when not a bridge)
     */
    public record ScopeTarget(RequesterId function, boolean bridge, int secondaryBus, int subordinateBus) {
        public boolean covers(RequesterId device) {
            if (device.equals(function)) {
                return true;
            }
            return bridge && device.segment() == function.segment()
                    && secondaryBus <= device.bus() && device.bus() <= subordinateBus;
        }
    }

    private static final int MAX_SEGMENT = 0xFFFF;
    private static final int MAX_BUS = 0xFF;
    private static final int MAX_DEVICE = 0x1F;
    private static final int MAX_FUNCTION = 7;

    private final DmarTable table;
    private final Map<RequesterId, Bridge> bridges = new HashMap<>();

    /**
     * @param table   a parsed DMAR
     * @param bridges the PCI-to-PCI bridges the OS enumerated: they shape the paths
     */
    public DmarDeviceLookup(DmarTable table, Collection<Bridge> bridges) {
        this.table = table;
        for (Bridge b : bridges) {
            this.bridges.put(b.requester(), b);
        }
    }

    public DmarTable table() {
        return table;
    }

    /** The remapping unit that translates {@code device}'s DMA; empty when none does. */
    public Optional<Drhd> unitFor(RequesterId device) {
        List<Drhd> units = table.structuresOf(Drhd.class).stream().filter(u -> u.segment() == device.segment()).toList();
        for (Drhd u : units) {
            if (!u.includePciAll() && covers(u.segment(), u.scopes(), device)) {
                return Optional.of(u);
            }
        }
        return units.stream().filter(Drhd::includePciAll).findFirst();
    }

    /** The reserved memory regions {@code device} uses, in table order. */
    public List<Rmrr> reservedRegionsFor(RequesterId device) {
        return table.structuresOf(Rmrr.class).stream()
                .filter(r -> r.segment() == device.segment() && covers(r.segment(), r.scopes(), device))
                .toList();
    }

    /** Whether one of {@code scopes}, read in {@code segment}, covers {@code device}. */
    public boolean covers(int segment, List<DeviceScope> scopes, RequesterId device) {
        for (DeviceScope s : scopes) {
            Optional<ScopeTarget> t = resolve(segment, s);
            if (t.isPresent() && t.get().covers(device)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The function a PCI scope's path leads to in {@code segment}; empty for non-PCI scope types,
     * an empty path, a bus or hop out of range, or a path through a function that is not a bridge.
     */
    public Optional<ScopeTarget> resolve(int segment, DeviceScope scope) {
        boolean pci = scope.type() == DeviceScopeType.PCI_ENDPOINT.code() || scope.type() == DeviceScopeType.PCI_SUBHIERARCHY.code();
        List<PciPathEntry> path = scope.path();
        if (!pci || path.isEmpty() || segment < 0 || segment > MAX_SEGMENT || scope.startBus() < 0 || scope.startBus() > MAX_BUS) {
            return Optional.empty();
        }
        int bus = scope.startBus();
        for (int i = 0; ; i++) {
            PciPathEntry hop = path.get(i);
            if (hop.device() < 0 || hop.device() > MAX_DEVICE || hop.function() < 0 || hop.function() > MAX_FUNCTION) {
                return Optional.empty();
            }
            RequesterId at = new RequesterId(segment, bus, hop.device(), hop.function());
            Bridge bridge = bridges.get(at);
            if (i == path.size() - 1) {
                return Optional.of(bridge == null ? new ScopeTarget(at, false, 0, 0)
                        : new ScopeTarget(at, true, bridge.secondaryBus(), bridge.subordinateBus()));
            }
            if (bridge == null) {
                return Optional.empty();
            }
            bus = bridge.secondaryBus();
        }
    }
}
