package com.example.copydriver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.debug.DmaDebug;
import org.jdma.kernel.dma.debug.DmaDebugReport;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.test.DmaTest;
import org.jdma.test.DmaTestEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The early-unmap driver on an x86-like machine with the IOMMU off: the address it hands the engine
 * is still the buffer's physical address, so the device could write there, but the kernel refuses
 * the descriptor at submit because nothing maps the destination for the engine any more (map only
 * while in use). The engine never touches the buffer, so the checker has no device access to report.
 */
class EarlyUnmapCopyDriverTest {

    @Test
    @DmaTest(failOnReport = false)
    void shouldRefuseTheDescriptorNamingTheUnmappedDestination(DmaTestEnvironment env, DeviceDmaApi dma, CopyEngineDriver engine,
                                                               DmaDebug debug) {
        DmaBuffer src = env.allocate(4096);
        DmaBuffer dst = env.allocate(4096);
        src.fill(0, 4096, (byte) 0x5A);

        DmaException e = assertThrows(DmaException.class, () -> new EarlyUnmapCopyDriver(dma, engine).copy(src, dst, 4096));

        DmaError.NotMapped refusal = assertInstanceOf(DmaError.NotMapped.class, e.error(), e::getMessage);
        assertEquals("MEMMOVE destination", refusal.field());
        assertEquals(dst.physicalAddress(), refusal.address(), "the address the driver remembered after unmapping it");
        assertEquals(0, dst.readLong(0), "the engine never wrote the buffer");
        List<DmaDebugReport> reports = debug.reports();
        assertTrue(reports.isEmpty(), reports::toString);
    }
}
