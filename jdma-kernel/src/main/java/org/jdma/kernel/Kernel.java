package org.jdma.kernel;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.dma.MappingOptions;
import org.jdma.kernel.dma.debug.DmaDebug;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.iommu.IommuSubsystem;
import org.jdma.kernel.iommu.iova.IovaAllocator;
import org.jdma.kernel.iommu.vtd.VtdIommuDriver;
import org.jdma.kernel.mm.BuddyFrameAllocator;
import org.jdma.kernel.pci.PciDevice;
import org.jdma.kernel.pci.PciSubsystem;
import org.jdma.platform.Cpu;
import org.jdma.platform.Platform;

/**
 * The kernel's boot sequence, as far as DMA needs it: read the firmware memory map, put its RAM
 * under a buddy frame allocator, enumerate PCI through the MCFG table's ECAM ({@link PciSubsystem}),
 * bring up the IOMMU as {@link Options#iommu()} says, and probe the drivers for the devices found
 * (behind the IOMMU when it translates for them).
 * Everything here uses the machine only through {@link Platform}.
 */
public final class Kernel implements AutoCloseable {

    /**
     * Boot options.
     *
     * @param copyEngine     the copy engine driver's options
     * @param iommu          how to use the DMA remapping hardware (default {@link IommuMode#OFF})
     * @param iovaAllocators makes one IOVA allocator per DMA domain; null: the cached allocator
     * @param mapping        the DMA-mapping layer's options (bus offset, bounce pool)
     * @param dmaDebug       put the DMA-API checker ({@link DmaDebug}, with its coherency
     *                       sanitizer watching the CPU cache) in front of the mapping layer, so
     *                       every driver's DMA is checked (Linux {@code CONFIG_DMA_API_DEBUG})
     */
    public record Options(CopyEngineDriver.Options copyEngine, IommuMode iommu, Supplier<IovaAllocator> iovaAllocators,
                          MappingOptions mapping, boolean dmaDebug) {
        public static final Options DEFAULTS = new Options(CopyEngineDriver.Options.DEFAULTS, IommuMode.OFF, null,
                MappingOptions.DEFAULTS, false);

        public Options {
            Objects.requireNonNull(copyEngine, "copyEngine");
            Objects.requireNonNull(iommu, "iommu");
            Objects.requireNonNull(mapping, "mapping");
        }

        public Options withCopyEngine(CopyEngineDriver.Options o) {
            return new Options(o, iommu, iovaAllocators, mapping, dmaDebug);
        }

        public Options withIommu(IommuMode mode) {
            return new Options(copyEngine, mode, iovaAllocators, mapping, dmaDebug);
        }

        public Options withIovaAllocators(Supplier<IovaAllocator> factory) {
            return new Options(copyEngine, iommu, factory, mapping, dmaDebug);
        }

        public Options withMapping(MappingOptions options) {
            return new Options(copyEngine, iommu, iovaAllocators, options, dmaDebug);
        }

        public Options withDmaDebug(boolean on) {
            return new Options(copyEngine, iommu, iovaAllocators, mapping, on);
        }
    }

    private final Platform platform;
    private final BuddyFrameAllocator frames;
    private final DmaMemory memory;
    private final PciSubsystem pci;
    private final IommuSubsystem iommu;
    private final DmaMappingLayer mappingLayer;
    private final DmaDebug dmaDebug;
    private final DmaApi dma;
    private final CopyEngineDriver copyEngine;

    private Kernel(Platform platform, Options options) {
        this.platform = platform;
        this.frames = BuddyFrameAllocator.fromMemoryMap(platform.memoryMap());
        this.memory = new DmaMemory(platform.cpu(), frames);
        this.pci = PciSubsystem.scan(platform);
        // The generic IOMMU layer knows the hardware only through the probe handed in here: VT-d.
        this.iommu = IommuSubsystem.init(platform, pci, frames, new IommuSubsystem.Config(options.iommu(), options.iovaAllocators()),
                VtdIommuDriver::probe);
        // The DMA API exists before any driver probes; its bounce pool is allocated on first use.
        this.mappingLayer = new DmaMappingLayer(memory, iommu.enabled() ? Optional.of(iommu) : Optional.empty(), options.mapping());
        this.dmaDebug = options.dmaDebug() ? DmaDebug.wrap(mappingLayer, platform) : null;
        this.dma = dmaDebug != null ? dmaDebug : mappingLayer;
        List<PciDevice> engines = CopyEngineDriver.find(pci);
        // The driver attaches its device to the DMA API, which serves it through its IOMMU domain
        // when a unit translates for it, else by direct DMA.
        this.copyEngine = engines.isEmpty() ? null
                : CopyEngineDriver.open(platform, engines.getFirst(), 0, dma, options.copyEngine());
    }

    /** Boots with default driver options (128-slot ring, interrupt-driven completion), IOMMU off, no checker. */
    public static Kernel boot(Platform platform) {
        return new Kernel(platform, Options.DEFAULTS);
    }

    public static Kernel boot(Platform platform, CopyEngineDriver.CompletionMode mode) {
        return new Kernel(platform, Options.DEFAULTS.withCopyEngine(CopyEngineDriver.Options.DEFAULTS.withMode(mode)));
    }

    public static Kernel boot(Platform platform, CopyEngineDriver.Options options) {
        return new Kernel(platform, Options.DEFAULTS.withCopyEngine(options));
    }

    public static Kernel boot(Platform platform, Options options) {
        return new Kernel(platform, options);
    }

    /** What PCI enumeration found at boot. */
    public PciSubsystem pci() {
        return pci;
    }

    /** The IOMMU subsystem (in mode OFF it translates nothing). */
    public IommuSubsystem iommu() {
        return iommu;
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
     * The DMA API drivers use: the checker in front of the mapping layer when the kernel was
     * booted with {@link Options#dmaDebug()}, else the mapping layer itself. Devices the IOMMU
     * translates for are served through their domains; the rest (IOMMU off, or a device no unit
     * covers) by direct DMA.
     */
    public DmaApi dma() {
        return dma;
    }

    /** The DMA-mapping layer itself (without the checker): for what only it reports, such as its backends. */
    public DmaMappingLayer mappingLayer() {
        return mappingLayer;
    }

    /** The DMA-API checker, when the kernel was booted with {@link Options#dmaDebug()}. */
    public Optional<DmaDebug> dmaDebug() {
        return Optional.ofNullable(dmaDebug);
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
        if (dmaDebug != null) {
            dmaDebug.close();
        }
        iommu.close();
    }
}
