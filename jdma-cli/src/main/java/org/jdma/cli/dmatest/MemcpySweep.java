package org.jdma.cli.dmatest;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jdma.cli.options.IommuModeNames;
import org.jdma.cli.plot.Charts;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.XYStyler;

/**
 * {@code jdma run memcpy --sweep}: {@code count} copies of each size in {@link #SIZES} under each
 * IOMMU mode of {@link #MODES}, each copy mapped before and unmapped after as dmatest does, on a
 * fresh default machine per point. Reports modeled throughput (bytes / simulated ns) and
 * simulated ns per copy; the destination is checked byte for byte against the source after each
 * point's last copy.
 */
public final class MemcpySweep {

    /** Copy sizes in bytes: a sub-page copy, one page, then up to 1 MiB. */
    public static final long[] SIZES = {512, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20};
    public static final List<IommuMode> MODES = List.of(IommuMode.OFF, IommuMode.IDENTITY, IommuMode.LAZY, IommuMode.STRICT);

    /** One point: {@code copies} copies of {@code size} bytes took {@code simulatedNs}; {@code failures} went wrong. */
    public record Point(IommuMode mode, long size, int copies, long simulatedNs, int failures) {
        /** Modeled throughput, GB/s (bytes per simulated ns). */
        public double gbPerS() {
            return simulatedNs == 0 ? 0 : size * (double) copies / simulatedNs;
        }

        public double nsPerCopy() {
            return copies == 0 ? 0 : simulatedNs / (double) copies;
        }
    }

    private MemcpySweep() { }

    /** Every point, by mode in {@link #MODES} order, sizes in {@link #SIZES} order; {@code onPoint} runs after each. */
    public static Map<IommuMode, List<Point>> run(int count, long seed, boolean polled, Runnable onPoint) {
        Map<IommuMode, List<Point>> out = new LinkedHashMap<>();
        for (IommuMode mode : MODES) {
            List<Point> row = new ArrayList<>();
            for (long size : SIZES) {
                row.add(point(mode, size, count, seed, polled));
                onPoint.run();
            }
            out.put(mode, row);
        }
        return out;
    }

    static Point point(IommuMode mode, long size, int count, long seed, boolean polled) {
        try (Machine machine = new Machine(MachineConfig.defaults().withSeed(seed));
             Arena arena = Arena.ofConfined()) {
            Kernel kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(mode).withDriver(CopyEngineDriver.driver(
                    CopyEngineDriver.Options.DEFAULTS.withMode(polled ? CopyEngineDriver.CompletionMode.POLLED
                            : CopyEngineDriver.CompletionMode.INTERRUPT))));
            CopyEngineDriver driver = kernel.copyEngine();
            DeviceDmaApi dma = driver.dma();
            int failures = 0;
            long simulatedNs = 0;
            try (DmaBuffer src = kernel.memory().allocate(size, 4096);
                 DmaBuffer dst = kernel.memory().allocate(size, 4096)) {
                MemorySegment image = arena.allocate(size);
                for (long i = 0; i < size; i++) {
                    image.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + 7));
                }
                kernel.cpu().write(src.physicalAddress(), image, 0, size);
                for (int i = 0; i < count; i++) {
                    long s = dma.mapSingle(src.physicalAddress(), size, DmaDirection.TO_DEVICE);
                    long d = dma.mapSingle(dst.physicalAddress(), size, DmaDirection.FROM_DEVICE);
                    long t0 = machine.clock().now();
                    OpResult r = dma.mappingError(s) || dma.mappingError(d) ? null : driver.execute(Descriptor.memmove(s, d, size));
                    simulatedNs += machine.clock().now() - t0;
                    failures += r != null && r.isSuccess() ? 0 : 1;
                    if (!dma.mappingError(s)) {
                        dma.unmapSingle(s, size, DmaDirection.TO_DEVICE);
                    }
                    if (!dma.mappingError(d)) {
                        dma.unmapSingle(d, size, DmaDirection.FROM_DEVICE);
                    }
                }
                MemorySegment back = arena.allocate(size);
                kernel.cpu().read(dst.physicalAddress(), back, 0, size);
                if (back.mismatch(image) != -1) {
                    failures++;
                }
            } finally {
                kernel.close();
            }
            return new Point(mode, size, count, simulatedNs, failures);
        }
    }

    public static void table(PrintWriter out, Map<IommuMode, List<Point>> results) {
        out.println("Sweep: modeled GB/s and simulated ns per copy, by copy size (rows) and IOMMU mode (columns)");
        StringBuilder head = new StringBuilder(String.format("  %8s", "bytes"));
        for (IommuMode m : results.keySet()) {
            head.append(String.format(" | %-22s", IommuModeNames.label(m)));
        }
        out.println(head);
        for (int i = 0; i < SIZES.length; i++) {
            StringBuilder line = new StringBuilder(String.format("  %8d", SIZES[i]));
            for (List<Point> row : results.values()) {
                Point p = row.get(i);
                line.append(String.format(Locale.ROOT, " | %6.2f GB/s %8.0f ns", p.gbPerS(), p.nsPerCopy()));
            }
            out.println(line);
        }
        out.flush();
    }

    /** Modeled throughput against copy size (log scale), a line per IOMMU mode, as a PNG. */
    public static void plot(Path file, Map<IommuMode, List<Point>> results) throws IOException {
        XYChart chart = Charts.xy("jdma run memcpy --sweep: copy engine, IOMMU modes", "copy size, bytes (log scale)",
                "modeled throughput, GB/s");
        XYStyler styler = chart.getStyler();
        styler.setXAxisLogarithmic(true);
        double[] x = new double[SIZES.length];
        for (int i = 0; i < SIZES.length; i++) {
            x[i] = SIZES[i];
        }
        for (Map.Entry<IommuMode, List<Point>> e : results.entrySet()) {
            chart.addSeries("IOMMU " + IommuModeNames.label(e.getKey()), x, e.getValue().stream().mapToDouble(Point::gbPerS).toArray());
        }
        Charts.savePng(chart, file);
    }
}
