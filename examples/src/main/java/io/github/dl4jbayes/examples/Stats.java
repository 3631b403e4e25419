package io.github.dl4jbayes.examples;

import java.util.Arrays;

/** The summaries the examples print over seeds or images: mean and sample standard deviation. */
final class Stats {
    private Stats() {
    }

    /** @return the mean of {@code v}, NaN when it is empty */
    static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    /** @return the sample standard deviation of {@code v} (divisor {@code n - 1}), 0 for fewer than two values */
    static double sd(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        return Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1));
    }
}
