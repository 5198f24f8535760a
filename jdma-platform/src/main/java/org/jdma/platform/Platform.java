package org.jdma.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdma.platform.MemoryMapEntry;
import org.jdma.platform.irq.Interrupts;

/**
 * Everything an OS sees of the machine, and nothing more: the CPU's loads and stores (RAM through
 * the cache, MMIO uncached), the firmware memory map and ACPI tables, the interrupt controller,
 * and time. The kernel module programs devices only through these: it finds PCI configuration
 * space through the ACPI MCFG table and reads it with MMIO loads (ECAM), as an OS does.
 *
 * <p>CPUs: {@link #cpus()} lists them; code runs as the boot CPU (index 0) until it enters another
 * with {@link #runOn}, on the calling thread (Linux's {@code smp_call_function_single} with
 * {@code wait}, without the second thread). {@link #cpu()} is the CPU the caller runs on
 * ({@code smp_processor_id()}): per-CPU state is chosen by it, and what the CPU does (MMIO, port
 * I/O) is counted on it. The default methods describe a platform with one CPU.
 */
public interface Platform {

    /** The CPU the calling code runs on: the boot CPU unless it entered another with {@link #runOn}. */
    Cpu cpu();

    /** Every CPU, by {@link Cpu#index()}; the first is the boot CPU. */
    default List<? extends Cpu> cpus() {
        return List.of(cpu());
    }

    /**
     * Runs {@code code} on the calling thread as CPU {@code cpu}, then returns to the CPU the
     * caller ran as (also when {@code code} throws). Calls nest.
     *
     * @throws IllegalArgumentException naming the CPU when there is no such CPU
     */
    default void runOn(int cpu, Runnable code) {
        if (cpu != 0) {
            throw new IllegalArgumentException("CPU " + cpu + " does not exist (CPUs 0..0)");
        }
        code.run();
    }

    /** {@link #runOn} for code with a result. */
    default <T> T callOn(int cpu, Supplier<T> code) {
        List<T> result = new ArrayList<>(1);
        runOn(cpu, () -> result.add(code.get()));
        return result.getFirst();
    }

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
