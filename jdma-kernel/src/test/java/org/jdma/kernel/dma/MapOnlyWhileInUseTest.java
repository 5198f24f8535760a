package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.debug.DmaDebugCategory;
import org.jdma.kernel.dma.debug.DmaDebugReport;
import org.jdma.kernel.drivers.memcpy.CompletedDescriptor;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.CopyRingLayout;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
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
 * Map only while in use (issue 12 bullet 8, checklist row 100) with the copy engine: a descriptor in
 * flight holds the mappings it names, so unmapping them (single, sg, coherent free) is refused
 * naming the descriptor until its completion is drained; submit refuses a descriptor naming memory
 * not mapped for the engine in the direction it is used, and writes nothing into the ring.
 */
class MapOnlyWhileInUseTest {

    private Machine machine;
    private Kernel kernel;
    private CopyEngineDriver driver;

    private void boot(IommuMode mode, boolean dmaDebug) {
        machine = new Machine(TestMachines.small(1));
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(mode).withDmaDebug(dmaDebug)
                .withoutDriver(CopyEngineDriver.driver().name())
                .withDriver(CopyEngineDriver.driver(CopyEngineDriver.Options.DEFAULTS.withMode(CopyEngineDriver.CompletionMode.POLLED))));
        driver = kernel.driver(CopyEngineDriver.class);
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

    private DeviceDmaApi dma() {
        return driver.dma();
    }

    private DmaBuffer buffer(long size) {
        return kernel.memory().allocate(size, 4096, DmaMemory.LIMIT_4GIB);
    }

    private long map(DmaBuffer b, long size, DmaDirection direction) {
        long d = dma().mapSingle(b.physicalAddress(), size, direction);
        assertFalse(dma().mappingError(d));
        return d;
    }

    private CompletedDescriptor runAndDrainOne() {
        machine.clock().runUntilIdle();
        CompletedDescriptor[] out = new CompletedDescriptor[1];
        assertEquals(1, driver.drain(out));
        return out[0];
    }

    @ParameterizedTest
    @EnumSource(IommuMode.class)
    void shouldRefuseToUnmapWhatADescriptorInFlightNamesUntilItsCompletionIsDrained(IommuMode mode) {
        boot(mode, false);
        try (DmaBuffer src = buffer(4096); DmaBuffer dst = buffer(4096)) {
            byte[] data = new byte[4096];
            Arrays.fill(data, (byte) 0x5A);
            kernel.cpu().write(src.physicalAddress(), data);
            long s = map(src, 4096, DmaDirection.TO_DEVICE);
            long d = map(dst, 4096, DmaDirection.FROM_DEVICE);
            assertEquals(1, driver.submit(Descriptor.memmove(s, d, 4096)));

            DmaException e = assertThrows(DmaException.class, () -> dma().unmapSingle(d, 4096, DmaDirection.FROM_DEVICE));
            DmaError.InUse inUse = assertInstanceOf(DmaError.InUse.class, e.error());
            assertTrue(e.retryable(), "a retry succeeds after the completion");
            assertEquals(d, inUse.mapping());
            assertTrue(e.getMessage().contains("memcpy0") && e.getMessage().contains("sequence 0")
                    && e.getMessage().contains("MEMMOVE destination"), e.getMessage());
            assertThrows(DmaException.class, () -> dma().unmapSingle(s, 4096, DmaDirection.TO_DEVICE));

            // Nothing changed: the engine still reaches both buffers and the copy arrives whole.
            CompletedDescriptor c = runAndDrainOne();
            assertEquals(CompletionStatus.SUCCESS, c.status());
            dma().unmapSingle(d, 4096, DmaDirection.FROM_DEVICE);
            dma().unmapSingle(s, 4096, DmaDirection.TO_DEVICE);
            byte[] got = new byte[4096];
            kernel.cpu().read(dst.physicalAddress(), got);
            assertArrayEquals(data, got);
            assertEquals(0, kernel.memory().pins().holdCount() - 1, "only the ring's own hold is left");
        }
    }

    @Test
    void shouldRefuseAScatterlistUnmapAndACoherentFreeWhileInFlight() {
        boot(IommuMode.STRICT, false);
        try (DmaBuffer a = buffer(8192)) {
            ScatterList sg = new ScatterList().add(a.physicalAddress(), 4096).add(a.physicalAddress() + 4096, 4096);
            int n = dma().mapSg(sg, 2, DmaDirection.TO_DEVICE);
            assertTrue(n > 0);
            CoherentAllocation out = dma().allocCoherent(4096);
            assertEquals(1, driver.submit(Descriptor.memmove(sg.get(0).dmaAddress(), out.dmaAddress(), 4096)));

            DmaException sgRefused = assertThrows(DmaException.class, () -> dma().unmapSg(sg, 2, DmaDirection.TO_DEVICE));
            assertInstanceOf(DmaError.InUse.class, sgRefused.error());
            DmaException freeRefused = assertThrows(DmaException.class, out::close);
            assertTrue(freeRefused.getMessage().contains("MEMMOVE destination"), freeRefused.getMessage());
            assertFalse(out.isClosed(), "the coherent allocation stays");

            assertEquals(CompletionStatus.SUCCESS, runAndDrainOne().status());
            dma().unmapSg(sg, 2, DmaDirection.TO_DEVICE);
            out.close();
            assertTrue(out.isClosed());
        }
    }

    @Test
    void shouldRefuseADescriptorNamingAnUnmappedSourceAndLeaveTheRingUntouched() {
        boot(IommuMode.STRICT, false);
        try (DmaBuffer src = buffer(4096); DmaBuffer dst = buffer(4096)) {
            long d = map(dst, 4096, DmaDirection.FROM_DEVICE);
            byte[] before = ringBytes();
            long submitted = driver.ring().submittedCount();
            DmaException e = assertThrows(DmaException.class, () -> driver.submit(Descriptor.memmove(src.physicalAddress(), d, 64)));
            DmaError.NotMapped m = assertInstanceOf(DmaError.NotMapped.class, e.error());
            assertEquals("MEMMOVE source", m.field());
            assertEquals(src.physicalAddress(), m.address());
            assertTrue(m.reason().contains("not mapped"), m.reason());
            assertFalse(e.retryable());
            assertEquals(submitted, driver.ring().submittedCount());
            assertArrayEquals(before, ringBytes(), "nothing was written into the ring");
            assertEquals(1, kernel.memory().pins().holdCount(), "the refused descriptor holds nothing; the ring holds itself");
            dma().unmapSingle(d, 4096, DmaDirection.FROM_DEVICE);
        }
    }

    @Test
    void shouldRefuseADestinationMappedOnlyForTheDeviceToRead() {
        boot(IommuMode.OFF, false);
        try (DmaBuffer src = buffer(4096); DmaBuffer dst = buffer(4096)) {
            long s = map(src, 4096, DmaDirection.TO_DEVICE);
            long d = map(dst, 4096, DmaDirection.TO_DEVICE);
            DmaException e = assertThrows(DmaException.class, () -> driver.execute(Descriptor.memmove(s, d, 64)));
            DmaError.NotMapped m = assertInstanceOf(DmaError.NotMapped.class, e.error());
            assertEquals("MEMMOVE destination", m.field());
            assertTrue(m.reason().contains("may not write") && m.reason().contains("TO_DEVICE"), m.reason());
            assertEquals(0, driver.ring().submittedCount());
            dma().unmapSingle(d, 4096, DmaDirection.TO_DEVICE);
            dma().unmapSingle(s, 4096, DmaDirection.TO_DEVICE);
        }
    }

    @Test
    void shouldRefuseARangeRunningPastTheEndOfItsMappingAndNameTheBatchMember() {
        boot(IommuMode.LAZY, false);
        try (DmaBuffer src = buffer(8192); DmaBuffer dst = buffer(8192)) {
            long s = map(src, 4096, DmaDirection.TO_DEVICE);
            long d = map(dst, 8192, DmaDirection.FROM_DEVICE);
            DmaException e = assertThrows(DmaException.class,
                    () -> driver.submit(List.of(Descriptor.memmove(s, d, 64), Descriptor.memmove(s + 64, d, 4096))));
            DmaError.NotMapped m = assertInstanceOf(DmaError.NotMapped.class, e.error());
            assertEquals("descriptor 1 (MEMMOVE): MEMMOVE source", m.field());
            assertTrue(m.reason().contains("runs past the end") && m.reason().contains("by 0x40 bytes"), m.reason());
            assertEquals(0, driver.ring().submittedCount(), "the whole batch was refused");
            assertEquals(1, kernel.memory().pins().holdCount(), "descriptor 0's holds were given back");
            dma().unmapSingle(d, 8192, DmaDirection.FROM_DEVICE);
            dma().unmapSingle(s, 4096, DmaDirection.TO_DEVICE);
        }
    }

    @Test
    void shouldLetAResetReleaseTheHoldsOfDroppedDescriptors() {
        boot(IommuMode.STRICT, false);
        try (DmaBuffer dst = buffer(4096)) {
            long d = map(dst, 4096, DmaDirection.FROM_DEVICE);
            assertEquals(1, driver.submit(Descriptor.memfill(d, 64, 7)));
            assertThrows(DmaException.class, () -> dma().unmapSingle(d, 4096, DmaDirection.FROM_DEVICE));
            assertEquals(1, driver.resetAndEnable().size());
            dma().unmapSingle(d, 4096, DmaDirection.FROM_DEVICE);
        }
    }

    @Test
    void shouldReportTheRefusedUnmapWithTheMapSiteAndKeepTheEntry() {
        boot(IommuMode.STRICT, true);
        var checker = kernel.dmaDebug().orElseThrow();
        try (DmaBuffer dst = buffer(4096)) {
            long d = map(dst, 4096, DmaDirection.FROM_DEVICE);
            assertEquals(1, driver.submit(Descriptor.memfill(d, 4096, 3)));
            assertThrows(DmaException.class, () -> dma().unmapSingle(d, 4096, DmaDirection.FROM_DEVICE));

            List<DmaDebugReport> reports = checker.reports();
            assertEquals(List.of(DmaDebugCategory.UNMAP_WHILE_IN_USE), reports.stream().map(DmaDebugReport::category).toList(),
                    () -> reports.stream().map(DmaDebugReport::format).toList().toString());
            DmaDebugReport r = reports.getFirst();
            assertTrue(r.message().contains("MEMFILL destination") && r.message().contains("sequence 0"), r::format);
            assertTrue(Arrays.stream(r.mapStack()).anyMatch(f -> f.getMethodName().equals("map")
                    && f.getClassName().equals(MapOnlyWhileInUseTest.class.getName())), r::format);
            assertTrue(checker.liveMappings(dma().device()).stream().anyMatch(m -> m.dmaAddress() == d), "the entry stays");

            assertEquals(CompletionStatus.SUCCESS, runAndDrainOne().status());
            dma().unmapSingle(d, 4096, DmaDirection.FROM_DEVICE);
            assertEquals(1, checker.errorCount(), "the unmap after the completion is clean");
        }
    }

    /**
     * The device runs on its own thread, a second thread drains completions, and the test thread
     * unmaps each descriptor's buffers as soon as it has submitted it, retrying while refused: an
     * unmap succeeds only after the consumer index moved past the descriptor, and the data is whole.
     */
    @ParameterizedTest
    @EnumSource(value = IommuMode.class, names = {"OFF", "STRICT"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldNeverUnmapBeforeTheCompletionIsReapedOnAnotherThread(IommuMode mode) throws InterruptedException {
        boot(mode, false);
        CopyEngine device = machine.devices(CopyEngine.class).getFirst();
        int ops = 400;
        AtomicReference<Throwable> reaperFailure = new AtomicReference<>();
        device.startThread();
        Thread reaper = new Thread(() -> {
            CompletedDescriptor[] out = new CompletedDescriptor[8];
            int reaped = 0;
            try {
                while (reaped < ops) {
                    int n = driver.drain(out);
                    for (int i = 0; i < n; i++) {
                        assertEquals(CompletionStatus.SUCCESS, out[i].status());
                    }
                    reaped += n;
                    Thread.onSpinWait();
                }
            } catch (Throwable t) {
                reaperFailure.set(t);
            }
        }, "reaper");
        try (DmaBuffer src = buffer(4096); DmaBuffer dst = buffer(4096)) {
            reaper.start();
            int refusals = 0;
            for (int i = 0; i < ops; i++) {
                int size = 64 + (i % 64) * 32;
                byte[] data = new byte[size];
                Arrays.fill(data, (byte) i);
                kernel.cpu().write(src.physicalAddress(), data);
                long s = map(src, size, DmaDirection.TO_DEVICE);
                long d = map(dst, size, DmaDirection.FROM_DEVICE);
                long sequence = driver.ring().submittedCount();
                assertEquals(1, driver.submit(Descriptor.memmove(s, d, size)));
                while (true) {
                    try {
                        dma().unmapSingle(d, size, DmaDirection.FROM_DEVICE);
                        break;
                    } catch (DmaException e) {
                        assertInstanceOf(DmaError.InUse.class, e.error());
                        refusals++;
                        assertTrue(reaperFailure.get() == null, () -> "reaper failed: " + reaperFailure.get());
                        Thread.onSpinWait();
                    }
                }
                assertTrue(driver.ring().drainedCount() > sequence, "unmapped only after the completion was reaped");
                dma().unmapSingle(s, size, DmaDirection.TO_DEVICE);
                byte[] got = new byte[size];
                kernel.cpu().read(dst.physicalAddress(), got);
                assertArrayEquals(data, got, "op " + i);
            }
            reaper.join();
            assertTrue(reaperFailure.get() == null, () -> "reaper failed: " + reaperFailure.get());
            assertTrue(refusals > 0, "some unmaps met their descriptor in flight");
        } finally {
            device.stopThread();
        }
    }

    private byte[] ringBytes() {
        byte[] b = new byte[(int) CopyRingLayout.bytes(driver.ring().capacity())];
        kernel.cpu().read(driver.ring().ringBase(), b);
        return b;
    }
}
