package com.example.copydriver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
 * The buggy driver: the test passes because the checker catches the bug. With
 * {@code failOnReport = false} the test reads the reports itself and asserts the category and the
 * line of the driver that made the bad access. (Without it, @DmaTest would fail the test with the
 * same report, which is what a user sees on a real bug.)
 */
class BuggyCopyDriverTest {

    @Test
    @DmaTest(coherent = false, failOnReport = false)
    void shouldReportTheReadBeforeSyncForCpuAtTheDriversLine(DmaTestEnvironment env, DeviceDmaApi dma, CopyEngineDriver engine,
                                                             DmaDebug debug) throws IOException {
        DmaBuffer src = env.allocate(4096);
        DmaBuffer dst = env.allocate(4096);
        src.fill(0, 4096, (byte) 0x5A);
        new BuggyCopyDriver(dma, engine).copyAndPeek(src, dst, 4096);

        List<DmaDebugReport> reports = debug.reports();
        assertEquals(1, reports.size(), reports::toString);
        DmaDebugReport report = reports.getFirst();
        assertEquals(DmaDebugCategory.CPU_READ_STALE_LINE, report.category(), report::format);
        StackTraceElement at = Arrays.stream(report.reportStack())
                .filter(e -> e.getClassName().equals(BuggyCopyDriver.class.getName()))
                .findFirst().orElseThrow(() -> new AssertionError("the report does not point into the driver:\n" + report.format()));
        String line = Files.readAllLines(Path.of("src/main/java/com/example/copydriver/BuggyCopyDriver.java")).get(at.getLineNumber() - 1);
        assertTrue(line.contains("// BUG"), () -> "the report points at line " + at.getLineNumber() + ": " + line);
    }

    /** Which JUnit ran these tests: the build runs them once with JUnit 5 and once with JUnit 6. */
    @Test
    void shouldRunOnTheJUnitTheBuildAskedFor() {
        String version = Test.class.getPackage().getImplementationVersion();
        String expected = System.getProperty("expected.junit.major", "");
        assertTrue(version != null && version.startsWith(expected + "."), () -> "JUnit Jupiter " + version + ", expected " + expected + ".x");
        System.out.println("copy-driver: tests ran on JUnit Jupiter " + version);
    }
}
