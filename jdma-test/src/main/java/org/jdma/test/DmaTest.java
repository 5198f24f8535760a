package org.jdma.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.jdma.kernel.dma.debug.DmaDebugCategory;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.machine.MachineConfig;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs each test on its own emulated machine with the DMA-API checker on. Put it on a test class
 * (every test) or a test method (that test; a method's annotation wins over its class's), and take
 * what the test needs as parameters: {@link DmaTestEnvironment}, {@link org.jdma.kernel.dma.DmaApi}
 * (the checked one), {@link org.jdma.kernel.dma.DmaDevice} (the copy engine, attached, with the
 * mask asked for), {@link org.jdma.kernel.dma.DeviceDmaApi} (that device's DMA API, checked),
 * {@link org.jdma.kernel.dma.debug.DmaDebug}, {@link org.jdma.machine.Machine},
 * {@link org.jdma.platform.Platform}, {@link org.jdma.platform.Cpu},
 * {@link org.jdma.kernel.Kernel}, {@link org.jdma.kernel.dma.DmaMappingLayer},
 * {@link org.jdma.kernel.drivers.memcpy.CopyEngineDriver}, {@link org.jdma.kernel.iommu.IommuSubsystem},
 * {@link DmaTestMachine} (the machine's configuration).
 *
 * <pre>{@code
 * @DmaTest(coherent = false)
 * void shouldSeeWhatTheDeviceWrote(DmaApi dma, DmaDevice dev, Cpu cpu) { ... }
 * }</pre>
 *
 * <p>The kernel runs with the checker in front of its DMA API, so the copy engine's driver (its
 * ring, completion records and buffers) is checked as well as the test's own calls. After the test
 * the kernel shuts down (the driver frees its ring and detaches its device: live mappings are
 * reported as a leak), and when the checker made any report the test fails with every report:
 * message, mapping, the stack of the map call and where the misuse was detected. Single categories
 * can be tolerated ({@link #allow()}, with a reason) or, when the test inspects reports itself,
 * still enforced ({@link #deny()}). A DMA the IOMMU blocked fails the test too, unless the test
 * declared it ({@link #expectedIommuFaults()} or {@link DmaTestEnvironment#expectIommuFaults(int)}).
 * A test may take the device down itself ({@link DmaTestEnvironment#detachDevice()}); teardown then
 * leaves it alone.
 *
 * <p>Works with JUnit Jupiter 5.10 and newer, and with JUnit 6.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(DmaTestExtension.class)
public @interface DmaTest {

    /** true: x86-like, DMA snoops the cache; false: an arm64-like write-back cache that DMA bypasses. */
    boolean coherent() default true;

    /** Cache line size in bytes (64; 128 for some arm64 parts). */
    int lineSize() default 64;

    /** Per CPU access, the chance that the cache refills a random absent line speculatively (non-coherent only). */
    double speculativeRefillRate() default 0;

    /**
     * How the kernel brings up the machine's VT-d unit (which covers the copy engine): OFF (DMA is
     * physical; bounce buffers beyond the mask), STRICT or LAZY (the device in a translated DMA
     * domain: device addresses are IOVAs, every DMA is checked against the page tables), IDENTITY
     * (translation on, the device passed through).
     *
     * <p>Works on either kind of machine: on a non-coherent one the driver keeps the invalidation
     * queue and its status word uncached.
     */
    IommuMode iommu() default IommuMode.OFF;

    /** The device's streaming and coherent DMA mask, in bits (Linux's default for PCI devices is 32). */
    int maskBits() default 32;

    /** RAM below 4 GiB and again above 4 GiB, in MiB each. */
    int ramMiB() default 256;

    /** Seed of the machine's random source. */
    long seed() default 1;

    /**
     * CPUs of the machine, 1..255 (the machine's default, 4): a test runs as the boot CPU and can
     * run code on another with {@code Platform.runOn}; drivers can spread vectors over them.
     */
    int cpus() default MachineConfig.DEFAULT_CPUS;

    /**
     * Fail the test when the checker reported anything (default). false: the test inspects the
     * reports itself through the injected {@link org.jdma.kernel.dma.debug.DmaDebug}.
     */
    boolean failOnReport() default true;

    /**
     * Categories that do not fail the test although {@link #failOnReport()} is true, each with the
     * reason it is expected. Meaningless (and refused) when failOnReport is false.
     */
    AllowReport[] allow() default {};

    /**
     * With {@link #failOnReport()} false: categories that still fail the test (the test inspects
     * the others itself). Meaningless (and refused) when failOnReport is true: every category fails then.
     */
    DmaDebugCategory[] deny() default {};

    /**
     * How many remapping faults the test expects the IOMMU to record (a test of a driver's error
     * path). Any other number fails the test, listing each fault (device, address, access, reason).
     * The test can also say it at run time: {@link DmaTestEnvironment#expectIommuFaults(int)}.
     */
    int expectedIommuFaults() default 0;
}
