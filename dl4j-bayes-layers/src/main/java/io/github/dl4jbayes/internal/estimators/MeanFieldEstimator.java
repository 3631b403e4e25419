package io.github.dl4jbayes.internal.estimators;

import io.github.dl4jbayes.layers.Estimator;
import io.github.dl4jbayes.internal.meanfield.MeanFieldPosterior;
import org.deeplearning4j.nn.gradient.Gradient;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * One gradient estimator of the ELBO's data term for a layer with a mean-field Gaussian posterior: how a training
 * forward pass turns the posterior into pre-activations, and how the backward pass turns {@code dL/dz} into the
 * gradients of the means and sigmas (completed with the KL term by {@link MeanFieldPosterior#completeGradient}).
 * All estimators give unbiased gradients of the same ELBO; they differ in variance and cost. One instance per layer
 * instance: an estimator may keep per-example noise between the forward and the backward pass of a step.
 */
public abstract class MeanFieldEstimator {

    /**
     * @return a new estimator of the given kind, for one layer instance
     */
    public static MeanFieldEstimator create(Estimator kind) {
        switch (kind) {
            case LOCAL_REPARAMETERIZATION:
                return new LocalReparameterization();
            case FLIPOUT:
                return new Flipout();
            default:
                return new Reparameterization();
        }
    }

    /**
     * The training forward pass.
     *
     * @param x the layer's input, in the parameters' data type
     * @return the pre-activations {@code z}, in a new array
     */
    public abstract INDArray forward(MeanFieldPosterior posterior, LinearMap map, INDArray x);

    /** @return what this estimator's forward pass draws from the posterior */
    public abstract MeanFieldPosterior.Draw drawKind();

    /**
     * The backward pass of the last {@link #forward} on the same input: writes the data term's gradients into the
     * posterior's gradient views and completes them with the KL term.
     *
     * @param delta {@code dL/dz}, summed loss over the minibatch
     * @return the gradient of the layer's parameters and {@code dL/dx}
     */
    public abstract Result backward(MeanFieldPosterior posterior, LinearMap map, INDArray x, INDArray delta,
                                    Map<String, INDArray> gradientViews);

    /** The gradient of a layer's parameters and of its input. */
    public static final class Result {
        private final Gradient gradient;
        private final INDArray inputGradient;

        Result(Gradient gradient, INDArray inputGradient) {
            this.gradient = gradient;
            this.inputGradient = inputGradient;
        }

        /** @return the gradient of the layer's parameters */
        public Gradient gradient() {
            return gradient;
        }

        /** @return {@code dL/dx} */
        public INDArray inputGradient() {
            return inputGradient;
        }
    }

    /** @return the pre-activations at the posterior means, {@code x (*) mu_W + mu_b} (inference in MEAN mode) */
    public static INDArray meanForward(MeanFieldPosterior posterior, LinearMap map, INDArray x) {
        return affine(map, x, posterior.meanWeights(), posterior.meanBias());
    }

    /** @return {@code map.forward(x, w) + b} (b may be null) */
    static INDArray affine(LinearMap map, INDArray x, INDArray w, INDArray b) {
        INDArray z = map.forward(x, w);
        if (b != null) {
            map.addBias(z, b);
        }
        return z;
    }

    /** The backward pass of {@link #affine}: writes the gradients of {@code w} and {@code b}, returns {@code dL/dx}. */
    static INDArray affineBackward(LinearMap map, INDArray x, INDArray w, INDArray delta, INDArray gradW,
                                   INDArray gradB) {
        if (gradB != null) {
            map.biasGradient(delta, gradB);
        }
        return map.backward(x, w, delta, gradW);
    }
}
