package org.jdma.test;

import org.jdma.machine.dev.memcpy.CopyEngine;
import java.util.List;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.dma.MappingOptions;
import org.jdma.kernel.dma.debug.DmaDebug;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.platform.Cpu;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.kernel.dma.DmaMask;

/**
 * One test's world, built from a {@link DmaTest}: a machine with one copy engine and a kernel
 * booted with the IOMMU in the mode asked for and the DMA-API checker in front of its mapping
 * layer ({@link Kernel.Options#dmaDebug()}: the coherency sanitizer watches the machine's cache),
 * so the copy engine's driver, its ring and every buffer the test maps are checked alike. The
 * copy engine's {@link DmaDevice} (attached to the DMA API when the kernel bound its driver) gets the requested mask.
 * {@link #close()} frees it all.
 */
public final class DmaTestEnvironment implements AutoCloseable {

    /** Bounce pool of the test machine: room for 16 of the largest bounce mappings. */
    public static final long SWIOTLB_BYTES = 4L << 20;

    private final Machine machine;
    private final Kernel kernel;
    private final DmaMappingLayer layer;
    private final DmaDebug debug;
    private final DmaDevice device;
    private final boolean failOnReport;

    private DmaTestEnvironment(DmaTest config) {
        if (config.ramMiB() < 16) {
            throw new IllegalArgumentException("@DmaTest(ramMiB = " + config.ramMiB() + "): at least 16 MiB");
        }
        long ram = (long) config.ramMiB() << 20;
        CacheConfig cache = config.coherent() ? new CacheConfig(true, config.lineSize(), 0, 1, 0)
                : CacheConfig.nonCoherent(config.lineSize()).withSpeculativeRefillRate(config.speculativeRefillRate());
        MachineConfig mc = MachineConfig.defaults()
                .withSeed(config.seed())
                .withRam(List.of(new MachineConfig.Ram("low", 0, ram), new MachineConfig.Ram("high", 4 * MachineConfig.GiB, ram)))
                .withDevices(CopyEngine.specs(1))
                .withCache(cache);
        this.machine = new Machine(mc);
        try {
            this.kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(config.iommu()).withDmaDebug(true)
                    .withMapping(MappingOptions.DEFAULTS.withSwiotlb(SWIOTLB_BYTES, 1)));
            if (config.iommu() != IommuMode.OFF && !kernel.iommu().problems().isEmpty()) {
                throw new IllegalStateException("@DmaTest(iommu = " + config.iommu() + "): the IOMMU did not come up: "
                        + kernel.iommu().problems());
            }
            this.layer = kernel.mappingLayer();
            this.debug = kernel.dmaDebug().orElseThrow();
            this.device = kernel.copyEngine().dma().device();
            DmaMask mask = DmaMask.bits(config.maskBits());
            if (!debug.setMask(device, mask) || !debug.setCoherentMask(device, mask)) {
                throw new IllegalArgumentException("@DmaTest(maskBits = " + config.maskBits() + "): the platform cannot honour that mask");
            }
        } catch (RuntimeException e) {
            machine.close();
            throw e;
        }
        this.failOnReport = config.failOnReport();
    }

    /** Builds the environment {@code config} describes. */
    public static DmaTestEnvironment create(DmaTest config) {
        return new DmaTestEnvironment(config);
    }

    public Machine machine() { return machine; }
    public Cpu cpu() { return machine.cpu(); }
    public Kernel kernel() { return kernel; }
    /** The mapping layer without the checker (for what only it offers, such as its backend's name). */
    public DmaMappingLayer layer() { return layer; }
    /** The DMA API a driver under test must use: the checker over the mapping layer. */
    public DmaApi dma() { return debug; }
    public DmaDebug debug() { return debug; }
    /** The copy engine as the mapping layer knows it. */
    public DmaDevice device() { return device; }
    public CopyEngineDriver copyEngine() { return kernel.copyEngine(); }
    boolean failOnReport() { return failOnReport; }

    /**
     * Ends the test: shuts the kernel down, so the copy engine's driver frees its ring and detaches
     * its device (mappings the test left live are reported as a leak, as Linux's dma-debug does when
     * a driver is unbound) and, when the test asked to fail on reports, throws the checker's
     * failure if there is any report.
     */
    void finish() {
        kernel.close();
        if (failOnReport) {
            debug.assertNoReports();
        }
    }

    @Override
    public void close() {
        kernel.close();
        machine.close();
    }

    /** The kernel's IOMMU (mode OFF: present, but translation left off). */
    public org.jdma.kernel.iommu.IommuSubsystem iommu() {
        return kernel.iommu();
    }
}
