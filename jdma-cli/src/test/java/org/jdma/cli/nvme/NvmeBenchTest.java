package org.jdma.cli.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.jdma.cli.Main;
import org.junit.jupiter.api.Test;

/** The fio-like run: Little's law, saturation with depth, verify, and the same seed giving the same histogram. */
class NvmeBenchTest {

    static final NvmeJob JOB = new NvmeJob("randread", 4096, 1, 1, 16L << 20, 5_000_000L, "off", false, 1);

    @Test
    void shouldHoldLittlesLawAndSaturateThroughputWithDepth() {
        List<NvmeJobResult> curve = NvmeBench.sweep(JOB);
        assertEquals(8, curve.size());
        for (NvmeJobResult r : curve) {
            assertEquals(0, r.errors());
            int depth = r.job().iodepth();
            assertEquals(depth, r.littlesLawDepth(), depth * 0.05, "Little's law at depth " + depth);
        }
        double qd1 = curve.get(0).iops();
        double qd4 = curve.get(2).iops();
        double qd64 = curve.get(6).iops();
        double qd128 = curve.get(7).iops();
        assertTrue(qd4 > 3 * qd1, "throughput grows while channels are free: " + qd1 + " -> " + qd4);
        assertTrue(qd128 < qd64 * 1.05, "saturated: " + qd64 + " -> " + qd128);
        assertTrue(curve.get(7).meanLatencyNs() > 1.8 * curve.get(6).meanLatencyNs(), "past saturation only latency grows");
    }

    @Test
    void shouldVerifyWrittenBlocksThroughALazyIommuAndRepeatTheHistogramForASeed() {
        NvmeJob job = new NvmeJob("randrw", 8192, 8, 2, 4L << 20, 2_000_000L, "lazy", true, 5);
        NvmeJobResult a = NvmeBench.run(job, ns -> { });
        NvmeJobResult b = NvmeBench.run(job, ns -> { });
        assertEquals(0, a.errors());
        assertTrue(a.verified() > 0);
        assertEquals(0, a.mismatches());
        assertEquals(a.ios(), b.ios());
        assertEquals(a.latency(), b.latency(), "same seed, same latency histogram");
        assertTrue(a.interruptsPerIo() > 0);
    }

    @Test
    void shouldPrintFioStyleResults() {
        StringWriter text = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(text))
                .execute("run", "nvme", "--rw", "randread", "--iodepth", "4", "--runtime", "1", "--size", "4M", "--iommu", "lazy");
        assertEquals(0, code, text.toString());
        assertTrue(text.toString().contains("IOPS="), text.toString());
        assertTrue(text.toString().contains("p99.9="), text.toString());
    }
}
