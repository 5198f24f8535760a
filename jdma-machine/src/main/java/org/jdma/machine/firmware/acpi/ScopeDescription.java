package org.jdma.machine.firmware.acpi;

import org.jdma.machine.pci.PciPath;
import org.jdma.spec.pci.RequesterId;
import org.jdma.spec.acpi.DeviceScopeLayout;

/**
 * A device scope entry as the firmware describes it before writing it (VT-d spec §8.3.1): either
 * spelled out, or a PCI function named by requester id whose start bus and path the builder
 * derives from the machine's {@link org.jdma.machine.pci.PciTopology}.
 */
public sealed interface ScopeDescription {

    /**
     * A scope written as given.
     *
     * @param type          {@link DeviceScopeLayout#TYPE_PCI_ENDPOINT} .. {@link DeviceScopeLayout#TYPE_ACPI_NAMESPACE}
     * @param flags         byte 2, u8 (reserved before VT-d 3.0)
     * @param enumerationId IOAPIC id, HPET number or ACPI device number, u8; 0 for PCI scopes
     * @param path          start bus and hops
     */
    record Explicit(int type, int flags, int enumerationId, PciPath path) implements ScopeDescription { }

    /**
     * The PCI function at {@code device}: an endpoint scope, or a sub-hierarchy scope when the
     * function is a bridge, with the path from its root bus through every bridge above it.
     *
     * @param flags byte 2, u8
     */
    record PciDevice(RequesterId device, int flags) implements ScopeDescription { }

    static Explicit endpoint(PciPath path) {
        return new Explicit(DeviceScopeLayout.TYPE_PCI_ENDPOINT, 0, 0, path);
    }

    static Explicit subHierarchy(PciPath path) {
        return new Explicit(DeviceScopeLayout.TYPE_PCI_SUBHIERARCHY, 0, 0, path);
    }

    /** An I/OxAPIC with APIC id {@code ioapicId}; the path is its requester id (interrupts carry it). */
    static Explicit ioapic(int ioapicId, PciPath path) {
        return new Explicit(DeviceScopeLayout.TYPE_IOAPIC, 0, ioapicId, path);
    }

    /** An MSI-capable HPET block number {@code hpetNumber}; the path is its requester id. */
    static Explicit hpet(int hpetNumber, PciPath path) {
        return new Explicit(DeviceScopeLayout.TYPE_HPET, 0, hpetNumber, path);
    }

    /** The ACPI namespace device an ANDD structure declares with {@code acpiDeviceNumber}. */
    static Explicit acpiNamespace(int acpiDeviceNumber, PciPath path) {
        return new Explicit(DeviceScopeLayout.TYPE_ACPI_NAMESPACE, 0, acpiDeviceNumber, path);
    }

    static PciDevice device(RequesterId device) {
        return new PciDevice(device, 0);
    }
}
