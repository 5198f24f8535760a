package org.jdma.cli.nic;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdma.cli.options.IommuModeNames;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.cli.plot.Charts;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code --sweep}: the scenario for IOMMU off, strict, lazy and pass-through at each frame size,
 * as a table of forwarded Mpps, Gbit/s and modeled CPU ns per packet, and optionally a PNG plot.
 */
final class NicSweep {

    static final List<IommuMode> MODES = List.of(IommuMode.OFF, IommuMode.STRICT, IommuMode.LAZY, IommuMode.IDENTITY);
    static final int[] SIZES = {64, 128, 256, 512, 1024, 1518};

    private NicSweep() { }

    /** Results by mode, each with one entry per size in {@link #SIZES} order. */
    static Map<IommuMode, List<NicResult>> run(NicScenario base, Runnable onRun,
            java.util.function.UnaryOperator<org.jdma.machine.Machine> watch) throws IOException {
        Map<IommuMode, List<NicResult>> results = new LinkedHashMap<>();
        for (IommuMode mode : MODES) {
            List<NicResult> row = new ArrayList<>();
            for (int size : SIZES) {
                row.add(NicRun.run(base.with(mode, size), x -> { }, watch));
                onRun.run();
            }
            results.put(mode, row);
        }
        return results;
    }

    static void table(PrintWriter out, Map<IommuMode, List<NicResult>> results) {
        out.println("Sweep: forwarded Mpps / Gbit/s / modeled CPU ns per packet, by frame size (rows) and IOMMU mode (columns)");
        StringBuilder head = new StringBuilder(String.format("  %6s", "bytes"));
        for (IommuMode m : results.keySet()) {
            head.append(String.format(" | %-30s", IommuModeNames.label(m)));
        }
        out.println(head);
        for (int i = 0; i < SIZES.length; i++) {
            StringBuilder line = new StringBuilder(String.format("  %6d", SIZES[i]));
            for (List<NicResult> row : results.values()) {
                NicSample t = row.get(i).total();
                line.append(String.format(" | %7.3f Mpps %6.2f G %5.0f ns", t.mpps(), t.gbpsAb() + t.gbpsBa(), t.cpuNs()));
            }
            out.println(line);
        }
        out.flush();
    }

    /** Forwarded Mpps against frame size, a line per IOMMU mode and one for line rate, as a PNG. */
    static void plot(Path file, Map<IommuMode, List<NicResult>> results) throws IOException {
        XYChart chart = Charts.xy("jdma run nic fwd: IOMMU modes", "frame size, bytes (FCS included)", "forwarded Mpps");
        double[] x = new double[SIZES.length];
        double[] line = new double[SIZES.length];
        for (int i = 0; i < SIZES.length; i++) {
            x[i] = SIZES[i];
            line[i] = org.jdma.machine.net.LinkParameters.DEFAULT.lineRatePps(SIZES[i] - NicScenario.FCS_BYTES) / 1e6;
        }
        chart.addSeries("10 GbE line rate", x, line).setMarker(SeriesMarkers.NONE);
        for (Map.Entry<IommuMode, List<NicResult>> e : results.entrySet()) {
            double[] y = e.getValue().stream().mapToDouble(r -> r.total().mpps()).toArray();
            chart.addSeries("IOMMU " + IommuModeNames.label(e.getKey()), x, y);
        }
        Charts.savePng(chart, file);
    }
}
