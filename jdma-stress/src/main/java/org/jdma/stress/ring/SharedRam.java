package org.jdma.stress.ring;

import java.lang.foreign.Arena;
import org.jdma.kernel.drivers.memcpy.CopyRing;
import org.jdma.kernel.ring.RingMemory;
import org.jdma.machine.bus.BusTiming;
import org.jdma.machine.bus.DmaOrigin;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.cache.CoherentCache;
import org.jdma.machine.cache.CpuCache;
import org.jdma.machine.cpu.MachineCpu;
import org.jdma.machine.irq.InterruptController;
import org.jdma.machine.memory.IoPortSpace;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.pci.RequesterId;

/**
 * A few KiB of RAM at physical address 0 with both of its real access paths: the CPU side (the
 * machine's {@link MachineCpu} over a {@link CoherentCache}: what the kernel's ring code reaches
 * memory through) and a device side ({@link DmaPort}, what the copy engine uses). A whole
 * {@code Machine} per jcstress state would be far too heavy; the stress harness runs on the class
 * path and builds the two paths directly.
 *
 * <p>{@link #ring} is the kernel's real copy-engine ring ({@link CopyRing} over the shared ring
 * protocol) in this RAM, with the device address equal to the physical one (no IOMMU) and a
 * doorbell that stores the producer index into a volatile, as the copy engine's SUBMIT_INDEX
 * register hook does. The ring is the single-producer one of {@value #SLOTS} slots unless the
 * test asks for another size or a {@link CopyRing.Threads#SHARED shared} ring.
 */
final class SharedRam {

    static final int SIZE = 4096;
    static final int CACHE_LINE = 64;
    /** The smallest ring: slot 0 is the one the tests race on. */
    static final int SLOTS = 2;

    final CpuCache cache;
    final MachineCpu cpu;
    final DmaPort device;
    final RingMemory memory;
    final CopyRing ring;
    /** What SUBMIT_INDEX holds: written by the ring's doorbell, read by the device. */
    volatile int submitIndex;

    SharedRam() {
        this(SLOTS, CopyRing.Threads.SINGLE);
    }

    SharedRam(int slots, CopyRing.Threads threads) {
        PhysicalMemory ram = new PhysicalMemory();
        ram.addRam("stress", 0, Arena.ofAuto().allocate(SIZE, CACHE_LINE));
        this.cache = new CoherentCache(ram, CACHE_LINE);
        EventKernel kernel = new EventKernel(0);
        this.cpu = new MachineCpu(ram, new IoPortSpace(), cache, kernel, 0, 0);
        this.device = new DmaPort("stress", new DmaOrigin.PciRequester(RequesterId.of(0, 4, 0)), ram, cache,
                new InterruptController(kernel, InterruptController.DEFAULT_DELIVERY_LATENCY_NS), BusTiming.DEFAULT, kernel::now);
        this.memory = new RingMemory(cpu, 0, 0, SIZE);
        this.ring = new CopyRing(memory, new CopyRing.Port() {
            @Override
            public void attach(long ringBase, int slots) {
            }

            @Override
            public void doorbell(int producerIndex) {
                submitIndex = producerIndex;
            }

            @Override
            public int interruptHandle() {
                return 0;
            }

            @Override
            public void detach() {
            }
        }, slots, threads);
    }
}
