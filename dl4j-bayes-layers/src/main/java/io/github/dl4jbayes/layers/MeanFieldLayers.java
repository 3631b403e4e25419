package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.likelihoods.LossGaussianNll;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Map;

/**
 * The glue shared by the Bayesian layer implementations, which extend different DL4J base classes: DL4J's dense
 * forward and backward code asks for the parameters {@code W} and {@code b} and writes the gradients of
 * {@code W} and {@code b}; here those names are mapped to the drawn weights and to the gradient views of the means.
 */
final class MeanFieldLayers {
    private MeanFieldLayers() {
    }

    /** Maps DL4J's dense parameter names to the weights of the current forward pass. */
    static INDArray denseParam(MeanFieldPosterior posterior, String param, boolean training,
                               Map<String, INDArray> params) {
        boolean draw = posterior.drawsWeights(training);
        if (DefaultParamInitializer.WEIGHT_KEY.equals(param)) {
            return posterior.weights(draw, params);
        }
        if (DefaultParamInitializer.BIAS_KEY.equals(param)) {
            return posterior.bias(draw, params);
        }
        return params.get(param);
    }

    /**
     * Lets DL4J's dense backward pass write {@code dL/dW} and {@code dL/db} straight into the gradient views of
     * the means, and binds the posterior to the gradient view.
     */
    static void aliasDenseGradients(Map<String, INDArray> gradientViews, MeanFieldPosterior posterior,
                                    INDArray gradients) {
        gradientViews.put(DefaultParamInitializer.WEIGHT_KEY, gradientViews.get(MeanFieldLayout.WEIGHT_MU));
        if (posterior.layout().hasBias()) {
            gradientViews.put(DefaultParamInitializer.BIAS_KEY, gradientViews.get(MeanFieldLayout.BIAS_MU));
        }
        posterior.bindGradients(gradients);
    }

    /**
     * @return the default seed of a layer's noise: from the network configuration's {@code seed(...)} and the
     *         layer's index
     */
    static long defaultNoiseSeed(org.deeplearning4j.nn.api.Layer layer) {
        return MeanFieldState.layerSeed(layer.conf().getSeed(), layer.getIndex());
    }

    /** Rejects labels whose shape does not match the output layer, with a message that names both shapes. */
    static void checkLabels(INDArray labels, INDArray input, BayesianOutputLayer conf) {
        if (labels == null) {
            throw new IllegalStateException("Bayesian output layer '" + conf.getLayerName() + "': no labels set");
        }
        // a Gaussian likelihood's outputs are a mean and a scale per label column
        long width = conf.getLossFn() instanceof LossGaussianNll && !conf.hasLearnedNoise() ? conf.getNOut() / 2
                : conf.getNOut();
        if (labels.rank() != 2 || labels.size(1) != width || (input != null && labels.size(0) != input.size(0))) {
            throw new DL4JInvalidInputException("Bayesian output layer '" + conf.getLayerName() + "': labels of shape "
                    + Arrays.toString(labels.shape()) + " do not match [minibatch, " + width + "] (nOut = "
                    + conf.getNOut() + ", loss " + conf.getLossFn() + ", minibatch = "
                    + (input == null ? "?" : input.size(0)) + ")");
        }
    }
}
