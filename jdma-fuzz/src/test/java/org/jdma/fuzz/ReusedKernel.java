package org.jdma.fuzz;

import java.util.List;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.BuddyFrameAllocator;
import org.jdma.kernel.mm.Zone;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.spec.pci.RequesterId;

/**
 * One booted machine and kernel (one IOMMU mode) for a whole fuzzing run of the DMA-API target,
 * prepared before each input so that the input sees what it would see on a kernel booted for it
 * alone. What an input can leave behind, and why it cannot matter to the next one:
 * <ul>
 *   <li>the device's IOMMU domain (IOVA allocator with its per-CPU magazines and depot, the lazy
 *       flush queue and its timer, page tables): replaced by a new default domain before every
 *       input ({@link org.jdma.kernel.iommu.IommuSubsystem#replaceDefaultDomain}), so IOVAs are
 *       handed out as in a fresh domain;</li>
 *   <li>the bounce pool's next-fit positions: rewound ({@link org.jdma.kernel.dma.swiotlb.Swiotlb#rewind});</li>
 *   <li>the frame allocator: it takes the lowest free block, so once every frame an input took is
 *       back (the target checks it) its free blocks are what they were, and the same calls get the
 *       same frames;</li>
 *   <li>the mapping layer's per-device state: dropped at detach; each input uses a new
 *       {@link org.jdma.kernel.dma.DmaDevice}.</li>
 * </ul>
 * Both test buffers (NORMAL and DMA32) and the bounce pool are allocated once, after boot, before
 * anything else, in a kernel used for one input as in a reused one. {@link KernelReuseCompletenessTest}
 * checks the whole promise.
 */
final class ReusedKernel implements AutoCloseable {

    /**
     * Bytes of each test buffer the inputs map from: an input's usual address (up to 64 KiB into
     * the buffer) plus its usual size (up to 128 KiB) stays inside it, since the mapping layer
     * refuses memory the frame allocator holds free.
     */
    static final long BUFFER = 256 * 1024;

    private final Machine machine;
    private final Kernel kernel;
    private final RequesterId device;
    private final long normalBuffer;
    private final long dma32Buffer;

    /** Boots {@code config} in {@code mode} and takes the buffers and the bounce pool. */
    ReusedKernel(MachineConfig config, IommuMode mode, RequesterId device) {
        this.machine = new Machine(config);
        this.kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(mode));
        this.device = device;
        this.normalBuffer = kernel.frames().allocateBytes(BUFFER, Zone.NORMAL);
        this.dma32Buffer = kernel.frames().allocateBytes(BUFFER, Zone.DMA32);
        // The bounce pool is allocated on first use: take it now, before any input counts frames.
        kernel.mappingLayer().swiotlb();
    }

    /**
     * The kernel, ready for the next input: the device in a new default domain (when the IOMMU
     * translates it), the bounce pool rewound. The previous input must have detached its device.
     */
    Kernel prepare() {
        DmaMappingLayer layer = kernel.mappingLayer();
        if (kernel.iommu().domainOf(device).isPresent()) {
            kernel.iommu().replaceDefaultDomain(device);
        }
        layer.swiotlb().rewind();
        return kernel;
    }

    Machine machine() {
        return machine;
    }

    /** The test buffer in {@code zone} (NORMAL or DMA32). */
    long buffer(Zone zone) {
        return zone == Zone.DMA32 ? dma32Buffer : normalBuffer;
    }

    /** The free blocks now: equal before and after an input that gave every frame back. */
    List<BuddyFrameAllocator.Block> freeBlocks() {
        return kernel.frames().freeBlocks();
    }

    @Override
    public void close() {
        kernel.close();
        machine.close();
    }
}
