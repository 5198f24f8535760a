package org.jdma.kernel.driver;

import java.util.Objects;
import org.jdma.spec.pci.RequesterId;

/**
 * What a driver is bound to, as the kernel knows it: a PCI function found by enumeration (its
 * identity from the configuration header), or a legacy device at the resources its driver
 * declared. It describes the device; it does not reach it (that is {@link DriverContext}'s job).
 */
public sealed interface DeviceInfo {

    /**
     * A PCI function (PCI Local Bus Specification 3.0 §6.2.1: Vendor ID, Device ID, Revision ID,
     * Class Code).
     *
     * @param classCode base class, subclass and programming interface, 24 bits
     */
    record Pci(RequesterId requester, int vendorId, int deviceId, int classCode, int revision) implements DeviceInfo {
        public Pci {
            Objects.requireNonNull(requester, "requester");
        }

        @Override
        public String toString() {
            return String.format("%s %04x:%04x class %06x", requester, vendorId, deviceId, classCode);
        }
    }

    /** A legacy device: where its driver said it is. */
    record Legacy(LegacyResources resources) implements DeviceInfo {
        public Legacy {
            Objects.requireNonNull(resources, "resources");
        }

        @Override
        public String toString() {
            return "legacy device at " + resources;
        }
    }
}
