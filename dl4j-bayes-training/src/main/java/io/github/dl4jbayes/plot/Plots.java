package io.github.dl4jbayes.plot;

import io.github.dl4jbayes.metrics.ClassificationMetrics;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.Histogram;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The pictures of a Bayesian network, drawn with XChart: data scatter, ELBO trace, predictive surfaces over a grid,
 * weight traces and histograms, the reliability diagram. Each method returns the chart, for further styling;
 * {@link #save} writes it as PNG.
 */
public final class Plots {
    private static final Color CLASS_0 = new Color(31, 119, 180);
    private static final Color CLASS_1 = new Color(255, 127, 14);
    private static final Color[] TRACE_COLORS = {CLASS_0, CLASS_1, new Color(44, 160, 44)};
    private static final int SMOOTHING = 200;
    private static final int WIDTH = 900;
    private static final int HEIGHT = 700;

    private Plots() {
    }

    /** One series of 2-D points, per class. */
    public static XYChart scatter(String title, double[][] points, double[] labels) {
        XYChart chart = base(title, "x1", "x2");
        addClasses(chart, points, labels, "class", 6);
        return chart;
    }

    /** ELBO against iteration, one line per named trace; the first steps' very low values are clipped. */
    public static XYChart elbo(String title, List<String> names, List<long[]> iterations, List<double[]> elbos) {
        XYChart chart = base(title, "iteration", "ELBO");
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setXAxisDecimalPattern("#,##0");
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < names.size(); k++) {
            double[] y = elbos.get(k);
            double[] x = Arrays.stream(iterations.get(k)).asDoubleStream().toArray();
            XYSeries s = chart.addSeries(names.get(k), x, y);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineWidth(0.5f);
            s.setLineColor(withAlpha(TRACE_COLORS[k % TRACE_COLORS.length], 90));
            XYSeries smooth = chart.addSeries(names.get(k) + ", moving mean of " + SMOOTHING, x,
                    movingMean(y, SMOOTHING));
            smooth.setMarker(SeriesMarkers.NONE);
            smooth.setLineWidth(2.5f);
            smooth.setLineColor(TRACE_COLORS[k % TRACE_COLORS.length].darker());
            double[] sorted = y.clone();
            Arrays.sort(sorted);
            low = Math.min(low, sorted[(int) (0.02 * (sorted.length - 1))]);
            high = Math.max(high, sorted[sorted.length - 1]);
        }
        double pad = 0.05 * (high - low);
        chart.getStyler().setYAxisMin(low - pad);
        chart.getStyler().setYAxisMax(high + pad);
        return chart;
    }

    /**
     * A surface over a square grid, drawn as tiles binned into {@code levels} colour levels (the legend is the
     * colour bar), with points on top coloured by class.
     *
     * @param grid    the grid points, {@code [cells][2]}, on a regular {@code side x side} lattice
     * @param values  the surface value at each grid point
     * @param low     the value of the first colour
     * @param high    the value of the last colour
     * @param points  points to draw on top, {@code [n][2]}
     * @param classes their classes (0 or 1)
     */
    public static XYChart surface(String title, String valueName, double[][] grid, double[] values, int side, double low,
                           double high, int levels, double[][] points, double[] classes) {
        XYChart chart = base(title, "x1", "x2");
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        double span = grid[grid.length - 1][0] - grid[0][0];
        chart.getStyler().setXAxisMin(grid[0][0]);
        chart.getStyler().setXAxisMax(grid[grid.length - 1][0]);
        chart.getStyler().setYAxisMin(grid[0][1]);
        chart.getStyler().setYAxisMax(grid[grid.length - 1][1]);
        int plotPixels = HEIGHT - 110;
        chart.getStyler().setMarkerSize((int) Math.ceil(plotPixels * 1.15 * (span / (side - 1)) / span));
        for (int level = levels - 1; level >= 0; level--) {
            double from = low + (high - low) * level / levels;
            double to = low + (high - low) * (level + 1) / levels;
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < values.length; i++) {
                int bin = (int) Math.floor((values[i] - low) / (high - low) * levels);
                if (Math.max(0, Math.min(levels - 1, bin)) == level) {
                    xs.add(grid[i][0]);
                    ys.add(grid[i][1]);
                }
            }
            String name = String.format(Locale.ROOT, "%s %.2f-%.2f", valueName, from, to);
            XYSeries s = xs.isEmpty() ? chart.addSeries(name, new double[]{Double.NaN}, new double[]{Double.NaN})
                    : chart.addSeries(name, xs, ys);
            s.setMarker(SeriesMarkers.SQUARE);
            s.setMarkerColor(colormap((level + 0.5) / levels));
        }
        addClasses(chart, points, classes, "test, predicted", 7);
        return chart;
    }

    /** Traces of a few weights: value against draw index. */
    public static XYChart traces(String title, List<String> names, List<double[]> draws) {
        XYChart chart = base(title, "draw", "weight value");
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        for (int k = 0; k < names.size(); k++) {
            double[] y = draws.get(k);
            double[] x = new double[y.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i;
            }
            XYSeries s = chart.addSeries(names.get(k), x, y);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineWidth(0.6f);
        }
        return chart;
    }

    /** Histograms of a few weights' draws, overlaid. */
    public static CategoryChart histograms(String title, List<String> names, List<double[]> draws, int bins) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("weight value").yAxisTitle("draws").build();
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLabelRotation(60);
        chart.getStyler().setXAxisDecimalPattern("0.00");
        chart.getStyler().setXAxisMaxLabelCount(12);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double[] d : draws) {
            for (double v : d) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        for (int k = 0; k < names.size(); k++) {
            List<Double> data = new ArrayList<>();
            for (double v : draws.get(k)) {
                data.add(v);
            }
            Histogram h = new Histogram(data, bins, min, max);
            chart.addSeries(names.get(k), h.getxAxisData(), h.getyAxisData());
        }
        return chart;
    }

    /**
     * Writes several charts side by side in one PNG (one row), e.g. two maps to compare.
     *
     * @return the file written, {@code dir/name.png}
     */
    public static Path saveSideBySide(List<? extends Chart<?, ?>> charts, Path dir, String name) {
        if (charts.isEmpty()) {
            throw new IllegalArgumentException("charts must not be empty");
        }
        Path file = dir.resolve(name + ".png");
        try {
            BitmapEncoder.saveBitmap(new ArrayList<>(charts), 1, charts.size(), file.toString(),
                    BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
        return file;
    }

    /** Writes {@code chart} as {@code dir/name.png} and returns the file. */
    public static Path save(Chart<?, ?> chart, Path dir, String name) {
        Path file = dir.resolve(name + ".png");
        try {
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
        return file;
    }

    private static XYChart base(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesVisible(false);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        return chart;
    }

    private static void addClasses(XYChart chart, double[][] points, double[] classes, String label, int size) {
        for (int c = 0; c < 2; c++) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < points.length; i++) {
                if ((int) classes[i] == c) {
                    xs.add(points[i][0]);
                    ys.add(points[i][1]);
                }
            }
            if (xs.isEmpty()) {
                continue;
            }
            XYSeries s = chart.addSeries(label + " " + c, xs, ys);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(c == 0 ? CLASS_0 : CLASS_1);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        }
        chart.getStyler().setMarkerSize(Math.max(chart.getStyler().getMarkerSize(), size));
    }

    private static Color withAlpha(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    /** Trailing moving mean over {@code window} points (fewer at the start). */
    public static double[] movingMean(double[] y, int window) {
        double[] out = new double[y.length];
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += y[i];
            if (i >= window) {
                sum -= y[i - window];
            }
            out[i] = sum / Math.min(i + 1, window);
        }
        return out;
    }

    /**
     * The reliability diagram: accuracy against mean confidence per confidence bin, with the diagonal of perfect
     * calibration; the legend gives the expected calibration error.
     */
    public static XYChart reliabilityDiagram(String title, ClassificationMetrics.Reliability reliability, double ece) {
        XYChart chart = base(title, "confidence", "accuracy");
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(1.0);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        XYSeries diagonal = chart.addSeries("perfect calibration", new double[]{0, 1}, new double[]{0, 1});
        diagonal.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        diagonal.setMarker(SeriesMarkers.NONE);
        diagonal.setLineColor(Color.GRAY);
        List<Double> conf = new ArrayList<>();
        List<Double> acc = new ArrayList<>();
        for (int b = 0; b < reliability.counts().length; b++) {
            if (reliability.counts()[b] > 0) {
                conf.add(reliability.confidence()[b]);
                acc.add(reliability.accuracy()[b]);
            }
        }
        XYSeries bins = chart.addSeries(String.format(Locale.ROOT, "bins (ECE = %.4f)", ece), conf, acc);
        bins.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        bins.setMarker(SeriesMarkers.CIRCLE);
        bins.setLineColor(CLASS_0);
        bins.setMarkerColor(CLASS_0);
        return chart;
    }

    /** A perceptually ordered colour map (dark blue, teal, green, yellow), {@code t} in [0, 1]. */
    public static Color colormap(double t) {
        double[][] anchors = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
        double x = Math.max(0, Math.min(1, t)) * (anchors.length - 1);
        int i = Math.min(anchors.length - 2, (int) Math.floor(x));
        double f = x - i;
        return new Color((int) Math.round(anchors[i][0] + f * (anchors[i + 1][0] - anchors[i][0])),
                (int) Math.round(anchors[i][1] + f * (anchors[i + 1][1] - anchors[i][1])),
                (int) Math.round(anchors[i][2] + f * (anchors[i + 1][2] - anchors[i][2])));
    }
}
