package org.jdma.kernel;

import java.util.Optional;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.dma.MappingOptions;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.engine.DmaMemory;
import org.jdma.kernel.mm.BuddyFrameAllocator;
import org.jdma.machine.Cpu;
import org.jdma.machine.Platform;

/**
 * The kernel's boot sequence, as far as DMA needs it: read the firmware memory map, put its RAM
 * under a buddy frame allocator, and probe the drivers for the devices found on the PCI bus.
 * Everything here uses the machine only through {@link Platform}.
 */
public final class Kernel implements AutoCloseable {

    private final Platform platform;
    private final BuddyFrameAllocator frames;
    private final DmaMemory memory;
    private final CopyEngineDriver copyEngine;
    private DmaMappingLayer dma;

    private Kernel(Platform platform, CopyEngineDriver.Options copyEngineOptions) {
        this.platform = platform;
        this.frames = BuddyFrameAllocator.fromMemoryMap(platform.memoryMap());
        this.memory = new DmaMemory(platform.cpu(), frames);
        this.copyEngine = CopyEngineDriver.find(platform).isEmpty() ? null
                : CopyEngineDriver.open(platform, memory, copyEngineOptions);
    }

    /** Boots with default driver options (128-slot ring, interrupt-driven completion). */
    public static Kernel boot(Platform platform) {
        return new Kernel(platform, CopyEngineDriver.Options.DEFAULTS);
    }

    public static Kernel boot(Platform platform, CopyEngineDriver.CompletionMode mode) {
        return new Kernel(platform, CopyEngineDriver.Options.DEFAULTS.withMode(mode));
    }

    public static Kernel boot(Platform platform, CopyEngineDriver.Options options) {
        return new Kernel(platform, options);
    }

    public Platform platform() {
        return platform;
    }

    public Cpu cpu() {
        return platform.cpu();
    }

    public BuddyFrameAllocator frames() {
        return frames;
    }

    public DmaMemory memory() {
        return memory;
    }

    /**
     * The DMA-mapping layer, built on first use: its 64 MiB bounce pool is taken from DMA32 then,
     * not at every boot. TODO(vtd-driver): pass the VT-d driver's Iommu instead of empty; until
     * then every device is served by direct DMA.
     */
    public synchronized DmaMappingLayer dma() {
        if (dma == null) {
            dma = new DmaMappingLayer(memory, Optional.empty(), MappingOptions.DEFAULTS);
        }
        return dma;
    }

    /** The driver of the first copy engine; throws when the machine has none. */
    public CopyEngineDriver copyEngine() {
        if (copyEngine == null) {
            throw new IllegalStateException("this machine has no copy engine on its PCI bus");
        }
        return copyEngine;
    }

    @Override
    public void close() {
        if (copyEngine != null) {
            copyEngine.close();
        }
    }
}
