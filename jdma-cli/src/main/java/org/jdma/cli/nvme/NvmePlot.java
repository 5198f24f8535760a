package org.jdma.cli.nvme;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/** The queue-depth sweep as a PNG: IOPS (left axis) and p99 completion latency (right axis) against queue depth. */
public final class NvmePlot {

    /** Size of the PNG, pixels. */
    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;

    private NvmePlot() { }

    /** Writes {@code file} (".png" added when missing) for {@code curve}, one point per queue depth. */
    public static void plot(Path file, List<NvmeJobResult> curve) throws IOException {
        if (curve.isEmpty()) {
            throw new IllegalArgumentException("nothing to plot: the sweep has no results");
        }
        System.setProperty("java.awt.headless", "true");
        NvmeJob j = curve.getFirst().job();
        String title = String.format(Locale.ROOT, "jdma run nvme --sweep: %s, bs %d, %d job(s), IOMMU %s", j.rw(), j.bs(), j.numjobs(),
                j.iommu());
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("queue depth (I/Os in flight per job)")
                .build();
        chart.setYAxisGroupTitle(0, "IOPS (I/Os per modeled second)");
        chart.setYAxisGroupTitle(1, "p99 completion latency, us");
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        double[] depth = curve.stream().mapToDouble(r -> r.job().iodepth()).toArray();
        double[] iops = curve.stream().mapToDouble(NvmeJobResult::iops).toArray();
        double[] p99 = curve.stream().mapToDouble(r -> r.latency().getValueAtPercentile(99) / 1e3).toArray();
        chart.addSeries("IOPS", depth, iops).setYAxisGroup(0);
        chart.addSeries("p99 latency (us)", depth, p99).setYAxisGroup(1);
        String name = file.toString();
        String base = name.toLowerCase(Locale.ROOT).endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
    }
}
