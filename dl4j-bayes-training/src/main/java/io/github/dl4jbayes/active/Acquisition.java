package io.github.dl4jbayes.active;

import io.github.dl4jbayes.predict.ClassificationUncertainty;
import io.github.dl4jbayes.predict.PredictiveSamples;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Acquisition functions of active learning: how much a classifier would gain from the label of each unlabelled input,
 * scored from its posterior predictive ({@code S} sampled class probabilities per input, the samples kept). The higher
 * the score, the sooner the input is acquired; {@link #top} picks the {@code k} best (batch acquisition).
 *
 * <pre>
 *   BALD             I[y; w | x] = H[mean_s p_s] - mean_s H[p_s]       (Houlsby et al. 2011; Gal et al. 2017)
 *   ENTROPY          H[mean_s p_s]                                      maximum predictive entropy
 *   VARIATION_RATIO  1 - (draws voting for the modal class) / S
 *   STD              mean over classes of the std over draws of p_s     largest predictive std
 *   RANDOM           uniform, the baseline
 * </pre>
 *
 * With one output column the outputs are Bernoulli probabilities of class 1 (a sigmoid output), with several they are
 * categorical distributions (softmax).
 */
public enum Acquisition {
    /** Mutual information between the label and the weights: where the posterior's draws disagree. */
    BALD,
    /** Entropy of the predictive distribution: where the prediction is least sure, for whatever reason. */
    ENTROPY,
    /** The share of draws that do not vote for the most voted class. */
    VARIATION_RATIO,
    /** The predictive standard deviation of the class probabilities, averaged over the classes. */
    STD,
    /** Uniform random scores: the baseline. */
    RANDOM;

    /**
     * @param predictive the posterior predictive over the pool, with its samples kept
     * @param random     the generator of {@link #RANDOM}'s scores (and of nothing else)
     * @return one score per pool input (higher: acquire sooner)
     */
    public double[] scores(PredictiveSamples predictive, SplittableRandom random) {
        if (this == RANDOM) {
            return uniform((int) predictive.mean().size(0), random);   // needs no samples
        }
        return scores(predictive.samples(), random);
    }

    /**
     * @param samples sampled class probabilities, {@code [draws, rows, classes]}
     * @param random  the generator of {@link #RANDOM}'s scores
     * @return one score per row
     */
    public double[] scores(INDArray samples, SplittableRandom random) {
        if (samples == null || samples.rank() != 3 || samples.size(0) == 0) {
            throw new IllegalArgumentException("samples must be [draws, rows, classes], got "
                    + (samples == null ? "null" : Arrays.toString(samples.shape())));
        }
        int rows = (int) samples.size(1);
        switch (this) {
            case BALD:
                return vector(ClassificationUncertainty.of(samples).mutualInformation());
            case ENTROPY:
                return vector(ClassificationUncertainty.of(samples).totalEntropy());
            case VARIATION_RATIO:
                return variationRatio(samples.castTo(DataType.DOUBLE));
            case STD:
                return vector(samples.castTo(DataType.DOUBLE).std(false, 0).mean(1));
            default:
                return uniform(rows, random);
        }
    }

    private static double[] uniform(int rows, SplittableRandom random) {
        double[] r = new double[rows];
        for (int i = 0; i < rows; i++) {
            r[i] = random.nextDouble();
        }
        return r;
    }

    private static double[] variationRatio(INDArray s) {
        int draws = (int) s.size(0);
        int rows = (int) s.size(1);
        int classes = (int) s.size(2);
        double[] out = new double[rows];
        int[] votes = new int[Math.max(2, classes)];
        for (int i = 0; i < rows; i++) {
            Arrays.fill(votes, 0);
            for (int d = 0; d < draws; d++) {
                int vote;
                if (classes == 1) {
                    vote = s.getDouble(d, i, 0) >= 0.5 ? 1 : 0;
                } else {
                    vote = 0;
                    for (int c = 1; c < classes; c++) {
                        if (s.getDouble(d, i, c) > s.getDouble(d, i, vote)) {
                            vote = c;
                        }
                    }
                }
                votes[vote]++;
            }
            int mode = Arrays.stream(votes).max().orElse(0);
            out[i] = 1.0 - (double) mode / draws;
        }
        return out;
    }

    private static double[] vector(INDArray x) {
        return x.castTo(DataType.DOUBLE).reshape(x.length()).toDoubleVector();
    }

    /**
     * @param scores one score per candidate
     * @param k      how many to pick (0 &lt; k &le; scores.length)
     * @return the indices of the {@code k} highest scores, highest first (ties: the lower index first)
     */
    public static int[] top(double[] scores, int k) {
        if (k <= 0 || k > scores.length) {
            throw new IllegalArgumentException("k must be in [1, " + scores.length + "], got " + k);
        }
        for (int i = 0; i < scores.length; i++) {
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is NaN");
            }
        }
        return IntStream.range(0, scores.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }
}
