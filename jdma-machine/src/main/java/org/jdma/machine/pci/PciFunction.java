package org.jdma.machine.pci;

/**
 * One PCI function as enumeration shows it to the OS.
 *
 * @param name      a short instance name ("memcpy0")
 * @param requester its requester id
 * @param vendorId  PCI vendor id
 * @param deviceId  PCI device id
 * @param classCode 24-bit class code (base class, subclass, programming interface)
 * @param barBase   physical base of its MMIO BAR
 * @param barSize   size of that BAR in bytes
 */
public record PciFunction(String name, RequesterId requester, int vendorId, int deviceId, int classCode,
                          long barBase, long barSize) {
}
