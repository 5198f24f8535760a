package org.jdma.platform;

import java.util.List;
import java.util.Optional;
import org.jdma.platform.MemoryMapEntry;
import org.jdma.platform.irq.Interrupts;
import org.jdma.platform.pci.PciFunction;

/**
 * Everything an OS sees of the machine, and nothing more: the CPU's loads and stores (RAM through
 * the cache, MMIO uncached), the firmware memory map and ACPI tables, PCI enumeration (endpoints
 * and the bridges that shape the bus hierarchy), the interrupt controller, and time. The kernel
 * module programs devices only through these.
 */
public interface Platform {
    Cpu cpu();

    Clock clock();

    List<MemoryMapEntry> memoryMap();

    /**
     * Every PCI function a configuration-space scan finds, bridges included (header type 1, with
     * their secondary and subordinate bus numbers), ordered by requester id.
     */
    List<PciFunction> pciFunctions();

    /**
     * The ACPI table the firmware publishes under {@code signature} ("DMAR"), as bytes: a fresh
     * copy each call, so the OS may keep or scribble on it. Empty when there is none.
     */
    Optional<byte[]> acpiTable(String signature);

    Interrupts interrupts();

    /** Page size of the platform, bytes. */
    default int pageSize() {
        return 4096;
    }
}
