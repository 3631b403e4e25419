package io.github.dl4jbayes.predict;

import io.github.dl4jbayes.internal.ArgumentChecks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The result of a {@link PredictiveModel}'s {@code predict}: per-output mean and standard deviation over the draws
 * (each with the shape of the network output), and the draws themselves when kept. A draw is one sample of the
 * network's output: one draw of a Bayesian network's weights, one MC-dropout pass, one ensemble member, one draw of a
 * Laplace posterior.
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
     * The predictive of draws already stacked along a new first axis, e.g. the outputs of an ensemble's members.
     *
     * @param draws the sampled outputs, {@code [draws, rows, outputs]} (any rank &gt;= 2), kept as the samples
     * @return their mean and standard deviation over the first axis (sample std, divisor {@code draws - 1}; zero for
     *         one draw), computed in double and returned in the draws' data type
     * @throws IllegalArgumentException if {@code draws} is null, of rank &lt; 2, or empty
     */
    public static PredictiveSamples of(INDArray draws) {
        if (draws == null || draws.rank() < 2 || draws.isEmpty()) {
            throw new IllegalArgumentException("draws must be a non-empty array [draws, rows, ...], got "
                    + (draws == null ? "null" : java.util.Arrays.toString(draws.shape())));
        }
        Accumulator accumulator = new Accumulator((int) draws.size(0), true);
        for (long d = 0; d < draws.size(0); d++) {
            accumulator.add(draws.get(NDArrayIndex.point(d)));
        }
        return accumulator.result();
    }

    /**
     * Joins the predictives of consecutive row blocks of one input (e.g. a large test set predicted a thousand rows
     * at a time) into the predictive of all rows.
     *
     * @param parts predictives with the same number of draws, in row order
     * @return means, standard deviations and (when every part kept them) draws stacked along the rows
     * @throws IllegalArgumentException if {@code parts} is null or empty, or their numbers of draws differ
     */
    public static PredictiveSamples concatenate(java.util.List<PredictiveSamples> parts) {
        if (parts == null || parts.isEmpty()) {
            throw new IllegalArgumentException("parts: at least one predictive is needed");
        }
        int count = parts.get(0).count();
        boolean kept = true;
        INDArray[] means = new INDArray[parts.size()];
        INDArray[] stds = new INDArray[parts.size()];
        INDArray[] draws = new INDArray[parts.size()];
        for (int i = 0; i < parts.size(); i++) {
            PredictiveSamples part = parts.get(i);
            if (part.count() != count) {
                throw new IllegalArgumentException("parts[" + i + "] has " + part.count() + " draws, parts[0] "
                        + count);
            }
            means[i] = part.mean();
            stds[i] = part.std();
            draws[i] = part.samples;
            kept &= part.samples != null;
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        return new PredictiveSamples(Nd4j.concat(0, means), Nd4j.concat(0, stds), kept ? Nd4j.concat(1, draws)
                : null, count);
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

    /** @return whether the sampled outputs were kept ({@link #samples()} then returns them) */
    public boolean hasSamples() {
        return samples != null;
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

    /**
     * Collects the draws of a predictive one at a time: Welford's running mean and sum of squared deviations in double
     * whatever the network's type (a HALF running mean over thousands of draws drifts by several hundredths), the
     * draws themselves optionally kept. Every {@link PredictiveModel} of the library builds its result with one.
     *
     * <pre>{@code
     * PredictiveSamples.Accumulator a = new PredictiveSamples.Accumulator(samples, true);
     * for (int s = 0; s < samples; s++) {
     *     a.add(oneStochasticForwardPass(x));
     * }
     * PredictiveSamples p = a.result();
     * }</pre>
     */
    public static final class Accumulator {
        private final int expected;
        private final boolean keepSamples;
        private int count;
        private DataType type;
        private long[] shape;
        private INDArray mean;
        private INDArray m2;
        private INDArray all;
        private INDArray delta;
        private INDArray out;

        /**
         * @param samples     the number of draws that will be added (&gt; 0)
         * @param keepSamples whether to keep every draw (memory {@code samples x rows x outputs})
         */
        public Accumulator(int samples, boolean keepSamples) {
            this.expected = ArgumentChecks.positive("samples", samples);
            this.keepSamples = keepSamples;
        }

        /**
         * Adds the next draw.
         *
         * @param draw one sampled output; every draw has the shape and data type of the first
         * @throws IllegalArgumentException if the draw is null, empty, or shaped unlike the first
         * @throws IllegalStateException    if more draws are added than announced
         */
        public void add(INDArray draw) {
            if (draw == null || draw.isEmpty()) {
                throw new IllegalArgumentException("draw must be a non-empty array");
            }
            if (count == expected) {
                throw new IllegalStateException("all " + expected + " announced draws were already added");
            }
            if (count == 0) {
                type = draw.dataType();
                shape = draw.shape();
                mean = draw.castTo(DataType.DOUBLE).dup();
                m2 = Nd4j.zeros(DataType.DOUBLE, shape);
                if (keepSamples) {
                    long[] allShape = new long[shape.length + 1];
                    allShape[0] = expected;
                    System.arraycopy(shape, 0, allShape, 1, shape.length);
                    all = Nd4j.create(type, allShape);
                }
                delta = Nd4j.create(DataType.DOUBLE, shape);
                out = Nd4j.create(DataType.DOUBLE, shape);
            } else if (!java.util.Arrays.equals(shape, draw.shape())) {
                throw new IllegalArgumentException("draw " + count + " has shape "
                        + java.util.Arrays.toString(draw.shape()) + ", the first had "
                        + java.util.Arrays.toString(shape));
            } else {
                out.assign(draw);
                out.sub(mean, delta);
                mean.addi(delta.div(count + 1));
                m2.addi(delta.muli(out.subi(mean)));
            }
            if (all != null) {
                all.get(NDArrayIndex.point(count)).assign(draw);
            }
            count++;
        }

        /**
         * @return the mean and standard deviation (divisor {@code samples - 1}; zero for one draw) of the draws, in
         *         the first draw's data type, and the draws when kept
         * @throws IllegalStateException if fewer draws were added than announced
         */
        public PredictiveSamples result() {
            if (count != expected) {
                throw new IllegalStateException(count + " of the " + expected + " announced draws were added");
            }
            INDArray std = count > 1 ? Transforms.sqrt(m2.div(count - 1), false) : m2.dup();
            return new PredictiveSamples(mean.castTo(type), std.castTo(type), all, count);
        }
    }
}
