package org.jdma.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.dma.MappingOptions;
import org.jdma.kernel.dma.debug.DmaDebug;
import org.jdma.kernel.dmaengine.DmaChannelAllocator;
import org.jdma.kernel.driver.Driver;
import org.jdma.kernel.driver.DriverRegistry;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.iommu.IommuSubsystem;
import org.jdma.kernel.iommu.iova.IovaAllocator;
import org.jdma.kernel.iommu.vtd.VtdIommuDriver;
import org.jdma.kernel.mm.BuddyFrameAllocator;
import org.jdma.kernel.pci.PciSubsystem;
import org.jdma.platform.Cpu;
import org.jdma.platform.Platform;
import org.jdma.spec.pci.RequesterId;

/**
 * The kernel's boot sequence, as far as DMA needs it: read the firmware memory map, put its RAM
 * under a buddy frame allocator, enumerate PCI through the MCFG table's ECAM ({@link PciSubsystem}),
 * bring up the IOMMU as {@link Options#iommu()} says, set up the DMA API (with the checker in front
 * when asked), and bind the registered drivers ({@link Options#drivers()}) to the devices found
 * and to the legacy devices they declare ({@link DriverRegistry}); DMA-engine drivers register
 * their channels with the channel allocator as they probe ({@link #dmaChannels()}).
 * Everything here uses the machine only through {@link Platform}.
 */
public final class Kernel implements AutoCloseable {

    /**
     * Boot options.
     *
     * @param drivers        the drivers to bind, in registration order; each carries its own
     *                       options ({@link #BUILT_IN_DRIVERS} by default)
     * @param iommu          how to use the DMA remapping hardware (default {@link IommuMode#OFF})
     * @param iovaAllocators makes one IOVA allocator per DMA domain; null: the cached allocator
     * @param mapping        the DMA-mapping layer's options (bus offset, bounce pool)
     * @param dmaDebug       put the DMA-API checker ({@link DmaDebug}, with its coherency
     *                       sanitizer watching the CPU cache) in front of the mapping layer, so
     *                       every driver's DMA is checked (Linux {@code CONFIG_DMA_API_DEBUG})
     * @param interruptRemapping remap every MSI/MSI-X through the IOMMU unit that covers the
     *                       device, when the unit has ECAP.IR and the IOMMU is not OFF (default on,
     *                       as Linux's {@code intremap}: without it any device can inject interrupts)
     * @param untrusted      PCI functions the kernel treats as untrusted (as Linux treats a device
     *                       behind an external-facing port): every streaming mapping of theirs that
     *                       does not fill whole pages is bounced, and their IOMMU domain is strict
     *                       even in mode LAZY
     */
    public record Options(List<Driver<?>> drivers, IommuMode iommu, Supplier<IovaAllocator> iovaAllocators,
                          MappingOptions mapping, boolean dmaDebug, boolean interruptRemapping, Set<RequesterId> untrusted) {

        /** The drivers a kernel binds unless told otherwise: the copy engine's, with its default options. */
        public static final List<Driver<?>> BUILT_IN_DRIVERS = List.of(CopyEngineDriver.driver());

        public static final Options DEFAULTS = new Options(BUILT_IN_DRIVERS, IommuMode.OFF, null, MappingOptions.DEFAULTS, false);

        /** Options with interrupt remapping wherever the IOMMU is on and its unit has it. */
        public Options(List<Driver<?>> drivers, IommuMode iommu, Supplier<IovaAllocator> iovaAllocators,
                       MappingOptions mapping, boolean dmaDebug) {
            this(drivers, iommu, iovaAllocators, mapping, dmaDebug, true, Set.of());
        }

        public Options {
            drivers = List.copyOf(Objects.requireNonNull(drivers, "drivers"));
            untrusted = Set.copyOf(Objects.requireNonNull(untrusted, "untrusted"));
            Objects.requireNonNull(iommu, "iommu");
            Objects.requireNonNull(mapping, "mapping");
        }

        /**
         * Registers {@code driver} as well: appended, or in place of the registration with the
         * same name (so {@code withDriver(CopyEngineDriver.driver(polled))} gives the built-in
         * copy engine driver other options).
         */
        public Options withDriver(Driver<?> driver) {
            Objects.requireNonNull(driver, "driver");
            List<Driver<?>> d = new ArrayList<>(drivers);
            int at = indexOf(driver.name());
            if (at >= 0) {
                d.set(at, driver);
            } else {
                d.add(driver);
            }
            return new Options(d, iommu, iovaAllocators, mapping, dmaDebug, interruptRemapping, untrusted);
        }

        /** Without the registration called {@code name} (nothing changes when there is none). */
        public Options withoutDriver(String name) {
            return new Options(drivers.stream().filter(d -> !d.name().equals(name)).toList(), iommu, iovaAllocators, mapping, dmaDebug,
                    interruptRemapping, untrusted);
        }

        private int indexOf(String name) {
            for (int i = 0; i < drivers.size(); i++) {
                if (drivers.get(i).name().equals(name)) {
                    return i;
                }
            }
            return -1;
        }

        public Options withIommu(IommuMode mode) {
            return new Options(drivers, mode, iovaAllocators, mapping, dmaDebug, interruptRemapping, untrusted);
        }

        public Options withIovaAllocators(Supplier<IovaAllocator> factory) {
            return new Options(drivers, iommu, factory, mapping, dmaDebug, interruptRemapping, untrusted);
        }

        public Options withMapping(MappingOptions options) {
            return new Options(drivers, iommu, iovaAllocators, options, dmaDebug, interruptRemapping, untrusted);
        }

        public Options withDmaDebug(boolean on) {
            return new Options(drivers, iommu, iovaAllocators, mapping, on, interruptRemapping, untrusted);
        }

        /** Interrupt remapping on (where the IOMMU is on and its unit has ECAP.IR) or off. */
        public Options withInterruptRemapping(boolean on) {
            return new Options(drivers, iommu, iovaAllocators, mapping, dmaDebug, on, untrusted);
        }

        /** Also treats {@code device} as untrusted (see {@link #untrusted()}). */
        public Options withUntrusted(RequesterId device) {
            Set<RequesterId> u = new java.util.HashSet<>(untrusted);
            u.add(Objects.requireNonNull(device, "device"));
            return new Options(drivers, iommu, iovaAllocators, mapping, dmaDebug, interruptRemapping, u);
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
    private final DmaChannelAllocator dmaChannels = new DmaChannelAllocator();
    private final DriverRegistry drivers;

    private Kernel(Platform platform, Options options) {
        this.platform = platform;
        this.frames = BuddyFrameAllocator.fromMemoryMap(platform.memoryMap());
        this.memory = new DmaMemory(platform.cpu(), frames);
        this.pci = PciSubsystem.scan(platform);
        // The generic IOMMU layer knows the hardware only through the probe handed in here: VT-d.
        this.iommu = IommuSubsystem.init(platform, pci, frames, new IommuSubsystem.Config(options.iommu(), options.iovaAllocators(),
                options.interruptRemapping(), options.untrusted()),
                VtdIommuDriver::probe);
        // The DMA API exists before any driver probes; its bounce pool is allocated on first use.
        this.mappingLayer = new DmaMappingLayer(memory, iommu.enabled() ? Optional.of(iommu) : Optional.empty(), options.mapping());
        this.dmaDebug = options.dmaDebug() ? DmaDebug.wrap(mappingLayer, platform) : null;
        this.dma = dmaDebug != null ? dmaDebug : mappingLayer;
        // Each device is attached to the DMA API before its driver probes: served through its
        // IOMMU domain when a unit translates for it, else by direct DMA.
        // MSI/MSI-X vectors go through the interrupt remapping of the device's unit, when it has it.
        this.drivers = DriverRegistry.bind(platform, pci, dma, dmaChannels, iommu::interruptRemapper, options.untrusted()::contains,
                options.drivers());
    }

    /** Boots with the built-in drivers' default options, IOMMU off, no checker. */
    public static Kernel boot(Platform platform) {
        return new Kernel(platform, Options.DEFAULTS);
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

    /** The driver core: what is bound to what, what failed to probe; unbind and reset. */
    public DriverRegistry drivers() {
        return drivers;
    }

    /**
     * The first bound driver instance of type {@code type}.
     *
     * @throws java.util.NoSuchElementException naming the registered drivers and failed probes when none is bound
     */
    public <T> T driver(Class<T> type) {
        return drivers.driver(type);
    }

    /** The first copy engine's driver: {@code driver(CopyEngineDriver.class)}. */
    public CopyEngineDriver copyEngine() {
        return driver(CopyEngineDriver.class);
    }

    /** Every bound copy engine's driver, in bind order (the engines' slot order). */
    public List<CopyEngineDriver> copyEngines() {
        return drivers.drivers(CopyEngineDriver.class);
    }

    /**
     * The DMA channel allocator (Linux dmaengine): every bound copy engine's channel, and those of
     * any other DMA-engine driver, to request by capability.
     */
    public DmaChannelAllocator dmaChannels() {
        return dmaChannels;
    }

    @Override
    public void close() {
        drivers.close();
        if (dmaDebug != null) {
            dmaDebug.close();
        }
        iommu.close();
    }
}
