package org.jdma.kernel.dma.debug;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.dma.MappingOptions;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.machine.cache.CpuCache;
import org.jdma.spec.pci.RequesterId;
import org.jdma.kernel.mm.DmaMemory;

/**
 * A small machine (coherent or not), its kernel, the real mapping layer with a 1 MiB bounce pool,
 * the checker over it (sanitizer on the machine's cache), one attached device, and every report
 * collected by a listener.
 */
final class DebugFixture implements AutoCloseable {

    final Machine machine;
    final Kernel kernel;
    final DmaMappingLayer layer;
    final DmaDebug debug;
    final DmaDevice device;
    final List<DmaDebugReport> reports = new ArrayList<>();
    private final List<DmaBuffer> buffers = new ArrayList<>();

    private DebugFixture(CacheConfig cache, DmaDebug.Options options) {
        machine = new Machine(TestMachines.small(0).withCache(cache));
        kernel = Kernel.boot(machine);
        layer = new DmaMappingLayer(kernel.memory(), Optional.empty(), MappingOptions.DEFAULTS.withSwiotlb(1 << 20, 1));
        debug = DmaDebug.wrap(layer, machine, options);
        debug.addListener(reports::add);
        device = new DmaDevice("nic0", RequesterId.of(0, 5, 0), false);
        debug.attach(device);
    }

    static DebugFixture coherent() {
        return new DebugFixture(CacheConfig.COHERENT, DmaDebug.Options.DEFAULTS);
    }

    static DebugFixture nonCoherent() {
        return new DebugFixture(CacheConfig.nonCoherent(64), DmaDebug.Options.DEFAULTS);
    }

    static DebugFixture withOptions(DmaDebug.Options options) {
        return new DebugFixture(CacheConfig.COHERENT, options);
    }

    CpuCache cache() {
        return machine.cpu().cache();
    }

    /** A fresh page-aligned buffer of {@code size} bytes (physical address). */
    long buffer(long size) {
        DmaBuffer b = kernel.memory().allocate(size, 4096, DmaMemory.LIMIT_4GIB); // inside the default mask: never bounced
        buffers.add(b);
        // Allocation zeroed it through the cache: write it back and drop it, so each test starts at rest.
        cache().cleanInvalidate(b.physicalAddress(), size);
        return b.physicalAddress();
    }

    /** The categories reported so far, in order. */
    List<DmaDebugCategory> categories() {
        return reports.stream().map(DmaDebugReport::category).toList();
    }

    @Override
    public void close() {
        debug.close();
        kernel.close();
        machine.close();
    }
}
