package org.jdma.cli.nic;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jdma.cli.options.IommuModeNames;
import org.jdma.cli.plot.Charts;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.machine.Machine;
import org.jdma.machine.net.LinkParameters;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code --sweep}: the scenario for IOMMU off, strict, lazy and pass-through at each frame size,
 * once with the applications polling (ixy) and once receiving through NAPI, as a table per receive
 * path of forwarded Mpps, Gbit/s and modeled CPU ns per packet, and optionally a PNG plot.
 */
final class NicSweep {

    static final List<NicRxPath> PATHS = List.of(NicRxPath.POLL, NicRxPath.NAPI);
    static final List<IommuMode> MODES = List.of(IommuMode.OFF, IommuMode.STRICT, IommuMode.LAZY, IommuMode.IDENTITY);
    static final int[] SIZES = {64, 128, 256, 512, 1024, 1518};

    /** One column of the sweep: a receive path and an IOMMU mode. */
    record Column(NicRxPath path, IommuMode iommu) {
        String label() {
            return IommuModeNames.label(iommu) + " " + path.name().toLowerCase(Locale.ROOT);
        }
    }

    private NicSweep() { }

    /** Runs in the sweep: every path, mode and size. */
    static int runs() {
        return PATHS.size() * MODES.size() * SIZES.length;
    }

    /** Results by path and mode (paths in {@link #PATHS} order), each with one entry per size in {@link #SIZES} order. */
    static Map<Column, List<NicResult>> run(NicScenario base, Runnable onRun, UnaryOperator<Machine> watch) throws IOException {
        Map<Column, List<NicResult>> results = new LinkedHashMap<>();
        for (NicRxPath path : PATHS) {
            for (IommuMode mode : MODES) {
                List<NicResult> row = new ArrayList<>();
                for (int size : SIZES) {
                    row.add(NicRun.run(base.with(path).with(mode, size), x -> { }, watch));
                    onRun.run();
                }
                results.put(new Column(path, mode), row);
            }
        }
        return results;
    }

    /** A table per receive path: frame sizes as rows, IOMMU modes as columns. */
    static void table(PrintWriter out, Map<Column, List<NicResult>> results) {
        for (NicRxPath path : PATHS) {
            out.printf("Sweep, %s: forwarded Mpps / Gbit/s / modeled CPU ns per packet, by frame size (rows) and IOMMU mode (columns)%n",
                    path == NicRxPath.POLL ? "the applications poll (ixy)" : "received through NAPI");
            StringBuilder head = new StringBuilder(String.format("  %6s", "bytes"));
            for (Column c : results.keySet()) {
                if (c.path() == path) {
                    head.append(String.format(" | %-30s", c.label()));
                }
            }
            out.println(head);
            for (int i = 0; i < SIZES.length; i++) {
                StringBuilder line = new StringBuilder(String.format("  %6d", SIZES[i]));
                for (Map.Entry<Column, List<NicResult>> e : results.entrySet()) {
                    if (e.getKey().path() == path) {
                        NicSample t = e.getValue().get(i).total();
                        line.append(String.format(" | %7.3f Mpps %6.2f G %5.0f ns", t.mpps(), t.gbpsAb() + t.gbpsBa(), t.cpuNs()));
                    }
                }
                out.println(line);
            }
        }
        out.flush();
    }

    /** Forwarded Mpps against frame size, a line per IOMMU mode and receive path (NAPI dashed) and one for line rate, as a PNG. */
    static void plot(Path file, Map<Column, List<NicResult>> results) throws IOException {
        XYChart chart = Charts.xy("jdma run nic fwd: IOMMU modes, polling and NAPI", "frame size, bytes (FCS included)",
                "forwarded Mpps");
        double[] x = new double[SIZES.length];
        double[] line = new double[SIZES.length];
        for (int i = 0; i < SIZES.length; i++) {
            x[i] = SIZES[i];
            line[i] = LinkParameters.DEFAULT.lineRatePps(SIZES[i] - NicScenario.FCS_BYTES) / 1e6;
        }
        chart.addSeries("10 GbE line rate", x, line).setMarker(SeriesMarkers.NONE);
        for (Map.Entry<Column, List<NicResult>> e : results.entrySet()) {
            double[] y = e.getValue().stream().mapToDouble(r -> r.total().mpps()).toArray();
            XYSeries s = chart.addSeries("IOMMU " + e.getKey().label(), x, y);
            if (e.getKey().path() == NicRxPath.NAPI) {
                s.setLineStyle(SeriesLines.DASH_DASH);
            }
        }
        Charts.savePng(chart, file);
    }
}
