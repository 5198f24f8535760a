package org.jdma.kernel.pci;

import org.jdma.spec.pci.RequesterId;

/**
 * How the kernel reaches PCI configuration space (Linux {@code struct pci_ops}): reads and writes
 * of 1, 2 or 4 bytes, naturally aligned, at a register of a function. A function that is not there
 * reads all ones and ignores writes, as the hardware answers.
 */
public interface ConfigAccess {

    int read8(RequesterId function, int register);

    int read16(RequesterId function, int register);

    int read32(RequesterId function, int register);

    void write8(RequesterId function, int register, int value);

    void write16(RequesterId function, int register, int value);

    void write32(RequesterId function, int register, int value);

    /** Whether configuration space of {@code function} can be reached at all. */
    boolean reaches(RequesterId function);
}
