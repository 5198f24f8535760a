package org.jdma.kernel.acpi;

import java.util.List;
import java.util.Optional;

/**
 * A device scope entry (VT-d §8.3.1): which device, IOAPIC, HPET or ACPI namespace device a
 * structure applies to. Every path entry is kept (no cap on path length).
 *
 * @param type          raw type code (see {@link DeviceScopeType}; unknown codes are kept)
 * @param flags         byte 2 (reserved before VT-d 3.0; iasl 20200925 prints bytes 2-3 as "Reserved")
 * @param enumerationId IOAPIC id, HPET number or ACPI device number; 0 for PCI
 * @param startBus      the bus where the path starts
 * @param path          the hops from startBus down to the device
 */
public record DeviceScope(int type, int flags, int enumerationId, int startBus, List<PciPathEntry> path) {
    public DeviceScope {
        path = List.copyOf(path);
    }

    public Optional<DeviceScopeType> knownType() {
        return DeviceScopeType.of(type);
    }
}
