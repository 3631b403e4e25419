package io.github.dl4jbayes.examples;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code forecast} example's data: the yearly sunspot numbers, the windows a recurrent network reads (training
 * windows with a masked burn-in, one window per forecast target, the paths H steps ahead) and the seasonal-naive
 * baseline forecast.
 */
final class SunspotSeries {
    private SunspotSeries() {
    }

    /** The solar cycle, in years, of the seasonal-naive forecast. */
    static final int SEASON = 11;

    /** The series: years and yearly sunspot numbers. */
    record Series(int[] years, double[] values) {
        int index(int year) {
            return year - years[0];
        }

        /** @return the series standardized by the mean and sample std of its first {@code end} values */
        Standardized standardized(int end) {
            double mean = 0;
            for (int t = 0; t < end; t++) {
                mean += values[t];
            }
            mean /= end;
            double var = 0;
            for (int t = 0; t < end; t++) {
                var += (values[t] - mean) * (values[t] - mean);
            }
            double scale = Math.sqrt(var / (end - 1));
            double[] z = new double[values.length];
            for (int t = 0; t < z.length; t++) {
                z[t] = (values[t] - mean) / scale;
            }
            return new Standardized(z, mean, scale);
        }
    }

    /** Standardized values {@code (x - mean) / scale}, with the mean and scale to map forecasts back. */
    record Standardized(double[] values, double mean, double scale) {
    }

    /** @return the yearly sunspot numbers shipped in the examples jar ({@code sunspots_yearly.csv}) */
    static Series sunspots() throws IOException {
        List<Integer> years = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        try (InputStream in = SunspotSeries.class.getResourceAsStream("/sunspots_yearly.csv")) {
            if (in == null) {
                throw new IOException("sunspots_yearly.csv is missing from the examples jar");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("#") || line.startsWith("year") || line.isBlank()) {
                    continue;
                }
                String[] parts = line.split(",");
                years.add(Integer.parseInt(parts[0].trim()));
                values.add(Double.parseDouble(parts[1].trim()));
            }
        }
        int[] y = new int[years.size()];
        double[] v = new double[values.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = years.get(i);
            v[i] = values.get(i);
        }
        return new Series(y, v);
    }

    static int[] range(int from, int to) {
        int[] r = new int[Math.max(0, to - from)];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    /**
     * Training windows inside the training years: inputs {@code z[s .. s+W-1]}, labels {@code z[s+1 .. s+W]}, the first
     * {@code burnIn} steps unscored (label mask 0), windows {@code W - burnIn} years apart so that each year is
     * scored once.
     */
    static DataSet trainingWindows(double[] z, int end, int window, int burnIn) {
        int stride = window - burnIn;
        List<Integer> starts = new ArrayList<>();
        for (int s = (end - 1 - window) % stride; s + window <= end - 1; s += stride) {
            starts.add(s);
        }
        int count = starts.size();
        INDArray x = Nd4j.create(DataType.FLOAT, count, 1, window);
        INDArray y = Nd4j.create(DataType.FLOAT, count, 1, window);
        INDArray mask = Nd4j.create(DataType.FLOAT, count, window);
        for (int i = 0; i < count; i++) {
            int s = starts.get(i);
            for (int t = 0; t < window; t++) {
                x.putScalar(new long[]{i, 0, t}, z[s + t]);
                y.putScalar(new long[]{i, 0, t}, z[s + t + 1]);
                mask.putScalar(i, t, t >= burnIn ? 1.0 : 0.0);
            }
        }
        return new DataSet(x, y, null, mask);
    }

    /** For each target year {@code t}: the window {@code z[t-W .. t-1]}, {@code [targets, 1, W]}. */
    static INDArray windows(double[] z, int[] targets, int window) {
        INDArray x = Nd4j.create(DataType.FLOAT, targets.length, 1, window);
        for (int i = 0; i < targets.length; i++) {
            for (int t = 0; t < window; t++) {
                x.putScalar(new long[]{i, 0, t}, z[targets[i] - window + t]);
            }
        }
        return x;
    }

    static INDArray labels(double[] z, int[] targets) {
        INDArray y = Nd4j.create(DataType.DOUBLE, targets.length, 1);
        for (int i = 0; i < targets.length; i++) {
            y.putScalar(i, 0, z[targets[i]]);
        }
        return y;
    }

    /** The next {@code horizon} values after each origin's window, {@code [origins * horizon, 1]} (origin-major). */
    static INDArray paths(double[] z, int[] origins, int horizon) {
        INDArray y = Nd4j.create(DataType.DOUBLE, (long) origins.length * horizon, 1);
        for (int i = 0; i < origins.length; i++) {
            for (int h = 0; h < horizon; h++) {
                y.putScalar((long) i * horizon + h, 0, z[origins[i] + h]);
            }
        }
        return y;
    }

    /** The seasonal-naive forecast {@code h} steps ahead of each target: the value a whole number of cycles earlier. */
    static INDArray seasonalNaive(double[] z, int[] targets, int h) {
        INDArray y = Nd4j.create(DataType.DOUBLE, targets.length, 1);
        int back = seasonsBack(h);
        for (int i = 0; i < targets.length; i++) {
            y.putScalar(i, 0, z[targets[i] - back]);
        }
        return y;
    }

    /** @return how far back the seasonal-naive forecast h steps ahead looks: the fewest whole cycles reaching data */
    static int seasonsBack(int h) {
        return SEASON * ((h - 1) / SEASON + 1);
    }

    static INDArray naiveForecast(double[] z, int[] origins, int horizon) {
        INDArray y = Nd4j.create(DataType.DOUBLE, (long) origins.length * horizon, 1);
        for (int i = 0; i < origins.length; i++) {
            for (int h = 1; h <= horizon; h++) {
                y.putScalar((long) i * horizon + h - 1, 0, z[origins[i] + h - 1 - seasonsBack(h)]);
            }
        }
        return y;
    }
}
