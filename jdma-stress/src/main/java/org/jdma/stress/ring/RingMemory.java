package org.jdma.stress.ring;

import java.lang.foreign.Arena;
import org.jdma.machine.bus.BusTiming;
import org.jdma.machine.bus.DmaOrigin;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.cache.CoherentCache;
import org.jdma.machine.cache.CpuCache;
import org.jdma.machine.irq.InterruptController;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.spec.pci.RequesterId;
import org.jdma.machine.time.EventKernel;

/**
 * A few KiB of RAM at physical address 0 with both of its real access paths: the CPU side
 * ({@link CoherentCache}, what the kernel's {@code Cpu} uses for ring memory) and a device side
 * ({@link DmaPort}, what the copy engine uses). A whole {@code Machine} per jcstress state would be
 * far too heavy; the stress harness runs on the class path and builds the two paths directly
 * (kernel code reaches them only through {@code Cpu} and the device model).
 */
final class RingMemory {

    static final int SIZE = 4096;
    static final int CACHE_LINE = 64;

    final CpuCache cpu;
    final DmaPort device;

    RingMemory() {
        PhysicalMemory memory = new PhysicalMemory();
        memory.addRam("stress", 0, Arena.ofAuto().allocate(SIZE, CACHE_LINE));
        this.cpu = new CoherentCache(memory, CACHE_LINE);
        EventKernel kernel = new EventKernel(0);
        this.device = new DmaPort("stress", new DmaOrigin.PciRequester(RequesterId.of(0, 4, 0)), memory, cpu,
                new InterruptController(kernel, InterruptController.DEFAULT_DELIVERY_LATENCY_NS), BusTiming.DEFAULT, kernel::now);
    }
}
