package org.jdma.kernel.acpi;

import java.util.Optional;

/** Device scope entry types (VT-d §8.3.1, Table "Device Scope Entry Types"). */
public enum DeviceScopeType {
    PCI_ENDPOINT(1, "PCI Endpoint Device"),
    PCI_SUBHIERARCHY(2, "PCI Bridge Device"),
    IOAPIC(3, "IOAPIC Device"),
    MSI_CAPABLE_HPET(4, "Message-capable HPET Device"),
    ACPI_NAMESPACE(5, "Namespace Device");

    private final int code;
    private final String iaslName;

    DeviceScopeType(int code, String iaslName) {
        this.code = code;
        this.iaslName = iaslName;
    }

    public int code() {
        return code;
    }

    /** The name iasl prints in brackets after the type. */
    public String iaslName() {
        return iaslName;
    }

    public static Optional<DeviceScopeType> of(int code) {
        for (DeviceScopeType t : values()) {
            if (t.code == code) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
