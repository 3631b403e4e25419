package io.github.dl4jbayes.predict;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The result of {@link PosteriorPredictive#predict}: per-output mean and standard deviation over the posterior
 * draws (each with the shape of the network output), and the draws themselves when kept.
 */
public final class PredictiveSamples {
    private final INDArray mean;
    private final INDArray std;
    private final INDArray samples;
    private final int count;

    PredictiveSamples(INDArray mean, INDArray std, INDArray samples, int count) {
        this.mean = mean;
        this.std = std;
        this.samples = samples;
        this.count = count;
    }

    /** @return the predictive mean of each output, shape of the network output */
    public INDArray mean() {
        return mean;
    }

    /**
     * @return the standard deviation of each output over the posterior draws (sample std, divisor
     *         {@code samples - 1}; zero for a single sample), shape of the network output
     */
    public INDArray std() {
        return std;
    }

    /** @return the number of posterior draws */
    public int count() {
        return count;
    }

    /**
     * @return all sampled outputs, shape {@code [samples, rows, outputs]}
     * @throws IllegalStateException if the predictive was run with {@code keepSamples(false)}
     */
    public INDArray samples() {
        if (samples == null) {
            throw new IllegalStateException("The sampled outputs were not kept: use PosteriorPredictive.keepSamples(true)");
        }
        return samples;
    }

    /**
     * @param i the draw index, {@code 0 <= i < count()}
     * @return the network output of draw {@code i}
     */
    public INDArray sample(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("sample index " + i + " outside [0, " + count + ")");
        }
        return samples().get(NDArrayIndex.point(i));
    }
}
