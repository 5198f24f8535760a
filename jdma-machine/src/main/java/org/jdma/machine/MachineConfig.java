package org.jdma.machine;

import java.util.List;
import org.jdma.machine.bus.BusTiming;
import org.jdma.machine.dev.memcpy.CopyEngineConfig;

/**
 * Everything that shapes a machine, in one record. Sizes in bytes, times in nanoseconds.
 *
 * @param seed              seed of the machine's one random source
 * @param ram               RAM regions of the physical address map
 * @param cacheLineSize     CPU cache line size
 * @param busTiming         timing of each device's path to memory
 * @param interruptLatencyNs MSI write to handler entry
 * @param mmioAccessNs      stall of an uncached MMIO read
 * @param copyEngines       number of copy engines plugged in (memcpy0 at 00:04.0, memcpy1 at 00:05.0, ...)
 * @param copyEngine        configuration of each copy engine
 */
public record MachineConfig(long seed, List<Ram> ram, int cacheLineSize, BusTiming busTiming,
                            long interruptLatencyNs, long mmioAccessNs, int copyEngines, CopyEngineConfig copyEngine) {

    /** A RAM region to create. */
    public record Ram(String name, long base, long size) { }

    public static final long GiB = 1L << 30;
    /** Device BARs are placed from here, 64 KiB apart, below the interrupt range. */
    public static final long MMIO_BASE = 0xF000_0000L;
    public static final long BAR_STRIDE = 0x1_0000L;
    /** Copy engine i sits at 00:(FIRST_COPY_ENGINE_DEVICE + i).0 on the root bus. */
    public static final int FIRST_COPY_ENGINE_DEVICE = 4;
    /** As many as fit on bus 0 from device 4 to device 0x1f. */
    public static final int MAX_COPY_ENGINES = 0x1F - FIRST_COPY_ENGINE_DEVICE + 1;

    public MachineConfig {
        ram = List.copyOf(ram);
        if (ram.isEmpty()) {
            throw new IllegalArgumentException("a machine needs at least one RAM region");
        }
        if (copyEngines < 0 || copyEngines > MAX_COPY_ENGINES) {
            throw new IllegalArgumentException("copyEngines must be 0.." + MAX_COPY_ENGINES + " (bus 0, devices 04..1f), was " + copyEngines);
        }
    }

    /**
     * The default machine: 2 GiB of RAM below 4 GiB (so 32-bit DMA masks have something to reach)
     * and 2 GiB above 4 GiB (so they also have something to miss), a PCI hole from 2 GiB to 4 GiB
     * with the device BARs and the interrupt range, 64-byte cache lines, one copy engine.
     */
    public static MachineConfig defaults() {
        return new MachineConfig(1, List.of(new Ram("low", 0, 2 * GiB), new Ram("high", 4 * GiB, 2 * GiB)),
                64, BusTiming.DEFAULT, 1_000, 250, 1, CopyEngineConfig.DEFAULT);
    }

    public MachineConfig withSeed(long s) {
        return new MachineConfig(s, ram, cacheLineSize, busTiming, interruptLatencyNs, mmioAccessNs, copyEngines, copyEngine);
    }

    public MachineConfig withRam(List<Ram> r) {
        return new MachineConfig(seed, r, cacheLineSize, busTiming, interruptLatencyNs, mmioAccessNs, copyEngines, copyEngine);
    }

    public MachineConfig withCopyEngines(int n) {
        return new MachineConfig(seed, ram, cacheLineSize, busTiming, interruptLatencyNs, mmioAccessNs, n, copyEngine);
    }

    public MachineConfig withCopyEngine(CopyEngineConfig c) {
        return new MachineConfig(seed, ram, cacheLineSize, busTiming, interruptLatencyNs, mmioAccessNs, copyEngines, c);
    }

    public MachineConfig withBusTiming(BusTiming t) {
        return new MachineConfig(seed, ram, cacheLineSize, t, interruptLatencyNs, mmioAccessNs, copyEngines, copyEngine);
    }
}
