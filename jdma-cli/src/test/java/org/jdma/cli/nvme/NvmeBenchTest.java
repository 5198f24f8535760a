package org.jdma.cli.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.jdma.cli.Main;
import org.jdma.cli.trace.TraceDigestOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fio-like run: Little's law, saturation with depth, verify, the same seed giving the same
 * histogram, IOTLB misses per I/O, the printed numbers, the trace digest and the sweep's plot.
 */
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

    private static String jdma(String... args) {
        StringWriter text = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(text)).setErr(new PrintWriter(text)).execute(args);
        assertEquals(0, code, text.toString());
        return text.toString();
    }

    @Test
    void shouldCountIotlbMissesPerIoOnlyWhenTheIommuTranslates() {
        NvmeJob off = new NvmeJob("randread", 4096, 8, 1, 4L << 20, 1_000_000L, "off", false, 3);
        NvmeJobResult none = NvmeBench.run(off, ns -> { });
        NvmeJobResult strict = NvmeBench.run(new NvmeJob("randread", 4096, 8, 1, 4L << 20, 1_000_000L, "strict", false, 3), ns -> { });
        assertTrue(none.ios() > 100 && strict.ios() > 100, none.ios() + " / " + strict.ios());
        assertEquals(0, none.iotlbMisses(), "no IOMMU, no IOTLB");
        // strict: every I/O's buffer is mapped afresh and its IOTLB entry invalidated at unmap, so the
        // controller's first access to it misses (the queues' own mappings stay cached)
        assertTrue(strict.iotlbMissesPerIo() >= 1.0 && strict.iotlbMissesPerIo() < 4.0, "misses per I/O " + strict.iotlbMissesPerIo());
        assertTrue(strict.simulatedIosPerWallSecond() > 0 && strict.wallNs() > 0);
    }

    @Test
    void shouldPrintIotlbMissesSimulationSpeedAndTheSameTraceDigestForASeed() {
        String[] args = {"run", "nvme", "--iodepth", "4", "--numjobs", "2", "--runtime", "1", "--size", "4M", "--iommu", "strict",
                "--trace-digest"};
        String first = jdma(args);
        assertTrue(first.matches("(?s).*IOTLB misses per I/O [1-9][0-9.]*\\n.*"), first);
        assertTrue(first.matches("(?s).*simulation: [1-9][0-9]* modeled I/Os per wall second.*"), first);
        String digest = first.lines().filter(l -> l.startsWith(TraceDigestOption.PREFIX)).findFirst().orElseThrow(() -> new AssertionError(first));
        assertTrue(digest.matches(".*\\(([1-9][0-9]*) events, 1 machines\\)"), digest);
        assertTrue(jdma(args).contains(digest), "same command line, same seed: same digest");
    }

    @Test
    void shouldPlotTheSweepAsAPngOfTheExpectedSize(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("sweep.png");
        String out = jdma("run", "nvme", "--sweep", "--runtime", "1", "--size", "4M", "--iommu", "off", "--plot", png.toString());
        assertTrue(out.contains("plot: " + png), out);
        assertEquals(9 + 1, out.lines().count(), "a header, 8 depths and the plot line:\n" + out);
        assertTrue(Files.size(png) > 1000);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(NvmePlot.WIDTH, image.getWidth());
        assertEquals(NvmePlot.HEIGHT, image.getHeight());
    }

    @Test
    void shouldRefuseAPlotWithoutASweep() {
        StringWriter text = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(text)).setErr(new PrintWriter(text))
                .execute("run", "nvme", "--runtime", "1", "--plot", "x.png");
        assertTrue(code != 0);
        assertTrue(text.toString().contains("--plot needs --sweep"), text.toString());
    }

    @Test
    void shouldPrintTheSmartLogWhoseCommandCountsMatchTheJob() {
        StringWriter text = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(text)).setErr(new PrintWriter(text))
                .execute("run", "nvme", "--rw", "randwrite", "--bs", "4K", "--iodepth", "2", "--runtime", "1", "--size", "4M",
                        "--iommu", "off", "--smart");
        String out = text.toString();
        assertEquals(0, code, out);
        NvmeJobResult r = NvmeBench.run(new NvmeJob("randwrite", 4096, 2, 1, 4L << 20, 1_000_000L, "off", false, 1), ns -> { });
        assertTrue(out.contains("host_write_commands     " + r.ios() + "\n"), out);
        long units = (r.ios() * 8 + 999) / 1000;
        assertTrue(out.contains("data_units_written      " + units + "\n"), "4K = 8 units of 512, thousands rounded up: " + out);
        assertTrue(out.contains("num_err_log_entries     0"), out);
        assertEquals(r.ios(), r.smart().hostWriteCommands());
    }
}
