package org.jdma.machine.dev;

import org.jdma.machine.mmio.MmioHandler;
import org.jdma.platform.pci.PciFunction;

/** A device plugged into the machine. */
public interface Device {
    String name();

    PciFunction pciFunction();

    /** The register file the CPU reaches through the device's BAR. */
    MmioHandler registers();

    /** Returns the device to its power-on state. */
    void reset();
}
