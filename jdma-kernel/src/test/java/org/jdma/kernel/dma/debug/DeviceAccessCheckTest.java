package org.jdma.kernel.dma.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.MappingOptions;
import org.jdma.kernel.drivers.memcpy.CompletedDescriptor;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.spec.memcpy.CompletionStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The checker sees what the device touches: a copy engine driven by raw descriptors through its
 * driver, on every IOMMU mode, touching memory after unmap, against a mapping's direction, or never
 * mapped, is reported once with the unmap or map site; a correct driver, in threaded mode too, and
 * its MSIs, are never reported.
 */
class DeviceAccessCheckTest {

    private Machine machine;
    private Kernel kernel;
    private CopyEngineDriver driver;

    private void boot(IommuMode mode, MappingOptions mapping, CopyEngineDriver.CompletionMode completion) {
        machine = new Machine(TestMachines.small(1));
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(mode).withMapping(mapping).withDmaDebug(true)
                .withoutDriver(CopyEngineDriver.driver().name())
                .withDriver(CopyEngineDriver.driver(CopyEngineDriver.Options.DEFAULTS.withMode(completion))));
        driver = kernel.driver(CopyEngineDriver.class);
    }

    private void boot(IommuMode mode) {
        boot(mode, MappingOptions.DEFAULTS, CopyEngineDriver.CompletionMode.INTERRUPT);
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

    private DmaDebug checker() {
        return kernel.dmaDebug().orElseThrow();
    }

    private DeviceDmaApi dma() {
        return driver.dma();
    }

    private DmaBuffer buffer(long size) {
        return kernel.memory().allocate(size, 4096, org.jdma.kernel.mm.DmaMemory.LIMIT_4GIB);
    }

    /** Maps {@code b} for the device, checks the handle as a driver must, and returns it. */
    private long map(DmaBuffer b, long size, DmaDirection direction) {
        long d = dma().mapSingle(b.physicalAddress(), size, direction);
        assertFalse(dma().mappingError(d));
        return d;
    }

    private static boolean names(StackTraceElement[] stack, String method) {
        return Arrays.stream(stack).anyMatch(f -> f.getClassName().equals(DeviceAccessCheckTest.class.getName())
                && f.getMethodName().equals(method));
    }

    private DmaDebugReport onlyReport() {
        List<DmaDebugReport> r = checker().reports();
        assertEquals(1, r.size(), () -> "exactly one report, got " + r.stream().map(DmaDebugReport::format).toList());
        return r.getFirst();
    }

    @ParameterizedTest
    @EnumSource(IommuMode.class)
    void shouldReportADeviceWriteAfterUnmapNamingTheUnmap(IommuMode mode) {
        boot(mode);
        try (DmaBuffer b = buffer(4096)) {
            long d = map(b, 4096, DmaDirection.FROM_DEVICE);
            unmapTooEarly(d);
            driver.executeUnchecked(Descriptor.memfill(d, 256, 0x5A5A_5A5A_5A5A_5A5AL));
            DmaDebugReport r = onlyReport();
            assertEquals(DmaDebugCategory.DEVICE_ACCESS_AFTER_UNMAP, r.category());
            assertTrue(r.message().contains("[write]") && r.message().contains(String.format("0x%016x", d))
                    && r.message().contains("[size=256 bytes]"), r.message());
            assertTrue(names(r.unmapStack(), "unmapTooEarly"), r.format());
            assertTrue(names(r.mapStack(), "map"), r.format());
            assertEquals(d, r.mapping().orElseThrow().dmaAddress());
        }
    }

    private void unmapTooEarly(long d) {
        dma().unmapSingle(d, 4096, DmaDirection.FROM_DEVICE);
    }

    @ParameterizedTest
    @EnumSource(IommuMode.class)
    void shouldReportADeviceReadAfterUnmapNamingTheUnmap(IommuMode mode) {
        boot(mode);
        try (DmaBuffer src = buffer(4096); DmaBuffer dst = buffer(4096)) {
            long s = map(src, 4096, DmaDirection.TO_DEVICE);
            long d = map(dst, 4096, DmaDirection.FROM_DEVICE);
            dma().unmapSingle(s, 4096, DmaDirection.TO_DEVICE);
            driver.executeUnchecked(Descriptor.memmove(s, d, 4096));
            DmaDebugReport r = onlyReport();
            assertEquals(DmaDebugCategory.DEVICE_ACCESS_AFTER_UNMAP, r.category());
            assertTrue(r.message().contains("[read]"), r.message());
            assertTrue(names(r.unmapStack(), "shouldReportADeviceReadAfterUnmapNamingTheUnmap"), r.format());
            dma().unmapSingle(d, 4096, DmaDirection.FROM_DEVICE);
        }
    }

    @Test
    void shouldReportADeviceWriteToFreedCoherentMemory() {
        boot(IommuMode.OFF);
        CoherentAllocation a = dma().allocCoherent(4096);
        long d = a.dmaAddress();
        a.close();
        driver.executeUnchecked(Descriptor.memfill(d, 64, 1));
        DmaDebugReport r = onlyReport();
        assertEquals(DmaDebugCategory.DEVICE_ACCESS_AFTER_UNMAP, r.category());
        assertTrue(r.message().contains("after it was freed"), r.message());
        assertTrue(r.unmapStack().length > 0, r.format());
    }

    @ParameterizedTest
    @EnumSource(value = IommuMode.class, names = {"OFF", "IDENTITY"})
    void shouldReportADeviceWriteToMemoryNeverMapped(IommuMode mode) {
        boot(mode);
        try (DmaBuffer b = buffer(4096)) {
            driver.executeUnchecked(Descriptor.memfill(b.physicalAddress(), 128, 7)); // a physical address no one mapped
            DmaDebugReport r = onlyReport();
            assertEquals(DmaDebugCategory.DEVICE_ACCESS_NOT_MAPPED, r.category());
            assertTrue(r.message().contains(String.format("0x%016x", b.physicalAddress())), r.message());
        }
    }

    @ParameterizedTest
    @EnumSource(value = IommuMode.class, names = {"OFF", "LAZY"})
    void shouldReportADeviceWriteIntoAToDeviceMappingNamingTheMap(IommuMode mode) {
        boot(mode);
        try (DmaBuffer b = buffer(4096)) {
            long d = map(b, 4096, DmaDirection.TO_DEVICE);
            driver.executeUnchecked(Descriptor.memfill(d, 64, 1));
            DmaDebugReport r = onlyReport();
            assertEquals(DmaDebugCategory.DEVICE_ACCESS_WRONG_DIRECTION, r.category());
            assertTrue(names(r.mapStack(), "map"), r.format());
            assertEquals(0, r.unmapStack().length);
            dma().unmapSingle(d, 4096, DmaDirection.TO_DEVICE);
        }
    }

    @Test
    void shouldReportALoopOverAnUnmappedBufferOnce() {
        boot(IommuMode.OFF);
        try (DmaBuffer b = buffer(4096)) {
            long d = map(b, 4096, DmaDirection.FROM_DEVICE);
            dma().unmapSingle(d, 4096, DmaDirection.FROM_DEVICE);
            for (int i = 0; i < 10; i++) {
                driver.executeUnchecked(Descriptor.memfill(d + i * 64, 64, i));
            }
            assertEquals(DmaDebugCategory.DEVICE_ACCESS_AFTER_UNMAP, onlyReport().category());
        }
    }

    @ParameterizedTest
    @EnumSource(IommuMode.class)
    void shouldNotReportACorrectDriverNorItsInterrupts(IommuMode mode) {
        boot(mode);
        try (DmaBuffer src = buffer(8192); DmaBuffer dst = buffer(8192)) {
            src.write(0, new byte[] {1, 2, 3, 4});
            for (int i = 0; i < 20; i++) {
                assertTrue(driver.copy(src, dst, 8192).isSuccess());
                assertTrue(driver.fill(dst, 4096, i).isSuccess());
                assertTrue(driver.compare(src, dst, 8192).isSuccess());
            }
            assertTrue(driver.completionInterrupts() >= 60, "the completions were MSIs: " + driver.completionInterrupts());
            checker().assertNoReports();
        }
    }

    @Test
    void shouldNotReportAccessesToBounceSlotsAndReportTheSlotAfterUnmap() {
        boot(IommuMode.OFF, MappingOptions.DEFAULTS.withSwiotlb(1 << 20, 1).withForceBounce(true),
                CopyEngineDriver.CompletionMode.INTERRUPT);
        try (DmaBuffer src = buffer(4096); DmaBuffer dst = buffer(4096)) {
            src.write(0, new byte[] {9, 8, 7});
            assertTrue(driver.copy(src, dst, 4096).isSuccess());
            assertEquals(8, dst.readByte(1));
            checker().assertNoReports();
            long d = map(dst, 4096, DmaDirection.FROM_DEVICE);
            assertTrue(d != dst.physicalAddress(), "the device address is the bounce slot");
            dma().unmapSingle(d, 4096, DmaDirection.FROM_DEVICE);
            driver.executeUnchecked(Descriptor.memfill(d, 64, 3));
            assertEquals(DmaDebugCategory.DEVICE_ACCESS_AFTER_UNMAP, onlyReport().category());
        }
    }

    /**
     * The driver unmaps as soon as it sees each completion, while the device thread runs: the
     * device's accesses are checked before it publishes the completion, so none can be reported.
     */
    @ParameterizedTest
    @EnumSource(value = IommuMode.class, names = {"OFF", "STRICT", "LAZY"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldNotReportACorrectDriverUnmappingOnCompletionInThreadedMode(IommuMode mode) {
        boot(mode, MappingOptions.DEFAULTS, CopyEngineDriver.CompletionMode.POLLED);
        CopyEngine device = machine.devices(CopyEngine.class).getFirst();
        device.startThread();
        CompletedDescriptor[] out = new CompletedDescriptor[1];
        try (DmaBuffer src = buffer(4096); DmaBuffer dst = buffer(4096)) {
            for (int i = 0; i < 3000; i++) {
                long size = 64 + i % 4000;
                long s = map(src, size, DmaDirection.TO_DEVICE);
                long d = map(dst, size, DmaDirection.FROM_DEVICE);
                assertEquals(1, driver.submit(i % 2 == 0 ? Descriptor.memmove(s, d, size) : Descriptor.memfill(d, size, i)));
                while (driver.drain(out) == 0) {
                    if (Thread.interrupted()) {
                        throw new AssertionError("timed out at op " + i);
                    }
                    Thread.onSpinWait();
                }
                assertEquals(CompletionStatus.SUCCESS, out[0].status());
                // Unmap the moment the completion is seen, as a driver's completion handler does.
                dma().unmapSingle(d, size, DmaDirection.FROM_DEVICE);
                dma().unmapSingle(s, size, DmaDirection.TO_DEVICE);
            }
            checker().assertNoReports();
            // The same path does see a device thread's use after unmap.
            long d = map(dst, 4096, DmaDirection.FROM_DEVICE);
            dma().unmapSingle(d, 4096, DmaDirection.FROM_DEVICE);
            assertEquals(1, driver.submitUnchecked(Descriptor.memfill(d, 64, 1)));
            while (driver.drain(out) == 0) {
                Thread.onSpinWait();
            }
            assertEquals(DmaDebugCategory.DEVICE_ACCESS_AFTER_UNMAP, onlyReport().category());
        } finally {
            device.stopThread();
        }
    }
}
