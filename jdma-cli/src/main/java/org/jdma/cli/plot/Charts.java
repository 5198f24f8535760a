package org.jdma.cli.plot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;

/** Charts of {@link #WIDTH} x {@link #HEIGHT} pixels, written as PNG without a display. */
public final class Charts {

    /** Plot size in pixels. */
    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;

    private Charts() { }

    /** A line chart with its title and axis titles (say the unit in each axis title). */
    public static XYChart xy(String title, String xAxis, String yAxis) {
        headless();
        return new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xAxis).yAxisTitle(yAxis).build();
    }

    /** A bar chart with its title and axis titles. */
    public static CategoryChart bars(String title, String xAxis, String yAxis) {
        headless();
        return new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xAxis).yAxisTitle(yAxis).build();
    }

    /** Writes {@code chart} to {@code file} as PNG ({@code .png} is added unless the name has it). */
    public static void savePng(Chart<?, ?> chart, Path file) throws IOException {
        headless();
        String name = file.toString();
        String base = name.toLowerCase(Locale.ROOT).endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
    }

    private static void headless() {
        System.setProperty("java.awt.headless", "true");
    }
}
