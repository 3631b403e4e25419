package io.github.dl4jbayes.predict;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The decomposition of a classifier's predictive uncertainty over S posterior draws (in nats):
 * <pre>
 *   total      H[ mean_s p_s ]                       entropy of the predictive distribution
 *   aleatoric  mean_s H[ p_s ]                       expected entropy: noise the model sees in the data
 *   epistemic  H[ mean_s p_s ] - mean_s H[ p_s ]     mutual information between prediction and weights (BALD)
 * </pre>
 * where {@code p_s} is the class distribution of draw s. Outputs of one column are Bernoulli probabilities of class 1
 * (sigmoid output), outputs of k columns are categorical distributions (softmax output).
 *
 * <pre>{@code
 * PredictiveSamples p = PosteriorPredictive.of(net).samples(500).predict(grid);
 * ClassificationUncertainty u = ClassificationUncertainty.of(p);
 * INDArray epistemic = u.mutualInformation();   // [rows]: high where the posterior disagrees with itself
 * }</pre>
 */
public final class ClassificationUncertainty {
    private static final double TINY = 1e-12;

    private final INDArray probabilities;
    private final INDArray totalEntropy;
    private final INDArray expectedEntropy;

    private ClassificationUncertainty(INDArray probabilities, INDArray totalEntropy, INDArray expectedEntropy) {
        this.probabilities = probabilities;
        this.totalEntropy = totalEntropy;
        this.expectedEntropy = expectedEntropy;
    }

    /**
     * @param predictive a posterior predictive run with the sampled outputs kept ({@code keepSamples(true)}, the
     *                   default), of probabilities in [0, 1]
     * @throws IllegalStateException    if the samples were not kept
     * @throws IllegalArgumentException if the outputs are not a matrix per draw
     */
    public static ClassificationUncertainty of(PredictiveSamples predictive) {
        return of(predictive.samples());
    }

    /**
     * @param samples sampled class probabilities, {@code [draws, rows, classes]} ({@code classes = 1}: Bernoulli)
     */
    public static ClassificationUncertainty of(INDArray samples) {
        if (samples == null || samples.rank() != 3 || samples.size(0) == 0) {
            throw new IllegalArgumentException("samples must be [draws, rows, classes], got "
                    + (samples == null ? "null" : java.util.Arrays.toString(samples.shape())));
        }
        INDArray s = samples.castTo(DataType.DOUBLE);
        double min = s.minNumber().doubleValue();
        double max = s.maxNumber().doubleValue();
        if (!(min >= 0) || !(max <= 1)) {
            throw new IllegalArgumentException("samples must be probabilities in [0, 1], got values in [" + min + ", "
                    + max + "]");
        }
        INDArray mean = s.mean(0);
        INDArray total = entropy(mean, 1);
        long draws = s.size(0);
        INDArray perDraw = Nd4j.zeros(DataType.DOUBLE, s.size(1));
        for (long d = 0; d < draws; d++) {
            perDraw.addi(entropy(s.get(NDArrayIndex.point(d), NDArrayIndex.all(), NDArrayIndex.all()), 1));
        }
        return new ClassificationUncertainty(mean, total, perDraw.divi(draws));
    }

    /** Entropy of each row: Bernoulli for one column, categorical otherwise. */
    private static INDArray entropy(INDArray p, int axis) {
        if (p.size(axis) == 1) {
            INDArray q = p.rsub(1.0);
            return plogp(p).addi(plogp(q)).negi().reshape(p.size(0));
        }
        return plogp(p).sum(axis).negi();
    }

    /** p log p, with 0 log 0 = 0. */
    private static INDArray plogp(INDArray p) {
        INDArray log = org.nd4j.linalg.ops.transforms.Transforms.log(
                org.nd4j.linalg.ops.transforms.Transforms.max(p, TINY, true), false);
        return log.muli(p);
    }

    /** @return the predictive probabilities (mean over draws), {@code [rows, classes]} */
    public INDArray probabilities() {
        return probabilities;
    }

    /** @return the total predictive entropy per row, {@code [rows]} (nats) */
    public INDArray totalEntropy() {
        return totalEntropy;
    }

    /** @return the expected entropy per row (aleatoric part), {@code [rows]} (nats) */
    public INDArray expectedEntropy() {
        return expectedEntropy;
    }

    /** @return the mutual information per row (epistemic part, BALD), {@code [rows]} (nats), clipped at 0 */
    public INDArray mutualInformation() {
        return org.nd4j.linalg.ops.transforms.Transforms.max(totalEntropy.sub(expectedEntropy), 0.0, false);
    }
}
