package io.github.dl4jbayes.plot;

import io.github.dl4jbayes.internal.ArgumentChecks;
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

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.RenderedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The pictures of a Bayesian network, drawn with XChart: data scatter, ELBO trace, predictive surfaces over a grid,
 * weight traces and histograms (or any overlaid histograms), the reliability diagram, and a captioned grid of
 * grayscale images (plain {@code java.awt}). Each method returns the chart or picture, for further styling;
 * {@link #save(Chart, Path, String)} and {@link #save(RenderedImage, Path, String)} write it as PNG.
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

    /**
     * Lines with markers, one per named series, e.g. accuracy against the fraction of weights pruned, or a learning
     * curve against the number of training examples.
     *
     * @param names one legend name per series
     * @param xs    each series' x values
     * @param ys    each series' y values (same lengths as its x values)
     * @param logX  whether the x axis is logarithmic (all x values must then be &gt; 0)
     */
    public static XYChart curves(String title, String xTitle, String yTitle, List<String> names, List<double[]> xs,
                                 List<double[]> ys, boolean logX) {
        if (names == null || xs == null || ys == null || names.isEmpty() || names.size() != xs.size()
                || names.size() != ys.size()) {
            throw new IllegalArgumentException("names, xs and ys must be non-empty lists of the same size");
        }
        XYChart chart = base(title, xTitle, yTitle);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        for (int k = 0; k < names.size(); k++) {
            if (xs.get(k).length != ys.get(k).length) {
                throw new IllegalArgumentException("series " + names.get(k) + ": " + xs.get(k).length + " x values but "
                        + ys.get(k).length + " y values");
            }
            XYSeries s = chart.addSeries(names.get(k), xs.get(k), ys.get(k));
            s.setLineWidth(2f);
        }
        return chart;
    }

    /**
     * Adds a band to an XY chart, drawn as its two edges in one colour (one legend entry), e.g. a predictive interval.
     *
     * @param x    the x values
     * @param low  the band's lower edge at each x
     * @param high the band's upper edge at each x
     */
    public static void band(XYChart chart, String name, double[] x, double[] low, double[] high, Color color) {
        if (x.length != low.length || x.length != high.length) {
            throw new IllegalArgumentException("band " + name + ": " + x.length + " x values, " + low.length
                    + " lower and " + high.length + " upper edge values");
        }
        XYSeries upper = chart.addSeries(name, x, high);
        XYSeries lower = chart.addSeries(name + " (lower edge)", x, low);
        for (XYSeries s : new XYSeries[]{upper, lower}) {
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(color);
            s.setLineWidth(2f);
        }
        lower.setShowInLegend(false);
    }

    /** Histograms of a few weights' draws, overlaid. */
    public static CategoryChart histograms(String title, List<String> names, List<double[]> draws, int bins) {
        return histograms(title, "weight value", "draws", names, draws, bins, false);
    }

    /**
     * Overlaid histograms of several samples over common bins spanning all of them, e.g. the mutual information of
     * in-distribution test images against that of images of held-out classes.
     *
     * @param xTitle    the title of the value axis
     * @param yTitle    the title of the count axis
     * @param names     one legend name per sample
     * @param values    the samples (same size as {@code names}, each non-empty, no NaN)
     * @param bins      the number of equal-width bins (&gt; 0)
     * @param fractions whether each histogram shows the fraction of its own sample per bin (so that samples of
     *                  different sizes compare) instead of counts
     */
    public static CategoryChart histograms(String title, String xTitle, String yTitle, List<String> names,
                                           List<double[]> values, int bins, boolean fractions) {
        if (names == null || values == null || names.size() != values.size() || names.isEmpty()) {
            throw new IllegalArgumentException("names and values must be non-empty lists of the same size");
        }
        ArgumentChecks.positive("bins", bins);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < values.size(); k++) {
            double[] d = values.get(k);
            if (d == null || d.length == 0) {
                throw new IllegalArgumentException("values[" + k + "] (" + names.get(k) + ") must not be empty");
            }
            for (double v : d) {
                if (Double.isNaN(v)) {
                    throw new IllegalArgumentException("values[" + k + "] (" + names.get(k) + ") holds NaN");
                }
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (!(max > min)) {
            // one value everywhere: XChart's Histogram needs a range
            max = min + 1;
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLabelRotation(60);
        // enough decimals to tell neighbouring bins apart (at least two, as before)
        int decimals = (int) Math.max(2, Math.min(8, Math.ceil(-Math.log10((max - min) / bins))));
        chart.getStyler().setXAxisDecimalPattern("0." + "0".repeat(decimals));
        chart.getStyler().setXAxisMaxLabelCount(12);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        for (int k = 0; k < names.size(); k++) {
            double[] d = values.get(k);
            List<Double> data = new ArrayList<>(d.length);
            for (double v : d) {
                data.add(v);
            }
            Histogram h = new Histogram(data, bins, min, max);
            List<Double> y = h.getyAxisData();
            if (fractions) {
                List<Double> scaled = new ArrayList<>(y.size());
                for (Double count : y) {
                    scaled.add(count / d.length);
                }
                y = scaled;
            }
            chart.addSeries(names.get(k), h.getxAxisData(), y);
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

    /**
     * A grid of grayscale images, {@code columns} per row, each with a caption under it, e.g. the most and the least
     * certain test images of a classifier with their true and predicted classes and uncertainty. Each image is
     * scaled up by a whole factor (nearest neighbour) to about 84 pixels; a white page, black text.
     *
     * <pre>{@code
     * BufferedImage grid = Plots.imageGrid("Most and least certain test images", pixels, 28, 28, captions, 8,
     *         List.of("8 most certain (lowest MI)", "8 least certain (highest MI)"));
     * Plots.save(grid, out, "certain_uncertain");
     * }</pre>
     *
     * @param title     drawn above the grid; null or empty for none
     * @param images    {@code [n][height * width]} pixel values, row by row, 0 black and 1 white (values outside
     *                  [0, 1] are clipped; NaN is rejected); n &gt; 0
     * @param height    image height in pixels (&gt; 0)
     * @param width     image width in pixels (&gt; 0)
     * @param captions  one caption per image (null for no captions; a null entry for none under that image); a
     *                  {@code '\n'} starts a new line
     * @param columns   images per row (&gt; 0); the last row may be shorter
     * @param rowTitles a title drawn above each row (null for none; otherwise at most one per row, null entries
     *                  for none)
     * @return the picture, written as PNG by {@link #save(RenderedImage, Path, String)}
     * @throws IllegalArgumentException on an empty image list, an image of the wrong length, NaN pixels, or
     *                                  caption or row title lists of the wrong size; the message names the argument
     */
    public static BufferedImage imageGrid(String title, double[][] images, int height, int width, List<String> captions,
                                          int columns, List<String> rowTitles) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("height and width must be > 0, got " + height + " x " + width);
        }
        ArgumentChecks.positive("columns", columns);
        if (images == null || images.length == 0) {
            throw new IllegalArgumentException("images must not be empty");
        }
        for (int i = 0; i < images.length; i++) {
            if (images[i] == null || images[i].length != height * width) {
                throw new IllegalArgumentException("images[" + i + "] must hold height * width = " + height * width
                        + " pixels, got " + (images[i] == null ? "null" : images[i].length));
            }
            for (double v : images[i]) {
                if (Double.isNaN(v)) {
                    throw new IllegalArgumentException("images[" + i + "] holds NaN");
                }
            }
        }
        if (captions != null && captions.size() != images.length) {
            throw new IllegalArgumentException("captions must hold one caption per image (" + images.length + "), got "
                    + captions.size());
        }
        int rows = (images.length + columns - 1) / columns;
        if (rowTitles != null && rowTitles.size() > rows) {
            throw new IllegalArgumentException("rowTitles holds " + rowTitles.size() + " titles for " + rows + " rows");
        }
        int scale = Math.max(1, (int) Math.ceil(84.0 / Math.max(height, width)));
        int imageWidth = width * scale;
        int imageHeight = height * scale;
        Font captionFont = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        Font rowFont = new Font(Font.SANS_SERIF, Font.BOLD, 14);
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 16);

        // measure the captions on a scratch image: the cell is as wide as the widest caption line
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D measure = scratch.createGraphics();
        FontMetrics captionMetrics = measure.getFontMetrics(captionFont);
        FontMetrics rowMetrics = measure.getFontMetrics(rowFont);
        FontMetrics titleMetrics = measure.getFontMetrics(titleFont);
        int cellWidth = imageWidth;
        int captionLines = 0;
        for (int i = 0; captions != null && i < captions.size(); i++) {
            String[] lines = lines(captions.get(i));
            captionLines = Math.max(captionLines, lines.length);
            for (String line : lines) {
                cellWidth = Math.max(cellWidth, captionMetrics.stringWidth(line));
            }
        }
        measure.dispose();
        int gap = 12;
        cellWidth += gap;
        int lineHeight = captionMetrics.getHeight();
        int rowTitleHeight = rowTitles == null ? 0 : rowMetrics.getHeight() + 4;
        int cellHeight = rowTitleHeight + imageHeight + 4 + captionLines * lineHeight + gap;
        boolean hasTitle = title != null && !title.isEmpty();
        int titleHeight = hasTitle ? titleMetrics.getHeight() + 10 : 0;
        int margin = 10;
        int pageWidth = Math.max(2 * margin + Math.min(columns, images.length) * cellWidth,
                hasTitle ? 2 * margin + titleMetrics.stringWidth(title) : 0);
        int pageHeight = 2 * margin + titleHeight + rows * cellHeight;

        BufferedImage page = new BufferedImage(pageWidth, pageHeight, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = page.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, pageWidth, pageHeight);
            g.setColor(Color.BLACK);
            if (hasTitle) {
                g.setFont(titleFont);
                g.drawString(title, margin, margin + titleMetrics.getAscent());
            }
            for (int r = 0; r < rows; r++) {
                int top = margin + titleHeight + r * cellHeight;
                String rowTitle = rowTitles != null && r < rowTitles.size() ? rowTitles.get(r) : null;
                if (rowTitle != null) {
                    g.setColor(Color.BLACK);
                    g.setFont(rowFont);
                    g.drawString(rowTitle, margin, top + rowMetrics.getAscent());
                }
                for (int c = 0; c < columns; c++) {
                    int i = r * columns + c;
                    if (i >= images.length) {
                        break;
                    }
                    int left = margin + c * cellWidth + (cellWidth - gap - imageWidth) / 2;
                    int imageTop = top + rowTitleHeight;
                    g.drawImage(gray(images[i], height, width), left, imageTop, imageWidth, imageHeight, null);
                    g.setColor(Color.GRAY);
                    g.drawRect(left - 1, imageTop - 1, imageWidth + 1, imageHeight + 1);
                    g.setColor(Color.BLACK);
                    g.setFont(captionFont);
                    String[] lines = captions == null ? new String[0] : lines(captions.get(i));
                    for (int l = 0; l < lines.length; l++) {
                        int textLeft = margin + c * cellWidth + (cellWidth - gap - captionMetrics.stringWidth(lines[l])) / 2;
                        g.drawString(lines[l], textLeft,
                                imageTop + imageHeight + 4 + l * lineHeight + captionMetrics.getAscent());
                    }
                }
            }
        } finally {
            g.dispose();
        }
        return page;
    }

    private static String[] lines(String caption) {
        return caption == null || caption.isEmpty() ? new String[0] : caption.split("\n", -1);
    }

    /** One grayscale image from values in [0, 1] (clipped), 0 black, as RGB (no gray colour-space conversion). */
    private static BufferedImage gray(double[] pixels, int height, int width) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int v = (int) Math.round(255 * Math.max(0, Math.min(1, pixels[y * width + x])));
                image.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        return image;
    }

    /**
     * Writes an image (e.g. from {@link #imageGrid}) as {@code dir/name.png} and returns the file.
     *
     * @throws UncheckedIOException if it cannot be written
     */
    public static Path save(RenderedImage image, Path dir, String name) {
        Path file = dir.resolve(name + ".png");
        try {
            if (!ImageIO.write(image, "png", file.toFile())) {
                throw new IOException("no PNG writer for this image");
            }
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
