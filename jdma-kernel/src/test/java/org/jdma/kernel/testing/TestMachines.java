package org.jdma.kernel.testing;

import org.jdma.machine.dev.memcpy.CopyEngine;
import java.util.List;
import java.util.Optional;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.dma.MappingOptions;
import org.jdma.kernel.driver.DriverRegistry;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.pci.PciSubsystem;
import org.jdma.kernel.iommu.Iommu;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.mm.BuddyFrameAllocator;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;

/** Small machines for kernel tests: 64 MiB below 4 GiB, 64 MiB above. */
public final class TestMachines {
    private TestMachines() { }

    public static final long MiB = 1L << 20;
    public static final long LOW_BASE = 0;
    public static final long HIGH_BASE = 4 * MachineConfig.GiB;

    public static MachineConfig small(int copyEngines) {
        return MachineConfig.defaults()
                .withRam(List.of(new MachineConfig.Ram("low", LOW_BASE, 64 * MiB), new MachineConfig.Ram("high", HIGH_BASE, 64 * MiB)))
                .withDevices(CopyEngine.specs(copyEngines));
    }

    /** A machine with RAM only (no devices). */
    public static Machine ramOnly() {
        return new Machine(small(0));
    }

    public static DmaMemory dmaMemory(Machine m) {
        return new DmaMemory(m.cpu(), BuddyFrameAllocator.fromMemoryMap(m.memoryMap()));
    }

    /** A DMA-mapping layer over {@code memory} with no IOMMU (direct DMA) and a 1 MiB bounce pool. */
    public static DmaMappingLayer directDma(DmaMemory memory) {
        return new DmaMappingLayer(memory, Optional.empty(), MappingOptions.DEFAULTS.withSwiotlb(1L << 20, 1));
    }

    /** A DMA-mapping layer over {@code memory} whose devices {@code iommu} translates for. */
    public static DmaMappingLayer iommuDma(DmaMemory memory, Iommu iommu) {
        return new DmaMappingLayer(memory, Optional.of(iommu), MappingOptions.DEFAULTS.withSwiotlb(1L << 20, 1));
    }

    /** A device (requester 00:04.0, the first copy engine's slot) attached to {@code api}, with its DMA API. */
    public static DeviceDmaApi device(DmaApi api, String name) {
        DmaDevice d = new DmaDevice(name, CopyEngine.slot(0), false);
        api.attach(d);
        return new DeviceDmaApi(api, d);
    }

    /**
     * A driver core with one registration, the copy engine driver with {@code options}, bound to
     * every copy engine of {@code machine}, each device's DMA through {@code api}: the driver without
     * the rest of a kernel. Closing it removes the drivers.
     */
    public static DriverRegistry bindCopyEngines(Machine machine, DmaApi api, CopyEngineDriver.Options options) {
        return DriverRegistry.bind(machine, PciSubsystem.scan(machine), api, List.of(CopyEngineDriver.driver(options)));
    }
}
