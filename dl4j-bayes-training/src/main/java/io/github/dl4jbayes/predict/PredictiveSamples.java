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

    /**
     * The "predictive" of a plain (non-Bayesian) network, a single point estimate: its output as the one draw, a
     * standard deviation of zero. Scores baselines with the same metrics as Bayesian networks, e.g.
     * {@code RegressionMetrics.of(RegressionUncertainty.ofMeans(PredictiveSamples.pointEstimate(plain.output(x)), noiseStd), y)}
     * for the predictive log-likelihood under a given noise, or {@code ClassificationMetrics.of(pointEstimate(p).mean(), y)}.
     *
     * @param output the network's output, {@code [rows, outputs]}
     * @throws IllegalArgumentException if {@code output} is null or empty
     */
    public static PredictiveSamples pointEstimate(INDArray output) {
        if (output == null || output.isEmpty()) {
            throw new IllegalArgumentException("output must be a non-empty array");
        }
        long[] shape = new long[output.rank() + 1];
        shape[0] = 1;
        System.arraycopy(output.shape(), 0, shape, 1, output.rank());
        return new PredictiveSamples(output, output.mul(0.0), output.dup().reshape(shape), 1);
    }

    /** @return the predictive mean of each output, shape of the network output */
    public INDArray mean() {
        return mean;
    }

    /**
     * The spread of the network's output over the posterior draws of its weights: for a classifier, the epistemic
     * (model) uncertainty of the probability, small wherever the data pin the boundary down. Not the notebook's
     * uncertainty map, which is {@link #bernoulliStd()}.
     *
     * @return the standard deviation of each output over the posterior draws (sample std, divisor
     *         {@code samples - 1}; zero for a single sample), shape of the network output
     */
    public INDArray std() {
        return std;
    }

    /**
     * The standard deviation of the predicted <em>outcomes</em> of a Bernoulli likelihood (a sigmoid output):
     * {@code sqrt(pbar (1 - pbar))} with {@code pbar} the predictive mean. This is what the PyMC3 notebook plots as
     * its uncertainty, {@code ppc['out'].std(axis=0)}, the spread of the 0/1 draws of its posterior predictive (its
     * Monte-Carlo estimate tends to this value). By the law of total variance it is the <em>total</em> uncertainty,
     * {@code pbar (1 - pbar) = E[p (1 - p)] + Var[p]}: the noise of the outcome (aleatoric) plus the spread of the
     * probability over the posterior (epistemic, whose square root is {@link #std()}); it is largest on the decision
     * boundary, wherever the model is sure of the boundary or not.
     *
     * @return {@code sqrt(mean * (1 - mean))} per output, shape of the network output
     * @throws IllegalStateException if a predictive mean lies outside [0, 1] (the outputs are not probabilities)
     */
    public INDArray bernoulliStd() {
        double min = mean.minNumber().doubleValue();
        double max = mean.maxNumber().doubleValue();
        if (!(min >= 0 && max <= 1)) {
            throw new IllegalStateException("bernoulliStd needs probabilities (a sigmoid output with a Bernoulli "
                    + "likelihood); the predictive mean ranges over [" + min + ", " + max + "]");
        }
        INDArray p = mean.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        INDArray variance = p.mul(p.rsub(1.0));
        return org.nd4j.linalg.ops.transforms.Transforms.sqrt(variance, false).castTo(mean.dataType());
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
