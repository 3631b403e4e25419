package io.github.dl4jbayes.metrics;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * The area under the ROC curve (AUROC) of a score that should be higher for "out" examples (e.g. inputs from
 * classes the network never saw) than for "in" examples (the test set of the training distribution): the
 * probability that a random out example scores higher than a random in example, ties counted half. This is the
 * Mann-Whitney U statistic divided by {@code n_in * n_out}:
 * <pre>
 *   AUROC = ( #{(i, o) : out_o &gt; in_i} + 0.5 #{(i, o) : out_o == in_i} ) / (n_in n_out)
 * </pre>
 * 1 separates perfectly, 0.5 is chance (or a constant score), 0 is perfectly reversed. It is computed exactly, from
 * the midranks of the pooled scores ({@code O((n_in + n_out) log(n_in + n_out))}).
 *
 * <pre>{@code
 * ClassificationUncertainty inDist = ...;   // on the test set
 * ClassificationUncertainty heldOut = ...;  // on images of the held-out classes
 * double auroc = Auroc.of(inDist.mutualInformation(), heldOut.mutualInformation());
 * }</pre>
 *
 * <p>Infinite scores are allowed (they tie with each other); NaN is not.
 */
public final class Auroc {
    private Auroc() {
    }

    /**
     * @param inScores  the scores of the in-distribution examples (non-empty, no NaN)
     * @param outScores the scores of the out-of-distribution examples (non-empty, no NaN); higher should mean out
     * @return the AUROC of the score for telling out from in, in [0, 1]
     * @throws IllegalArgumentException if either array is null or empty or holds NaN; the message names it
     */
    public static double of(double[] inScores, double[] outScores) {
        check(inScores, "inScores");
        check(outScores, "outScores");
        int nIn = inScores.length;
        int nOut = outScores.length;
        int n = nIn + nOut;
        // Pool the scores, sort, and give tied scores their mean rank (midrank); the rank sum of the out scores
        // then gives U_out = R_out - nOut (nOut + 1) / 2, the count of (in, out) pairs won by out, ties half.
        double[] values = new double[n];
        boolean[] isOut = new boolean[n];
        System.arraycopy(inScores, 0, values, 0, nIn);
        System.arraycopy(outScores, 0, values, nIn, nOut);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            isOut[i] = i >= nIn;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        double outRankSum = 0;
        int start = 0;
        while (start < n) {
            int end = start;
            // Double.compare makes -0.0 < 0.0; scores compare as numbers here, so -0.0 and 0.0 tie
            while (end + 1 < n && values[order[end + 1]] == values[order[start]]) {
                end++;
            }
            double midrank = (start + 1 + end + 1) / 2.0;
            for (int k = start; k <= end; k++) {
                if (isOut[order[k]]) {
                    outRankSum += midrank;
                }
            }
            start = end + 1;
        }
        double u = outRankSum - (double) nOut * (nOut + 1) / 2.0;
        return u / ((double) nIn * nOut);
    }

    /**
     * @param inScores  the scores of the in-distribution examples: a non-empty vector ({@code [n]}, {@code [n, 1]}
     *                  or {@code [1, n]}), no NaN
     * @param outScores the scores of the out-of-distribution examples, the same way; higher should mean out
     * @return the AUROC of the score for telling out from in, in [0, 1]
     * @throws IllegalArgumentException if either is null, empty, not a vector or holds NaN; the message names it
     */
    public static double of(INDArray inScores, INDArray outScores) {
        return of(vector(inScores, "inScores"), vector(outScores, "outScores"));
    }

    private static double[] vector(INDArray a, String name) {
        if (a == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (a.isEmpty() || a.length() == 0) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        long[] shape = a.shape();
        long longest = 0;
        for (long s : shape) {
            longest = Math.max(longest, s);
        }
        if (a.length() != longest && a.length() != 1) {
            throw new IllegalArgumentException(name + " must be a vector, got shape " + Arrays.toString(shape));
        }
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    private static void check(double[] scores, String name) {
        if (scores == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (scores.length == 0) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        for (int i = 0; i < scores.length; i++) {
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] is NaN");
            }
        }
    }
}
