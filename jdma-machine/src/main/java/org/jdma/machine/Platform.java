package org.jdma.machine;

import java.util.List;
import org.jdma.machine.firmware.MemoryMapEntry;
import org.jdma.machine.irq.Interrupts;
import org.jdma.machine.pci.PciFunction;

/**
 * Everything an OS sees of the machine, and nothing more: the CPU's loads and stores (RAM through
 * the cache, MMIO uncached), the firmware memory map, PCI enumeration, the interrupt controller,
 * and time. The kernel module programs devices only through these.
 */
public interface Platform {
    Cpu cpu();

    Clock clock();

    List<MemoryMapEntry> memoryMap();

    List<PciFunction> pciFunctions();

    Interrupts interrupts();

    /** Page size of the platform, bytes. */
    default int pageSize() {
        return 4096;
    }
}
