package io.github.dl4jbayes.metrics;

import io.github.dl4jbayes.predict.RegressionUncertainty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Held-out quality of a regression posterior predictive ({@link RegressionUncertainty}) against observations:
 * <pre>
 *   RMSE            sqrt(mean over rows and targets of (y - predictive mean)^2)
 *   log-likelihood  mean over rows of log p(y | x, data), the predictive mixture's density (summed over targets)
 *   coverage(l)     share of observations inside the central interval of level l (calibrated: close to l)
 * </pre>
 */
public final class RegressionMetrics {
    private final RegressionUncertainty predictive;
    private final INDArray labels;
    private final double[][] y;

    private RegressionMetrics(RegressionUncertainty predictive, INDArray labels) {
        this.predictive = predictive;
        this.labels = labels;
        INDArray mean = predictive.mean();
        if (labels == null || !Arrays.equals(labels.shape(), mean.shape())) {
            throw new IllegalArgumentException("labels must have the predictive's shape " + Arrays.toString(mean.shape())
                    + ", got " + (labels == null ? "null" : Arrays.toString(labels.shape())));
        }
        this.y = labels.castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    /** @return the metrics of {@code predictive} against {@code labels} ({@code [rows, targets]}) */
    public static RegressionMetrics of(RegressionUncertainty predictive, INDArray labels) {
        return new RegressionMetrics(predictive, labels);
    }

    /** @return the root mean squared error of the predictive mean */
    public double rmse() {
        double[][] m = predictive.mean().toDoubleMatrix();
        double sum = 0;
        int count = 0;
        for (int i = 0; i < y.length; i++) {
            for (int j = 0; j < y[i].length; j++) {
                sum += (y[i][j] - m[i][j]) * (y[i][j] - m[i][j]);
                count++;
            }
        }
        return Math.sqrt(sum / count);
    }

    /** @return the mean predictive log-likelihood per row (nats) */
    public double meanLogLikelihood() {
        return Arrays.stream(predictive.logLikelihood(labels)).average().orElseThrow();
    }

    /**
     * @param level the interval's central probability, in (0, 1)
     * @return the share of observations inside the predictive interval of that level
     */
    public double coverage(double level) {
        INDArray[] band = predictive.interval(level);
        double[][] low = band[0].toDoubleMatrix();
        double[][] high = band[1].toDoubleMatrix();
        int inside = 0;
        int count = 0;
        for (int i = 0; i < y.length; i++) {
            for (int j = 0; j < y[i].length; j++) {
                if (y[i][j] >= low[i][j] && y[i][j] <= high[i][j]) {
                    inside++;
                }
                count++;
            }
        }
        return (double) inside / count;
    }
}
