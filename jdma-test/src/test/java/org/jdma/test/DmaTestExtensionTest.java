package org.jdma.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.debug.DmaDebug;
import org.jdma.kernel.dma.debug.DmaDebugCategory;
import org.jdma.kernel.dma.debug.DmaDebugFailure;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.platform.Cpu;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.dma.DmaMask;

/**
 * The extension's behaviour, seen from the outside: sample test classes (nested, so surefire does
 * not run them on their own) are run through JUnit's {@link EngineTestKit}, and their outcomes
 * checked: a broken DMA rule fails the test with the checker's report; a correct driver passes.
 */
class DmaTestExtensionTest {

    private static final Set<DmaAttr> NONE = EnumSet.noneOf(DmaAttr.class);

    /** Sample driver tests; each is run by the test kit, never by surefire directly. */
    @DmaTest
    static class Samples {

        @Test
        void correct(DmaApi dma, DmaDevice dev, Kernel kernel) {
            long buf = kernel.memory().allocate(4096, 4096, DmaMemory.LIMIT_4GIB).physicalAddress();
            long a = dma.mapSingle(dev, buf, 4096, DmaDirection.TO_DEVICE, NONE);
            assertFalse(dma.mappingError(dev, a));
            dma.unmapSingle(dev, a, 4096, DmaDirection.TO_DEVICE, NONE);
        }

        @Test
        void forgetsToCheckTheMapping(DmaApi dma, DmaDevice dev, Kernel kernel) {
            long buf = kernel.memory().allocate(4096, 4096, DmaMemory.LIMIT_4GIB).physicalAddress();
            long a = dma.mapSingle(dev, buf, 4096, DmaDirection.TO_DEVICE, NONE);
            dma.unmapSingle(dev, a, 4096, DmaDirection.TO_DEVICE, NONE);
        }

        @Test
        void leaksAMapping(DmaApi dma, DmaDevice dev, Kernel kernel) {
            long buf = kernel.memory().allocate(4096, 4096, DmaMemory.LIMIT_4GIB).physicalAddress();
            long a = dma.mapSingle(dev, buf, 512, DmaDirection.FROM_DEVICE, NONE);
            assertFalse(dma.mappingError(dev, a));
        }

        /** Forgets syncForCpu before reading what the engine wrote: gets old data, and the sanitizer says why. */
        @Test
        @DmaTest(coherent = false)
        void readsWithoutSyncForCpu(DmaApi dma, DmaDevice dev, Kernel kernel, CopyEngineDriver engine, Cpu cpu) {
            long src = kernel.memory().allocate(4096, 4096, DmaMemory.LIMIT_4GIB).physicalAddress();
            long dst = kernel.memory().allocate(4096, 4096, DmaMemory.LIMIT_4GIB).physicalAddress();
            cpu.fill(src, 4096, (byte) 0x11);
            cpu.read32(dst); // the destination's first line is cached (zeros)
            long s = dma.mapSingle(dev, src, 4096, DmaDirection.TO_DEVICE, NONE);
            long d = dma.mapSingle(dev, dst, 4096, DmaDirection.FROM_DEVICE, NONE);
            assertFalse(dma.mappingError(dev, s) || dma.mappingError(dev, d));
            assertTrue(engine.execute(Descriptor.memmove(s, d, 4096)).isSuccess());
            int seen = cpu.read32(dst); // missing: syncSingleForCpu / unmap first
            dma.unmapSingle(dev, s, 4096, DmaDirection.TO_DEVICE, NONE);
            dma.unmapSingle(dev, d, 4096, DmaDirection.FROM_DEVICE, NONE);
            assertEquals(0, seen, "the stale copy: the engine's 0x11111111 is in memory, not in the cache");
        }

        @Test
        @DmaTest(failOnReport = false)
        void inspectsReportsItself(DmaApi dma, DmaDevice dev, DmaDebug debug) {
            dma.unmapSingle(dev, 0x7FFF_0000L, 64, DmaDirection.TO_DEVICE, NONE);
            assertEquals(1, debug.count(DmaDebugCategory.FREE_NOT_ALLOCATED));
        }

        @Test
        @DmaTest(coherent = false, maskBits = 64)
        void methodAnnotationWins(Machine machine, DmaDevice dev) {
            assertFalse(machine.cpu().cache().coherent());
            assertEquals(DmaMask.BITS_64, dev.dmaMask());
        }

        /** Under an IOMMU a driver that DMAs outside its mappings is stopped: the device faults. */
        @Test
        @DmaTest(iommu = IommuMode.STRICT)
        void deviceWritesPastItsMapping(DmaApi dma, DmaDevice dev, Kernel kernel, CopyEngineDriver engine) {
            long src = kernel.memory().allocate(8192, 4096, DmaMemory.LIMIT_4GIB).physicalAddress();
            long dst = kernel.memory().allocate(8192, 4096, DmaMemory.LIMIT_4GIB).physicalAddress();
            long s = dma.mapSingle(dev, src, 8192, DmaDirection.TO_DEVICE, NONE);
            long d = dma.mapSingle(dev, dst, 4096, DmaDirection.FROM_DEVICE, NONE);
            assertFalse(dma.mappingError(dev, s) || dma.mappingError(dev, d));
            assertTrue(engine.executeUnchecked(Descriptor.memmove(s, d, 8192)).isSuccess(), "the engine should not fault");
            dma.unmapSingle(dev, s, 8192, DmaDirection.TO_DEVICE, NONE);
            dma.unmapSingle(dev, d, 4096, DmaDirection.FROM_DEVICE, NONE);
        }
    }

    private static EngineExecutionResults run(String method, Class<?>... parameterTypes) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(Samples.class, method, parameterTypesOf(parameterTypes)))
                .execute();
    }

    private static String parameterTypesOf(Class<?>... types) {
        return String.join(",", java.util.Arrays.stream(types).map(Class::getName).toList());
    }

    private static Throwable failureOf(EngineExecutionResults results) {
        List<Event> failed = results.testEvents().failed().list();
        assertEquals(1, failed.size(), () -> "expected one failed test, got " + results.testEvents().list());
        return failed.getFirst().getRequiredPayload(org.junit.platform.engine.TestExecutionResult.class).getThrowable().orElseThrow();
    }

    @Test
    void shouldPassACorrectDriver() {
        run("correct", DmaApi.class, DmaDevice.class, Kernel.class).testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
    }

    @Test
    void shouldFailATestThatNeverChecksItsMapping() {
        Throwable t = failureOf(run("forgetsToCheckTheMapping", DmaApi.class, DmaDevice.class, Kernel.class));
        DmaDebugFailure f = assertInstanceOf(DmaDebugFailure.class, t);
        assertEquals(DmaDebugCategory.MAP_ERROR_NOT_CHECKED, f.reports().getFirst().category());
        assertTrue(f.getMessage().contains("device driver failed to check map error"), f.getMessage());
        assertTrue(f.getMessage().contains("Samples.forgetsToCheckTheMapping"), "the stack of the map call: " + f.getMessage());
    }

    @Test
    void shouldFailATestThatLeavesAMappingBehind() {
        DmaDebugFailure f = assertInstanceOf(DmaDebugFailure.class, failureOf(run("leaksAMapping", DmaApi.class, DmaDevice.class, Kernel.class)));
        assertEquals(DmaDebugCategory.LEAK_ON_DETACH, f.reports().getFirst().category());
        assertTrue(f.getMessage().contains("[count=1]"), f.getMessage());
    }

    @Test
    void shouldFailADriverThatReadsWithoutSyncingWithTheSanitizersReport() {
        DmaDebugFailure f = assertInstanceOf(DmaDebugFailure.class, failureOf(run("readsWithoutSyncForCpu",
                DmaApi.class, DmaDevice.class, Kernel.class, CopyEngineDriver.class, Cpu.class)));
        assertEquals(DmaDebugCategory.CPU_READ_STALE_LINE, f.reports().getFirst().category(), f::getMessage);
        assertTrue(f.getMessage().contains("missing call: syncSingleForCpu(DMA_FROM_DEVICE)"), f.getMessage());
    }

    @Test
    void shouldLetATestInspectReportsItself() {
        run("inspectsReportsItself", DmaApi.class, DmaDevice.class, DmaDebug.class).testEvents().assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void shouldPreferTheMethodsAnnotationOverTheClasss() {
        run("methodAnnotationWins", Machine.class, DmaDevice.class).testEvents().assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void shouldRunUnderTheIommuSoThatADeviceOverrunFailsTheTest() {
        Throwable t = failureOf(run("deviceWritesPastItsMapping", DmaApi.class, DmaDevice.class, Kernel.class, CopyEngineDriver.class));
        assertTrue(t.getMessage().contains("the engine should not fault"), t.getMessage());
    }
}
