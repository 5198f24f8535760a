package org.jdma.kernel.drivers.crc32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.debug.DmaDebug;
import org.jdma.kernel.dma.debug.DmaDebugCategory;
import org.jdma.kernel.dma.debug.DmaDebugReport;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.testing.Seed;
import org.jdma.kernel.testing.Seeds;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.machine.dev.crc32.Crc32Engine;
import org.jdma.spec.crc32.Crc32Registers;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The example PCI device and its driver, as {@code docs/ADDING-A-DEVICE.md} plugs them in: the
 * engine by one line of machine configuration, the driver by one registration, the kernel booted
 * with the DMA-API checker in front, the IOMMU translating.
 */
class Crc32DriverTest {

    @RegisterExtension
    static final Seeds SEEDS = new Seeds();

    private static final RequesterId SLOT = RequesterId.of(0, 7, 0);
    private static final byte[] CHECK_INPUT = "123456789".getBytes(StandardCharsets.US_ASCII);

    private Machine machine;
    private Kernel kernel;

    private Crc32Driver boot(IommuMode mode, boolean coherent) {
        MachineConfig config = MachineConfig.defaults()
                .withDevice(Crc32Engine.spec("crc0", SLOT)); // the device: one configuration line
        if (!coherent) {
            config = config.withCache(CacheConfig.nonCoherent(64));
        }
        machine = new Machine(config);
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(mode).withDmaDebug(true)
                .withDriver(Crc32Driver.driver())); // the driver: one registration
        return kernel.driver(Crc32Driver.class);
    }

    private DmaDebug checker() {
        return kernel.dmaDebug().orElseThrow();
    }

    private DmaBuffer buffer(byte[] contents) {
        DmaBuffer b = kernel.memory().allocate(contents.length, 64);
        b.write(0, contents);
        return b;
    }

    @AfterEach
    void tearDown() {
        if (kernel != null) {
            kernel.close();
        }
        if (machine != null) {
            machine.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = IommuMode.class, names = {"OFF", "STRICT"})
    void shouldComputeTheCheckValueWithOneInterruptAndASilentChecker(IommuMode mode) {
        Crc32Driver crc = boot(mode, true);
        assertEquals("crc0", crc.name());
        assertEquals(SLOT, crc.dma().device().requester());
        try (DmaBuffer input = buffer(CHECK_INPUT)) {
            Crc32Result r = crc.checksum(input, CHECK_INPUT.length);
            assertTrue(r.succeeded(), r.toString());
            assertEquals(Crc32Registers.CHECK_VALUE, r.checksum(), r.toString());
            assertEquals(1, crc.interrupts(), "one MSI-X interrupt per operation");
        }
        kernel.close();
        checker().assertNoReports();
    }

    @ParameterizedTest
    @EnumSource(value = IommuMode.class, names = {"OFF", "STRICT"})
    void shouldMatchTheDatasheetChecksumOfSeededInputsOnANonCoherentMachine(IommuMode mode, @Seed(0x5EED_C3C3L) long seed) {
        Crc32Driver crc = boot(mode, false);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 8; i++) {
            byte[] data = new byte[random.nextInt(1, 256 * 1024)];
            random.nextBytes(data);
            try (DmaBuffer input = buffer(data)) {
                Crc32Result r = crc.checksum(input, data.length);
                assertEquals(Crc32Result.Outcome.SUCCESS, r.outcome(), "seed " + seed + ", " + data.length + " bytes");
                assertEquals(Crc32Registers.checksum(data), r.checksum(), "seed " + seed + ", " + data.length + " bytes");
            }
        }
        assertEquals(8, crc.interrupts());
        kernel.close();
        checker().assertNoReports();
    }

    @Test
    void shouldReportALengthTheEngineRefusesAsAResult() {
        Crc32Driver crc = boot(IommuMode.STRICT, true);
        try (DmaBuffer input = buffer(CHECK_INPUT)) {
            Crc32Result r = crc.checksum(input, 0);
            assertEquals(Crc32Result.Outcome.BAD_LENGTH, r.outcome());
            assertEquals(1, crc.interrupts(), "a refused operation ends with its interrupt too");
            assertEquals(Crc32Registers.CHECK_VALUE, crc.checksum(input, CHECK_INPUT.length).checksum(), "and the engine goes on");
        }
        kernel.close();
        checker().assertNoReports();
    }

    @Test
    void shouldCatchACpuWriteToTheInputWhileTheDeviceOwnsIt() {
        Crc32Driver crc = boot(IommuMode.STRICT, true);
        try (DmaBuffer input = buffer(CHECK_INPUT)) {
            Crc32Driver.Operation op = crc.start(input, CHECK_INPUT.length);
            input.writeByte(0, 'X'); // wrong: the buffer is mapped for the device until await returns
            op.await();
        }
        List<DmaDebugReport> reports = checker().reports();
        assertEquals(1, reports.size(), reports.toString());
        assertEquals(DmaDebugCategory.CPU_WRITE_DEVICE_OWNED, reports.getFirst().category(), reports.toString());
        assertEquals("crc0", reports.getFirst().device());
    }

    @Test
    void shouldGiveBackItsVectorAndMemoryWhenRemoved() {
        Crc32Driver crc = boot(IommuMode.STRICT, true);
        long free = kernel.frames().stats().freeFrames();
        kernel.drivers().unbind("crc0");
        assertTrue(kernel.frames().stats().freeFrames() > free, "the result slot's frame is free again");
        assertEquals(List.of(), kernel.drivers().drivers(Crc32Driver.class));
        Crc32Engine engine = machine.devices(Crc32Engine.class).getFirst();
        assertFalse(engine.msix().enabled(), "MSI-X turned off");
        checker().assertNoReports();
        assertEquals(0, crc.interrupts());
    }
}
