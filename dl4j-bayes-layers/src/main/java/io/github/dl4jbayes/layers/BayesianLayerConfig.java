package io.github.dl4jbayes.layers;

import org.deeplearning4j.nn.weights.IWeightInit;

/**
 * What the parameter layout and the mean-field machinery need to know of a Bayesian layer's configuration.
 * Implemented by {@link BayesianDenseLayer} and {@link BayesianOutputLayer}.
 */
public interface BayesianLayerConfig {

    /** @return the number of inputs */
    long getNIn();

    /** @return the number of outputs */
    long getNOut();

    /** @return whether the layer has (Bayesian) biases */
    boolean hasBias();

    /**
     * @return whether the layer holds a learned homoscedastic noise scale, one raw scale per output (a point
     *         estimate, parameter {@code noise}); only output layers with a Gaussian likelihood do
     */
    default boolean hasLearnedNoise() {
        return false;
    }

    /** @return the initializer of the weight means */
    IWeightInit getWeightInitFn();

    /** @return the initial value of the bias means */
    double getBiasInit();

    /** @return the layer's name, for messages */
    String getLayerName();

    /** @return the prior and the initial posterior std of this layer (run-time settings: {@link MeanFieldState}) */
    MeanFieldSettings getMeanField();
}
