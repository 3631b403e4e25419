package io.github.dl4jbayes.metrics;

import io.github.dl4jbayes.internal.ArgumentChecks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Held-out quality of predicted class probabilities (typically the posterior predictive mean), by the textbook
 * definitions. Two layouts are accepted:
 * <ul>
 *   <li>binary: probabilities {@code [n, 1]} of class 1 and labels {@code [n, 1]} in {0, 1};</li>
 *   <li>multiclass: probabilities {@code [n, k]} (rows summing to 1) and one-hot labels {@code [n, k]}.</li>
 * </ul>
 * With {@code p_i} the probability given to example i's true class and {@code c_i} its confidence (the probability of
 * the predicted class):
 * <pre>
 *   accuracy = mean(predicted class == true class)          (binary: predicted 1 when p &gt; 0.5)
 *   NLL      = -mean(log p_i)                               (p clipped to [1e-15, 1])
 *   Brier    = mean(sum_k (p_ik - y_ik)^2)                  (binary [n, 1]: mean((p - y)^2), scikit-learn's)
 *   ECE      = sum_b (n_b / n) |accuracy_b - mean confidence_b|, over equal-width confidence bins (Guo et al., 2017)
 * </pre>
 */
public final class ClassificationMetrics {
    /** Probabilities are clipped to at least this before the logarithm of the NLL. */
    public static final double LOG_CLIP = 1e-15;

    private final double[][] probabilities;
    private final int[] truth;
    private final int classes;

    private ClassificationMetrics(double[][] probabilities, int[] truth, int classes) {
        this.probabilities = probabilities;
        this.truth = truth;
        this.classes = classes;
    }

    /**
     * @param probabilities {@code [n, 1]} probabilities of class 1, or {@code [n, k]} class probabilities
     * @param labels        {@code [n, 1]} labels in {0, 1}, or {@code [n, k]} one-hot labels
     * @throws IllegalArgumentException on mismatched shapes, probabilities outside [0, 1] or NaN, or labels that are
     *                                  not 0/1 or not one-hot
     */
    public static ClassificationMetrics of(INDArray probabilities, INDArray labels) {
        if (probabilities == null || labels == null) {
            throw new IllegalArgumentException("probabilities and labels must not be null");
        }
        if (probabilities.rank() != 2 || !Arrays.equals(probabilities.shape(), labels.shape())
                || probabilities.size(0) == 0) {
            throw new IllegalArgumentException("probabilities and labels must be non-empty matrices of the same shape, got "
                    + Arrays.toString(probabilities.shape()) + " and " + Arrays.toString(labels.shape()));
        }
        double[][] p = rows(probabilities);
        double[][] y = rows(labels);
        int n = p.length;
        int k = p[0].length;
        boolean binary = k == 1;
        double[][] full = new double[n][];
        int[] truth = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                if (!(p[i][j] >= 0 && p[i][j] <= 1)) {
                    throw new IllegalArgumentException("probability [" + i + ", " + j + "] = " + p[i][j] + " is not in [0, 1]");
                }
                if (y[i][j] != 0 && y[i][j] != 1) {
                    throw new IllegalArgumentException("label [" + i + ", " + j + "] = " + y[i][j] + " is not 0 or 1");
                }
            }
            if (binary) {
                full[i] = new double[]{1 - p[i][0], p[i][0]};
                truth[i] = (int) y[i][0];
            } else {
                full[i] = p[i];
                double ones = Arrays.stream(y[i]).sum();
                if (ones != 1) {
                    throw new IllegalArgumentException("labels row " + i + " is not one-hot");
                }
                truth[i] = argmax(y[i]);
            }
        }
        return new ClassificationMetrics(full, truth, binary ? 1 : k);
    }

    /** Row arrays from one flat copy (INDArray.toDoubleMatrix makes a native call per row). */
    private static double[][] rows(INDArray a) {
        double[] flat = a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        int n = (int) a.size(0);
        int k = (int) a.size(1);
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            out[i] = Arrays.copyOfRange(flat, i * k, (i + 1) * k);
        }
        return out;
    }

    /** @return the fraction of examples whose most probable class is the true one (binary: p &gt; 0.5 means 1) */
    public double accuracy() {
        int correct = 0;
        for (int i = 0; i < truth.length; i++) {
            if (predicted(i) == truth[i]) {
                correct++;
            }
        }
        return (double) correct / truth.length;
    }

    /** @return the mean negative log-likelihood of the true classes, {@code -mean(log p_i)} */
    public double negativeLogLikelihood() {
        double sum = 0;
        for (int i = 0; i < truth.length; i++) {
            sum -= Math.log(Math.max(LOG_CLIP, probabilities[i][truth[i]]));
        }
        return sum / truth.length;
    }

    /** @return the Brier score: {@code mean((p - y)^2)} for binary input, {@code mean(sum_k (p_k - y_k)^2)} otherwise */
    public double brierScore() {
        double sum = 0;
        for (int i = 0; i < truth.length; i++) {
            if (classes == 1) {
                double d = probabilities[i][1] - truth[i];
                sum += d * d;
            } else {
                for (int j = 0; j < classes; j++) {
                    double d = probabilities[i][j] - (j == truth[i] ? 1 : 0);
                    sum += d * d;
                }
            }
        }
        return sum / truth.length;
    }

    /**
     * @param bins the number of equal-width confidence bins over [0, 1] (&gt; 0), bin b holding confidences in
     *             {@code (b / bins, (b + 1) / bins]} (the first also holds 0)
     * @return the expected calibration error
     */
    public double expectedCalibrationError(int bins) {
        Reliability r = reliability(bins);
        double ece = 0;
        for (int b = 0; b < bins; b++) {
            if (r.counts[b] > 0) {
                ece += (double) r.counts[b] / truth.length * Math.abs(r.accuracy[b] - r.confidence[b]);
            }
        }
        return ece;
    }

    /**
     * @param bins the number of equal-width confidence bins (&gt; 0)
     * @return per bin: the number of examples, their accuracy and their mean confidence (NaN for empty bins), for a
     *         reliability diagram
     */
    public Reliability reliability(int bins) {
        ArgumentChecks.positive("bins", bins);
        int[] counts = new int[bins];
        double[] correct = new double[bins];
        double[] confidence = new double[bins];
        for (int i = 0; i < truth.length; i++) {
            int predicted = predicted(i);
            double c = probabilities[i][predicted];
            // the small tolerance keeps a confidence on a bin edge (0.7 * 10 = 7.000000000000001) in the lower bin
            int b = Math.min(bins - 1, Math.max(0, (int) Math.ceil(c * bins - 1e-9) - 1));
            counts[b]++;
            confidence[b] += c;
            if (predicted == truth[i]) {
                correct[b]++;
            }
        }
        double[] accuracy = new double[bins];
        for (int b = 0; b < bins; b++) {
            accuracy[b] = counts[b] == 0 ? Double.NaN : correct[b] / counts[b];
            confidence[b] = counts[b] == 0 ? Double.NaN : confidence[b] / counts[b];
        }
        return new Reliability(counts, accuracy, confidence);
    }

    private int predicted(int i) {
        if (classes == 1) {
            return probabilities[i][1] > 0.5 ? 1 : 0;
        }
        return argmax(probabilities[i]);
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) {
            if (v[j] > v[best]) {
                best = j;
            }
        }
        return best;
    }

    /**
     * Reliability-diagram data: per confidence bin, the number of examples, their accuracy and mean confidence.
     *
     * @param counts     examples per bin
     * @param accuracy   fraction correct per bin (NaN when empty)
     * @param confidence mean confidence per bin (NaN when empty)
     */
    public record Reliability(int[] counts, double[] accuracy, double[] confidence) {
    }
}
