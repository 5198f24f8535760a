package org.jdma.platform;

import java.util.List;
import java.util.Optional;
import org.jdma.platform.MemoryMapEntry;
import org.jdma.platform.irq.Interrupts;

/**
 * Everything an OS sees of the machine, and nothing more: the CPU's loads and stores (RAM through
 * the cache, MMIO uncached), the firmware memory map and ACPI tables, the interrupt controller,
 * and time. The kernel module programs devices only through these: it finds PCI configuration
 * space through the ACPI MCFG table and reads it with MMIO loads (ECAM), as an OS does.
 */
public interface Platform {
    Cpu cpu();

    Clock clock();

    List<MemoryMapEntry> memoryMap();

    /**
     * The ACPI table the firmware publishes under {@code signature} ("DMAR", "MCFG"), as bytes: a fresh
     * copy each call, so the OS may keep or scribble on it. Empty when there is none.
     */
    Optional<byte[]> acpiTable(String signature);

    Interrupts interrupts();

    /**
     * Adds a debugging observer of device memory accesses ({@link DeviceAccessObserver}), for
     * checkers that compare what a device touches with what the OS mapped for it.
     *
     * @return false when this platform cannot observe device accesses (the observer is then not
     *         added and will never be called)
     */
    default boolean addDeviceAccessObserver(DeviceAccessObserver observer) {
        return false;
    }

    /** Removes an observer added with {@link #addDeviceAccessObserver}; nothing when it is not there. */
    default void removeDeviceAccessObserver(DeviceAccessObserver observer) { }

    /** Page size of the platform, bytes. */
    default int pageSize() {
        return 4096;
    }
}
