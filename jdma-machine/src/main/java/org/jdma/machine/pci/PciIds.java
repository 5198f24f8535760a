package org.jdma.machine.pci;

/**
 * What a function's configuration header says it is (PCI Local Bus Specification 3.0 §6.2.1).
 *
 * @param vendorId          Vendor ID, u16 (0xFFFF is reserved: it means "no function")
 * @param deviceId          Device ID, u16
 * @param classCode         Class Code, u24: base class, subclass, programming interface
 * @param revision          Revision ID, u8
 * @param subsystemVendorId Subsystem Vendor ID, u16 (type 0 headers only)
 * @param subsystemId       Subsystem ID, u16 (type 0 headers only)
 */
public record PciIds(int vendorId, int deviceId, int classCode, int revision, int subsystemVendorId, int subsystemId) {

    public PciIds {
        if (vendorId < 0 || vendorId >= 0xFFFF) {
            throw new IllegalArgumentException(String.format("Vendor ID %#x: must be a u16 other than 0xffff", vendorId));
        }
        check("Device ID", deviceId, 0xFFFF);
        check("Class Code", classCode, 0xFF_FFFF);
        check("Revision ID", revision, 0xFF);
        check("Subsystem Vendor ID", subsystemVendorId, 0xFFFF);
        check("Subsystem ID", subsystemId, 0xFFFF);
    }

    /** Ids with revision 0 and the subsystem ids equal to the vendor and device ids. */
    public static PciIds of(int vendorId, int deviceId, int classCode) {
        return new PciIds(vendorId, deviceId, classCode, 0, vendorId, deviceId);
    }

    private static void check(String field, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(String.format("%s %#x does not fit its field (max %#x)", field, value, max));
        }
    }
}
