package io.github.dl4jbayes.internal.fused;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossL2;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.nd4j.linalg.lossfunctions.impl.LossNegativeLogLikelihood;

/**
 * The output losses the fused path computes itself: the score (summed over the minibatch) and {@code dL/dz}, as
 * DL4J's loss functions compute them with the given output activation, clipping included (a test compares the fused
 * step with DL4J's own).
 */
final class FusedLoss {
    private enum Kind { BINARY_XENT_SIGMOID, MCXENT_SOFTMAX, SQUARED_IDENTITY }

    private final Kind kind;
    /** clipping of the probabilities (cross-entropies) */
    private final double clipEps;
    /** the squared error's divisor: nOut for MSE, 1 for L2 */
    private final double divisor;

    private FusedLoss(Kind kind, double clipEps, double divisor) {
        this.kind = kind;
        this.clipEps = clipEps;
        this.divisor = divisor;
    }

    /** @return the fused form of a DL4J loss with its output activation, or null when the fused path lacks it */
    static FusedLoss of(ILossFunction loss, IActivation activation, long nOut) {
        if (loss == null || activation == null) {
            return null;
        }
        Class<?> l = loss.getClass();
        Class<?> a = activation.getClass();
        if (l == LossBinaryXENT.class && a == ActivationSigmoid.class && ((LossBinaryXENT) loss).getWeights() == null) {
            return new FusedLoss(Kind.BINARY_XENT_SIGMOID, ((LossBinaryXENT) loss).getClipEps(), 1);
        }
        if ((l == LossMCXENT.class || l == LossNegativeLogLikelihood.class) && a == ActivationSoftmax.class
                && ((LossMCXENT) loss).getWeights() == null) {
            return new FusedLoss(Kind.MCXENT_SOFTMAX, ((LossMCXENT) loss).getSoftmaxClipEps(), 1);
        }
        if ((l == LossMSE.class || l == LossL2.class) && a == ActivationIdentity.class
                && ((LossL2) loss).getWeights() == null) {
            return new FusedLoss(Kind.SQUARED_IDENTITY, 0, l == LossMSE.class ? nOut : 1);
        }
        return null;
    }

    /**
     * @param z     the output pre-activations, row-major {@code [b, n]}
     * @param y     the labels, row-major {@code [b, n]}
     * @param delta receives {@code dL/dz}, row-major {@code [b, n]}
     * @return the loss summed over the {@code b} examples
     */
    double scoreAndDelta(double[] z, double[] y, int b, int n, double[] delta) {
        switch (kind) {
            case BINARY_XENT_SIGMOID:
                return binaryXent(z, y, b * n, delta);
            case MCXENT_SOFTMAX:
                return softmaxXent(z, y, b, n, delta);
            default:
                return squared(z, y, b * n, delta);
        }
    }

    private double binaryXent(double[] z, double[] y, int count, double[] delta) {
        double sum = 0;
        for (int k = 0; k < count; k++) {
            double s = FusedActivation.SIGMOID.apply(z[k]);
            double p = clip(s);
            double label = y[k];
            sum -= label * Math.log(p) + (1 - label) * Math.log(1 - p);
            // DL4J: dL/da from the clipped probability, times the sigmoid's derivative at z
            delta[k] = (p - label) / (p * (1 - p)) * (s * (1 - s));
        }
        return sum;
    }

    private double softmaxXent(double[] z, double[] y, int b, int n, double[] delta) {
        double sum = 0;
        for (int r = 0; r < b; r++) {
            int o = r * n;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, z[o + j]);
            }
            double total = 0;
            for (int j = 0; j < n; j++) {
                double e = Math.exp(z[o + j] - max);
                delta[o + j] = e;
                total += e;
            }
            double labelSum = 0;
            for (int j = 0; j < n; j++) {
                labelSum += y[o + j];
            }
            for (int j = 0; j < n; j++) {
                double p = delta[o + j] / total;
                if (y[o + j] != 0) {
                    sum -= y[o + j] * Math.log(clip(p));
                }
                delta[o + j] = p * labelSum - y[o + j];
            }
        }
        return sum;
    }

    private double squared(double[] z, double[] y, int count, double[] delta) {
        double sum = 0;
        for (int k = 0; k < count; k++) {
            double d = z[k] - y[k];
            sum += d * d;
            delta[k] = 2 * d / divisor;
        }
        return sum / divisor;
    }

    private double clip(double p) {
        return clipEps > 0 ? Math.min(Math.max(p, clipEps), 1 - clipEps) : p;
    }
}
