package org.jdma.platform.pci;

import org.jdma.spec.pci.RequesterId;

/**
 * One PCI function as enumeration shows it to the OS: what a scan of its configuration space
 * header finds.
 *
 * <p>Two header types exist (PCI Local Bus Specification 3.0 §6.1, Header Type register 0x0E):
 * type 0, an endpoint with a memory BAR; and type 1, a PCI-to-PCI bridge (PCI-to-PCI Bridge
 * Architecture Specification 1.2 §3.2.5.3 and §3.2.5.4, Secondary and Subordinate Bus Number at
 * 0x19 and 0x1A), which forwards configuration and DMA traffic between the bus it sits on (its
 * primary bus, {@code requester().bus()}) and the buses {@code [secondaryBus, subordinateBus]}
 * below it. A PCIe root port is such a bridge. Bridges here have no BAR ({@code barSize} 0).
 *
 * @param name           a short instance name ("memcpy0", "rootport0")
 * @param requester      its requester id; for a bridge its bus is the primary bus
 * @param vendorId       PCI vendor id
 * @param deviceId       PCI device id
 * @param classCode      24-bit class code (base class, subclass, programming interface)
 * @param barBase        physical base of its MMIO BAR (0 for a bridge)
 * @param barSize        size of that BAR in bytes (0 for a bridge)
 * @param headerType     {@link #HEADER_TYPE_ENDPOINT} or {@link #HEADER_TYPE_BRIDGE}
 * @param secondaryBus   for a bridge, the bus directly below it; 0 for an endpoint
 * @param subordinateBus for a bridge, the highest bus below it; 0 for an endpoint
 */
public record PciFunction(String name, RequesterId requester, int vendorId, int deviceId, int classCode,
                          long barBase, long barSize, int headerType, int secondaryBus, int subordinateBus) {

    public static final int HEADER_TYPE_ENDPOINT = 0;
    public static final int HEADER_TYPE_BRIDGE = 1;
    /** Class code of a PCI-to-PCI bridge: base class 06 (bridge), subclass 04, interface 00. */
    public static final int CLASS_PCI_BRIDGE = 0x06_04_00;

    public PciFunction {
        if (headerType == HEADER_TYPE_ENDPOINT) {
            if (secondaryBus != 0 || subordinateBus != 0) {
                throw new IllegalArgumentException(String.format(
                        "%s at %s is an endpoint (header type 0): it has no secondary/subordinate bus, got %#x/%#x",
                        name, requester, secondaryBus, subordinateBus));
            }
        } else if (headerType == HEADER_TYPE_BRIDGE) {
            // Bus numbers grow downstream (depth-first enumeration), so a bridge's buses lie above its own.
            if (secondaryBus <= requester.bus() || secondaryBus > subordinateBus || subordinateBus > 0xFF) {
                throw new IllegalArgumentException(String.format(
                        "bridge %s at %s: need primary bus %02x < secondary bus <= subordinate bus <= ff, got secondary %#x subordinate %#x",
                        name, requester, requester.bus(), secondaryBus, subordinateBus));
            }
        } else {
            throw new IllegalArgumentException(name + " at " + requester + ": header type " + headerType
                    + " is neither 0 (endpoint) nor 1 (PCI-to-PCI bridge)");
        }
    }

    /** An endpoint (header type 0). */
    public PciFunction(String name, RequesterId requester, int vendorId, int deviceId, int classCode, long barBase, long barSize) {
        this(name, requester, vendorId, deviceId, classCode, barBase, barSize, HEADER_TYPE_ENDPOINT, 0, 0);
    }

    /** A PCI-to-PCI bridge (header type 1, class 0x060400, no BAR) routing buses {@code [secondary, subordinate]}. */
    public static PciFunction bridge(String name, RequesterId requester, int vendorId, int deviceId,
                                     int secondaryBus, int subordinateBus) {
        return new PciFunction(name, requester, vendorId, deviceId, CLASS_PCI_BRIDGE, 0, 0, HEADER_TYPE_BRIDGE,
                secondaryBus, subordinateBus);
    }

    public boolean isBridge() {
        return headerType == HEADER_TYPE_BRIDGE;
    }

    /** Whether this is a bridge and {@code bus} lies in its range {@code [secondaryBus, subordinateBus]}. */
    public boolean routesBus(int bus) {
        return isBridge() && secondaryBus <= bus && bus <= subordinateBus;
    }
}
