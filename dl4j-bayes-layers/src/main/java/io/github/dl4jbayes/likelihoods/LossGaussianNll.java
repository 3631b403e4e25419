package io.github.dl4jbayes.likelihoods;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.internal.StableMath;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Arrays;

/**
 * The heteroscedastic Gaussian likelihood as a DL4J loss: the network outputs, for each of the d targets, a mean and
 * an unconstrained scale, and the loss is the exact negative log-likelihood
 *
 * <pre>
 *   -log N(y | mu, sigma^2) = 0.5 log(2 pi) + log sigma + (y - mu)^2 / (2 sigma^2),   sigma = softplus(s) + minStd
 * </pre>
 *
 * summed over the targets. Output columns {@code 0..d-1} are the means, {@code d..2d-1} the raw scales {@code s}, so the
 * output layer has {@code nOut = 2d} and identity activation, and the labels have d columns. With a Bayesian output
 * layer, the network's score is then the exact negative ELBO per example, and the ELBO the proper log-likelihood.
 */
public class LossGaussianNll implements ILossFunction {
    private static final long serialVersionUID = 1L;
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

    private final double minStd;

    /** A loss with the smallest standard deviation 1e-6 (keeps the likelihood bounded). */
    public LossGaussianNll() {
        this(1e-6);
    }

    /** @param minStd a floor added to every predicted standard deviation, &gt;= 0 and finite */
    public LossGaussianNll(@JsonProperty("minStd") double minStd) {
        ArgumentChecks.nonNegativeFinite("minStd", minStd);
        this.minStd = minStd;
    }

    /** @return the floor added to every predicted standard deviation */
    public double getMinStd() {
        return minStd;
    }

    /** @return the predicted standard deviation {@code softplus(rawScale) + minStd} */
    public double std(double rawScale) {
        return StableMath.softplus(rawScale) + minStd;
    }

    /**
     * The inverse of {@link #std}: the raw scale at which the output means a standard deviation {@code std}, e.g. to
     * score a point forecast with a given noise level the way the network's own outputs are scored.
     *
     * @param std a standard deviation &gt; {@link #getMinStd()}
     */
    public double rawScale(double std) {
        if (!(std > minStd) || !Double.isFinite(std)) {
            throw new IllegalArgumentException("std must be finite and > minStd = " + minStd + ", got " + std);
        }
        return StableMath.inverseSoftplus(std - minStd);
    }

    /** Per example: NLL summed over targets, and (when wanted) the gradient with respect to the pre-activations. */
    private Pair<double[], INDArray> evaluate(INDArray labels, INDArray preOutput, IActivation activationFn,
                                              INDArray mask, boolean gradient) {
        if (labels == null || preOutput == null || labels.rank() != 2 || preOutput.rank() != 2
                || preOutput.size(1) != 2 * labels.size(1) || preOutput.size(0) != labels.size(0)) {
            throw new IllegalArgumentException("LossGaussianNll needs labels [n, d] and outputs [n, 2d] (means, then raw "
                    + "scales), got labels " + (labels == null ? "null" : Arrays.toString(labels.shape())) + " and outputs "
                    + (preOutput == null ? "null" : Arrays.toString(preOutput.shape())));
        }
        if (mask != null && !(mask.rank() == 2 && mask.size(1) == 1 && mask.size(0) == labels.size(0))) {
            throw new IllegalArgumentException("LossGaussianNll supports per-example masks [n, 1], got "
                    + Arrays.toString(mask.shape()));
        }
        INDArray output = activationFn.getActivation(preOutput.dup(), true);
        // flat row-major copies: one native call each (toDoubleMatrix would make one per row)
        double[] out = rowMajor(output);
        double[] y = rowMajor(labels);
        double[] m = mask == null ? null : rowMajor(mask);
        int n = (int) labels.size(0);
        int d = (int) labels.size(1);
        double[] score = new double[n];
        double[] grad = gradient ? new double[n * 2 * d] : null;
        for (int i = 0; i < n; i++) {
            double weight = m == null ? 1.0 : m[i];
            for (int j = 0; j < d; j++) {
                double mu = out[i * 2 * d + j];
                double raw = out[i * 2 * d + d + j];
                double sigma = std(raw);
                double z = (y[i * d + j] - mu) / sigma;
                score[i] += weight * (HALF_LOG_TWO_PI + Math.log(sigma) + 0.5 * z * z);
                if (gradient) {
                    grad[i * 2 * d + j] = weight * (-z / sigma);
                    grad[i * 2 * d + d + j] = weight * (1.0 - z * z) / sigma * StableMath.sigmoid(raw);
                }
            }
        }
        INDArray dPre = null;
        if (gradient) {
            INDArray dOut = Nd4j.createFromArray(grad).reshape(n, 2L * d).castTo(preOutput.dataType());
            dPre = activationFn.backprop(preOutput.dup(), dOut).getFirst();
        }
        return new Pair<>(score, dPre);
    }

    private static double[] rowMajor(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    private static double total(double[] score, boolean average) {
        double sum = Arrays.stream(score).sum();
        return average ? sum / score.length : sum;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        return total(evaluate(labels, preOutput, activationFn, mask, false).getFirst(), average);
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        double[] score = evaluate(labels, preOutput, activationFn, mask, false).getFirst();
        return Nd4j.createFromArray(score).castTo(preOutput.dataType()).reshape(score.length, 1);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return evaluate(labels, preOutput, activationFn, mask, true).getSecond();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        Pair<double[], INDArray> r = evaluate(labels, preOutput, activationFn, mask, true);
        return new Pair<>(total(r.getFirst(), average), r.getSecond());
    }

    @Override
    public String name() {
        return toString();
    }

    @Override
    public String toString() {
        return "LossGaussianNll(minStd=" + minStd + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LossGaussianNll && Double.compare(minStd, ((LossGaussianNll) o).minStd) == 0;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(minStd);
    }
}
