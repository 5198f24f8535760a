package org.jdma.kernel.pci;

/**
 * One entry of a function's capability list (PCI Local Bus Specification 3.0 §6.7): its
 * Capability ID and where it starts in configuration space.
 */
public record PciCapability(int id, int offset) {
    @Override
    public String toString() {
        return String.format("cap %#04x at %#04x", id, offset);
    }
}
