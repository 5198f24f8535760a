package org.jdma.test;

import java.util.List;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.dma.MappingOptions;
import org.jdma.kernel.dma.debug.DmaDebug;
import org.jdma.kernel.dma.debug.DmaDebugFailure;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.iommu.IommuSubsystem;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cpu.MachineCpus;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.platform.Cpu;

/**
 * One test's world, built from a {@link DmaTest}: a machine with one copy engine and a kernel
 * booted with the IOMMU in the mode asked for and the DMA-API checker in front of its mapping
 * layer ({@link Kernel.Options#dmaDebug()}: the coherency sanitizer watches the machine's cache),
 * so the copy engine's driver, its ring and every buffer the test maps are checked alike. The
 * copy engine's {@link DmaDevice} (attached to the DMA API when the kernel bound its driver) gets
 * the requested mask. {@link #close()} frees it all.
 *
 * <p>Driver memory: {@link #allocate(long)} gives a buffer of kernel memory the device can reach
 * (what a driver maps for one transfer with {@link DeviceDmaApi#mapStreaming}), and
 * {@link #allocCoherent(long)} memory CPU and device share (rings, completion records); both go
 * through the device's checked DMA API ({@link #deviceDma()}), the way a driver gets them.
 */
public final class DmaTestEnvironment implements AutoCloseable {

    /** Bounce pool of the test machine: room for 16 of the largest bounce mappings. */
    public static final long SWIOTLB_BYTES = 4L << 20;

    private final Machine machine;
    private final Kernel kernel;
    private final DmaMappingLayer layer;
    private final DmaDebug debug;
    private final DmaDevice device;
    private final CopyEngineDriver copyEngine;
    private final ReportPolicy policy;
    private final DmaTestMachine configuration;
    private int expectedIommuFaults;
    private boolean detached;

    private DmaTestEnvironment(DmaTest config) {
        if (config.ramMiB() < 16) {
            throw new IllegalArgumentException("@DmaTest(ramMiB = " + config.ramMiB() + "): at least 16 MiB");
        }
        if (config.cpus() < 1 || config.cpus() > MachineCpus.MAX_CPUS) {
            throw new IllegalArgumentException("@DmaTest(cpus = " + config.cpus() + "): 1.." + MachineCpus.MAX_CPUS);
        }
        if (config.expectedIommuFaults() < 0) {
            throw new IllegalArgumentException("@DmaTest(expectedIommuFaults = " + config.expectedIommuFaults() + "): a count, 0 or more");
        }
        this.policy = ReportPolicy.of(config);
        this.expectedIommuFaults = config.expectedIommuFaults();
        long ram = (long) config.ramMiB() << 20;
        CacheConfig cache = config.coherent() ? new CacheConfig(true, config.lineSize(), 0, 1, 0)
                : CacheConfig.nonCoherent(config.lineSize()).withSpeculativeRefillRate(config.speculativeRefillRate());
        MachineConfig mc = MachineConfig.defaults()
                .withSeed(config.seed())
                .withCpus(config.cpus())
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
            this.copyEngine = kernel.copyEngine();
            this.device = copyEngine.dma().device();
            DmaMask mask = DmaMask.bits(config.maskBits());
            if (!debug.setMask(device, mask) || !debug.setCoherentMask(device, mask)) {
                throw new IllegalArgumentException("@DmaTest(maskBits = " + config.maskBits() + "): the platform cannot honour that mask");
            }
            this.configuration = new DmaTestMachine(machine.cpu().cache().coherent(), kernel.iommu().mode(),
                    machine.cpu().cache().lineSize(), machine.cpus().size(), device.dmaMask(), device.coherentMask(), 2 * ram, config.seed());
        } catch (RuntimeException e) {
            machine.close();
            throw e;
        }
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
    /** The copy engine's driver, bound by the kernel (until {@link #detachDevice()}). */
    public CopyEngineDriver copyEngine() { return copyEngine; }
    /** The kernel's IOMMU (mode OFF: present, but translation left off). */
    public IommuSubsystem iommu() { return kernel.iommu(); }

    /** What the test runs on: coherency, IOMMU mode, cache line, CPUs, masks, RAM, seed. */
    public DmaTestMachine configuration() { return configuration; }

    /** The copy engine's DMA API, bound to it and checked: what a driver holds. */
    public DeviceDmaApi deviceDma() { return copyEngine.dma(); }

    /**
     * {@code size} bytes of zeroed, page-aligned kernel memory below the device's DMA mask: what a
     * driver maps for a transfer ({@code deviceDma().mapStreaming(buffer, length, direction)}) or
     * hands to the copy engine's driver. Freed with the machine at the end of the test.
     */
    public DmaBuffer allocate(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("allocate: size must be positive, got " + size);
        }
        long limit = device.dmaMask().bitCount() >= 64 ? DmaMemory.NO_LIMIT : device.dmaMask().value();
        DmaBuffer b = kernel.memory().allocate(size, 4096, limit);
        b.fill(0, size, (byte) 0);
        return b;
    }

    /** Linux {@code dma_alloc_coherent} on the copy engine: {@link DeviceDmaApi#allocCoherent(long)}. */
    public CoherentAllocation allocCoherent(long size) {
        return deviceDma().allocCoherent(size);
    }

    /**
     * Declares that the test expects exactly {@code count} IOMMU faults in all (a test of a
     * driver's error path); overrides {@link DmaTest#expectedIommuFaults()}.
     */
    public void expectIommuFaults(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("expectIommuFaults: a count, 0 or more, got " + count);
        }
        expectedIommuFaults = count;
    }

    /** The remapping faults the IOMMU recorded so far (none with the IOMMU off), oldest first. */
    public List<IommuFault> iommuFaults() {
        return kernel.iommu().faults();
    }

    /**
     * Takes the copy engine down as a driver's teardown does: unbinds its driver, which frees its
     * ring and detaches the device from the DMA API (where the checker reports what the test left
     * mapped). Teardown then leaves the device alone. Idempotent.
     */
    public void detachDevice() {
        if (!detached) {
            detached = true;
            kernel.drivers().unbind(copyEngine.name());
        }
    }

    /**
     * Ends the test: shuts the kernel down, so the copy engine's driver frees its ring and detaches
     * its device (mappings the test left live are reported as a leak, as Linux's dma-debug does when
     * a driver is unbound), then fails with the checker's reports the test does not tolerate, and
     * with the IOMMU faults it did not expect.
     */
    void finish() {
        if (!layer.isAttached(device) && kernel.drivers().device(copyEngine.name()).isPresent()) {
            throw new IllegalStateException("the test detached " + device + " from the DMA API while its driver ("
                    + copyEngine.name() + ") still had it bound; take the device down with DmaTestEnvironment.detachDevice()"
                    + " (unbinds the driver, which detaches the device)");
        }
        List<IommuFault> faults = iommuFaults();
        kernel.close();
        AssertionError faultFailure = faults.size() == expectedIommuFaults ? null : new IommuFaultFailure(faults, expectedIommuFaults);
        DmaDebugFailure reportFailure = policy.failure(debug);
        if (reportFailure != null) {
            if (faultFailure != null) {
                reportFailure.addSuppressed(faultFailure);
            }
            throw reportFailure;
        }
        if (faultFailure != null) {
            throw faultFailure;
        }
    }

    /** Shuts the kernel down (if the test's end did not) and frees the machine. */
    @Override
    public void close() {
        try {
            kernel.close();
        } finally {
            machine.close();
        }
    }
}
