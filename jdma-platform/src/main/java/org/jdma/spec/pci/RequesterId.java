package org.jdma.spec.pci;

/**
 * The PCI requester id carried by every transaction a device issues: segment, bus (8 bits),
 * device (5 bits), function (3 bits). PCI Express Base Specification §2.2.6.2 (Transaction
 * Descriptor, Requester ID); the 16-bit source-id form is what VT-d fault records report.
 */
public record RequesterId(int segment, int bus, int device, int function) implements Comparable<RequesterId> {

    public RequesterId {
        if (segment < 0 || segment > 0xFFFF) {
            throw new IllegalArgumentException("PCI segment out of range 0..0xffff: " + segment);
        }
        if (bus < 0 || bus > 0xFF) {
            throw new IllegalArgumentException("PCI bus out of range 0..255: " + bus);
        }
        if (device < 0 || device > 0x1F) {
            throw new IllegalArgumentException("PCI device out of range 0..31: " + device);
        }
        if (function < 0 || function > 7) {
            throw new IllegalArgumentException("PCI function out of range 0..7: " + function);
        }
    }

    public static RequesterId of(int bus, int device, int function) {
        return new RequesterId(0, bus, device, function);
    }

    /** The 16-bit source id: bus[15:8], device[7:3], function[2:0]. */
    public int sourceId() {
        return (bus << 8) | (device << 3) | function;
    }

    /** Parses "ssss:bb:dd.f" or "bb:dd.f" (hex). */
    public static RequesterId parse(String text) {
        String[] parts = text.trim().split(":");
        try {
            int seg = 0;
            int i = 0;
            if (parts.length == 3) {
                seg = Integer.parseInt(parts[0], 16);
                i = 1;
            } else if (parts.length != 2) {
                throw new IllegalArgumentException("requester id '" + text + "' is not [ssss:]bb:dd.f");
            }
            int bus = Integer.parseInt(parts[i], 16);
            String[] df = parts[i + 1].split("\\.");
            if (df.length != 2) {
                throw new IllegalArgumentException("requester id '" + text + "' is not [ssss:]bb:dd.f");
            }
            return new RequesterId(seg, bus, Integer.parseInt(df[0], 16), Integer.parseInt(df[1], 16));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("requester id '" + text + "' has a non-hex field", e);
        }
    }

    @Override
    public int compareTo(RequesterId o) {
        int c = Integer.compare(segment, o.segment);
        return c != 0 ? c : Integer.compare(sourceId(), o.sourceId());
    }

    @Override
    public String toString() {
        return String.format("%04x:%02x:%02x.%x", segment, bus, device, function);
    }
}
