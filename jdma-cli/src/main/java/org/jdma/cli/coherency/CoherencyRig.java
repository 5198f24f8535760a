package org.jdma.cli.coherency;

import java.util.function.UnaryOperator;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.kernel.pci.PciDevice;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.MappingOptions;
import org.jdma.kernel.dma.debug.DmaDebug;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.platform.Cpu;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.kernel.mm.DmaMemory;

/**
 * What one scenario run stands on: a fresh non-coherent machine (64 MiB below and above 4 GiB,
 * the write-back cache, one copy engine), the kernel booted with the checker (sanitizer on) in
 * front of its mapping layer, and the copy engine's DMA device (64-bit, attached by its driver). Plus the few helpers the
 * scenarios' driver code shares: allocation, checked mapping, one engine copy.
 */
final class CoherencyRig implements AutoCloseable {

    static final Set<DmaAttr> NO_ATTRS = EnumSet.noneOf(DmaAttr.class);
    private static final long RAM = 64L << 20;
    private static final long SWIOTLB_BYTES = 1L << 20;

    final Machine machine;
    final Kernel kernel;
    final DmaDebug checker;
    /** The API the driver code uses: the checker over the mapping layer. */
    final DmaApi dma;
    final DmaDevice device;
    final CopyEngineDriver engine;
    final Cpu cpu;

    CoherencyRig(CacheConfig cache, long seed, UnaryOperator<Machine> watch) {
        machine = watch.apply(new Machine(MachineConfig.defaults()
                .withSeed(seed)
                .withRam(List.of(new MachineConfig.Ram("low", 0, RAM), new MachineConfig.Ram("high", 4 * MachineConfig.GiB, RAM)))
                .withDevices(CopyEngine.specs(1))
                .withCache(cache)));
        try {
            // The kernel's own DMA API, with the checker in front: it sees the driver's ring too.
            kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withDmaDebug(true)
                    .withMapping(MappingOptions.DEFAULTS.withSwiotlb(SWIOTLB_BYTES, 1)));
            checker = kernel.dmaDebug().orElseThrow();
            dma = checker;
            engine = kernel.copyEngine();
            device = engine.dma().device(); // a 64-bit DMA device: its driver set the mask
            cpu = machine.cpu();
        } catch (RuntimeException e) {
            machine.close();
            throw e;
        }
    }

    int lineSize() {
        return cpu.cache().lineSize();
    }

    /** A page-aligned, zeroed buffer below 4 GiB. */
    long allocate(long size) {
        return kernel.memory().allocate(size, 4096, DmaMemory.LIMIT_4GIB).physicalAddress();
    }

    /** mapSingle, with the mapping-error test every driver owes. */
    long map(long phys, long size, DmaDirection direction) {
        long dma = this.dma.mapSingle(device, phys, size, direction, NO_ATTRS);
        if (this.dma.mappingError(device, dma)) {
            throw new IllegalStateException(String.format("mapping [%#x, +%d) for %s failed", phys, size, device.name()));
        }
        return dma;
    }

    void unmap(long dma, long size, DmaDirection direction) {
        this.dma.unmapSingle(device, dma, size, direction, NO_ATTRS);
    }

    /** The device copies {@code length} bytes between two device addresses; waits for it. */
    void deviceCopy(long srcDma, long dstDma, long length) {
        OpResult r = engine.execute(Descriptor.memmove(srcDma, dstDma, length));
        if (!r.isSuccess()) {
            throw new IllegalStateException("the copy engine did not complete the copy: " + r);
        }
    }

    @Override
    public void close() {
        kernel.close();
        machine.close();
    }
}
