package org.jdma.kernel.acpi;

/** One hop of a device scope's path: a device and function on the current bus (VT-d §8.3.1). */
public record PciPathEntry(int device, int function) {
    @Override
    public String toString() {
        return String.format("%02x.%x", device, function);
    }
}
