package org.jdma.kernel.driver;

import java.util.Objects;

/**
 * What a driver binds to (Linux {@code struct pci_device_id}, {@code struct isa_driver}):
 * <ul>
 *   <li>{@link PciId}: a PCI function with this Vendor ID and Device ID ({@code PCI_DEVICE});</li>
 *   <li>{@link PciClass}: a PCI function whose Class Code, under a mask, equals a value
 *       ({@code PCI_DEVICE_CLASS}: e.g. every NVMe controller, class 01 08 02);</li>
 *   <li>{@link Legacy}: a legacy device at the ports, IRQ line and DMA channels the driver names.
 *       Nothing enumerates an ISA bus, so this match creates the device instead of finding it:
 *       the kernel claims the resources for the driver and the probe checks that the hardware
 *       answers there.</li>
 * </ul>
 */
public sealed interface DeviceMatch {

    /** Whether {@code device} is one this match names. A legacy match never matches an enumerated device. */
    boolean matches(DeviceInfo device);

    /** Linux {@code PCI_DEVICE(vendor, device)}. */
    static DeviceMatch pciId(int vendorId, int deviceId) {
        return new PciId(vendorId, deviceId);
    }

    /** Linux {@code PCI_DEVICE_CLASS(classCode, mask)}. */
    static DeviceMatch pciClass(int classCode, int mask) {
        return new PciClass(classCode, mask);
    }

    /** A legacy device at {@code resources}. */
    static DeviceMatch legacy(LegacyResources resources) {
        return new Legacy(resources);
    }

    record PciId(int vendorId, int deviceId) implements DeviceMatch {
        public PciId {
            if ((vendorId & ~0xFFFF) != 0 || (deviceId & ~0xFFFF) != 0) {
                throw new IllegalArgumentException(String.format("PCI ids %#x:%#x are not 16-bit values", vendorId, deviceId));
            }
        }

        @Override
        public boolean matches(DeviceInfo device) {
            return device instanceof DeviceInfo.Pci p && p.vendorId() == vendorId && p.deviceId() == deviceId;
        }

        @Override
        public String toString() {
            return String.format("PCI %04x:%04x", vendorId, deviceId);
        }
    }

    /** @param classCode base class, subclass, programming interface; @param mask which of its 24 bits must equal */
    record PciClass(int classCode, int mask) implements DeviceMatch {
        public PciClass {
            if ((classCode & ~0xFF_FFFF) != 0 || (mask & ~0xFF_FFFF) != 0) {
                throw new IllegalArgumentException(String.format("PCI class %#x / mask %#x are not 24-bit values", classCode, mask));
            }
            if ((classCode & ~mask) != 0) {
                throw new IllegalArgumentException(String.format("PCI class %06x has bits outside its mask %06x: it can never match",
                        classCode, mask));
            }
        }

        @Override
        public boolean matches(DeviceInfo device) {
            return device instanceof DeviceInfo.Pci p && (p.classCode() & mask) == classCode;
        }

        @Override
        public String toString() {
            return String.format("PCI class %06x/%06x", classCode, mask);
        }
    }

    record Legacy(LegacyResources resources) implements DeviceMatch {
        public Legacy {
            Objects.requireNonNull(resources, "resources");
        }

        @Override
        public boolean matches(DeviceInfo device) {
            return false;
        }

        @Override
        public String toString() {
            return "legacy " + resources;
        }
    }
}
