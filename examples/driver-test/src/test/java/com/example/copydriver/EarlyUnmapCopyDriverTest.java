package com.example.copydriver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.debug.DmaDebug;
import org.jdma.kernel.dma.debug.DmaDebugCategory;
import org.jdma.kernel.dma.debug.DmaDebugReport;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.test.DmaTest;
import org.jdma.test.DmaTestEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The early-unmap driver on an x86-like machine with the IOMMU off: the copied bytes are right,
 * yet the checker reports the device's write to memory that was no longer mapped for it, and
 * names the driver's method that unmapped it.
 */
class EarlyUnmapCopyDriverTest {

    @Test
    @DmaTest(failOnReport = false)
    void shouldReportTheDevicesWriteAfterTheDriverUnmapped(DmaTestEnvironment env, DeviceDmaApi dma, CopyEngineDriver engine,
                                                           DmaDebug debug) {
        DmaBuffer src = env.allocate(4096);
        DmaBuffer dst = env.allocate(4096);
        src.fill(0, 4096, (byte) 0x5A);

        boolean copied = new EarlyUnmapCopyDriver(dma, engine).copy(src, dst, 4096).isSuccess();

        assertTrue(copied && dst.readLong(0) == 0x5A5A5A5A5A5A5A5AL, "with the IOMMU off the bug does not show in the data");
        List<DmaDebugReport> reports = debug.reports();
        assertEquals(1, reports.size(), reports::toString);
        DmaDebugReport report = reports.getFirst();
        assertEquals(DmaDebugCategory.DEVICE_ACCESS_AFTER_UNMAP, report.category(), report::format);
        assertTrue(report.format().contains(EarlyUnmapCopyDriver.class.getName() + ".copy"),
                () -> "the report names the driver's unmap:\n" + report.format());
    }
}
