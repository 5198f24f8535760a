package org.jdma.kernel.dma;

import java.util.Optional;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.iommu.Iommu;
import org.jdma.kernel.mm.BuddyFrameAllocator;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.kernel.mm.Zone;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.platform.Cpu;
import org.jdma.machine.Machine;
import org.jdma.spec.pci.RequesterId;

/**
 * A small machine (64 MiB below 4 GiB, 64 MiB above), its frame allocator, a recording cache
 * (coherent or posing as non-coherent), and a mapping layer with a 1 MiB bounce pool unless told
 * otherwise.
 */
final class Rig implements AutoCloseable {

    static final MappingOptions SMALL_POOL = MappingOptions.DEFAULTS.withSwiotlb(1L << 20, 2);

    final Machine machine;
    final Cpu cpu;
    final BuddyFrameAllocator frames;
    final DmaMemory memory;
    final RecordingCache cache;
    final DmaMappingLayer dma;

    private Rig(boolean coherent, Optional<Iommu> iommu, MappingOptions options) {
        this.machine = TestMachines.ramOnly();
        this.cpu = machine.cpu();
        this.frames = BuddyFrameAllocator.fromMemoryMap(machine.memoryMap());
        this.memory = new DmaMemory(cpu, frames);
        this.cache = new RecordingCache(cpu.cache(), coherent);
        this.dma = new DmaMappingLayer(memory, cache, iommu, options);
    }

    static Rig direct(boolean coherent) {
        return new Rig(coherent, Optional.empty(), SMALL_POOL);
    }

    static Rig direct(boolean coherent, MappingOptions options) {
        return new Rig(coherent, Optional.empty(), options);
    }

    static Rig iommu(boolean coherent, Iommu iommu) {
        return new Rig(coherent, Optional.of(iommu), SMALL_POOL);
    }

    static RequesterId rid(int device) {
        return RequesterId.of(0, device, 0);
    }

    DmaDevice attach(String name, int device, boolean untrusted) {
        DmaDevice d = new DmaDevice(name, rid(device), untrusted);
        dma.attach(d);
        return d;
    }

    /** Frames above 4 GiB (beyond a 32-bit mask). */
    long high(long bytes) {
        long p = frames.allocateBytes(bytes, Zone.NORMAL);
        if (p < Zone.NORMAL.start()) {
            throw new AssertionError("expected a frame above 4 GiB, got " + Long.toHexString(p));
        }
        return p;
    }

    /** Frames below 4 GiB. */
    long low(long bytes) {
        return frames.allocateBytes(bytes, Zone.DMA32);
    }

    byte[] read(long phys, int length) {
        byte[] b = new byte[length];
        cpu.read(phys, b);
        return b;
    }

    void write(long phys, byte[] bytes) {
        cpu.write(phys, bytes);
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    static long pageOrder(long bytes) {
        return FrameAllocator.orderFor(bytes);
    }

    @Override
    public void close() {
        machine.close();
    }
}
