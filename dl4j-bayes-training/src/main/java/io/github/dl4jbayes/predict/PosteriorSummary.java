package io.github.dl4jbayes.predict;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A summary of posterior draws in the manner of ArviZ's {@code summary}: for every weight and bias, the mean, the
 * standard deviation and the highest-density interval (HDI: the shortest interval holding the given share of the
 * draws), as rows of a text table or a CSV file.
 *
 * <pre>{@code
 * PosteriorSummary summary = PosteriorSummary.of(PosteriorDraws.sample(net, 5000, 0), 0.94);
 * System.out.println(summary.toTable());
 * summary.writeCsv(Path.of("weights.csv"));
 * }</pre>
 */
public final class PosteriorSummary {
    /** One parameter's summary. */
    public record Row(String name, double mean, double sd, double hdiLow, double hdiHigh) {
    }

    private final List<Row> rows;
    private final double hdiProbability;

    private PosteriorSummary(List<Row> rows, double hdiProbability) {
        this.rows = rows;
        this.hdiProbability = hdiProbability;
    }

    /**
     * @param draws          posterior draws of the weights
     * @param hdiProbability the share of the draws the interval holds, in (0, 1); ArviZ's default is 0.94
     * @return one row per weight and bias, named like {@code 0_W[1,3]} and {@code 2_b[0]}
     */
    public static PosteriorSummary of(PosteriorDraws draws, double hdiProbability) {
        if (!(hdiProbability > 0 && hdiProbability < 1)) {
            throw new IllegalArgumentException("hdiProbability must be in (0, 1), got " + hdiProbability);
        }
        List<Row> rows = new ArrayList<>();
        for (String name : draws.names()) {
            INDArray d = draws.get(name);
            long[] shape = Arrays.copyOfRange(d.shape(), 1, d.rank());
            long elements = 1;
            for (long s : shape) {
                elements *= s;
            }
            for (long e = 0; e < elements; e++) {
                long[] index = unravel(e, shape);
                double[] values = draws.trace(name, index);
                rows.add(row(name + Arrays.toString(index).replace(" ", ""), values, hdiProbability));
            }
        }
        return new PosteriorSummary(Collections.unmodifiableList(rows), hdiProbability);
    }

    /**
     * @param name           the row's name
     * @param values         draws of one quantity
     * @param hdiProbability the share of the draws the interval holds
     * @return the summary row of those draws
     */
    public static Row row(String name, double[] values, double hdiProbability) {
        int n = values.length;
        if (n == 0) {
            throw new IllegalArgumentException("no draws for " + name);
        }
        double mean = Arrays.stream(values).average().orElseThrow();
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0.0;
        double[] hdi = hdi(values, hdiProbability);
        return new Row(name, mean, sd, hdi[0], hdi[1]);
    }

    /**
     * The highest-density interval as ArviZ computes it: the shortest interval {@code [sorted[i], sorted[i + k]]}
     * with {@code k = floor(p * n)}, so that it holds {@code floor(p * n) + 1} draws (the first such interval on ties).
     *
     * @param values      the draws (not modified)
     * @param probability the share of the draws the interval holds, in (0, 1)
     * @return {@code {low, high}}
     */
    public static double[] hdi(double[] values, double probability) {
        if (values.length == 0) {
            throw new IllegalArgumentException("hdi needs at least one draw");
        }
        if (!(probability > 0 && probability < 1)) {
            throw new IllegalArgumentException("probability must be in (0, 1), got " + probability);
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        int inside = (int) Math.floor(probability * n) + 1;
        int best = 0;
        double width = Double.POSITIVE_INFINITY;
        for (int i = 0; i + inside - 1 < n; i++) {
            double w = sorted[i + inside - 1] - sorted[i];
            if (w < width) {
                width = w;
                best = i;
            }
        }
        return new double[]{sorted[best], sorted[best + inside - 1]};
    }

    private static long[] unravel(long flat, long[] shape) {
        long[] index = new long[shape.length];
        for (int k = shape.length - 1; k >= 0; k--) {
            index[k] = flat % shape[k];
            flat /= shape[k];
        }
        return index;
    }

    /** @return the rows, one per parameter */
    public List<Row> rows() {
        return rows;
    }

    /** @return an aligned text table: name, mean, sd, hdi low, hdi high (ArviZ's column names) */
    public String toTable() {
        String low = String.format(Locale.ROOT, "hdi_%s%%", format((1 - hdiProbability) / 2 * 100));
        String high = String.format(Locale.ROOT, "hdi_%s%%", format((1 + hdiProbability) / 2 * 100));
        int width = Math.max(9, rows.stream().mapToInt(r -> r.name().length()).max().orElse(9));
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s %9s %9s %9s %9s%n", "",
                "mean", "sd", low, high));
        for (Row r : rows) {
            out.append(String.format(Locale.ROOT, "%-" + width + "s %9.3f %9.3f %9.3f %9.3f%n", r.name(), r.mean(),
                    r.sd(), r.hdiLow(), r.hdiHigh()));
        }
        return out.toString();
    }

    /** Writes the rows as CSV: {@code name,mean,sd,hdi_low,hdi_high}. */
    public void writeCsv(Path file) {
        List<String> lines = new ArrayList<>();
        lines.add("name,mean,sd,hdi_low,hdi_high");
        for (Row r : rows) {
            lines.add(String.format(Locale.ROOT, "%s,%.6f,%.6f,%.6f,%.6f", r.name(), r.mean(), r.sd(), r.hdiLow(),
                    r.hdiHigh()));
        }
        try {
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the posterior summary to " + file, e);
        }
    }

    private static String format(double percent) {
        String text = String.format(Locale.ROOT, "%.1f", percent);
        return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text;
    }
}
