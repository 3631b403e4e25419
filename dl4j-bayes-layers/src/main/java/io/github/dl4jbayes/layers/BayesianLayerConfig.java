package io.github.dl4jbayes.layers;

import org.deeplearning4j.nn.weights.IWeightInit;

/**
 * What the parameter layout and the mean-field machinery need to know of a Bayesian layer's configuration.
 * Implemented by {@link BayesianDenseLayer}, {@link BayesianOutputLayer}, {@link BayesianConvolutionLayer},
 * {@link BayesianLSTM} and {@link BayesianRnnOutputLayer}.
 */
public interface BayesianLayerConfig {

    /** @return the number of inputs (input channels of a convolution) */
    long getNIn();

    /** @return the number of outputs (output channels of a convolution) */
    long getNOut();

    /** @return whether the layer has (Bayesian) biases, one per output */
    boolean hasBias();

    /**
     * @return whether the layer holds a learned homoscedastic noise scale, one raw scale per output (a point
     *         estimate, parameter {@code noise}); only output layers with a Gaussian likelihood do
     */
    default boolean hasLearnedNoise() {
        return false;
    }

    /** @return the number of biases: {@code nOut} for dense and convolution layers, {@code 4 nOut} for an LSTM */
    default long biasSize() {
        return getNOut();
    }

    /**
     * Writes the initial bias means: {@link #getBiasInit()} everywhere, unless the layer knows better (an LSTM's
     * forget gate starts at its own bias).
     *
     * @param biasMeans the bias means, a vector of {@link #biasSize()}
     */
    default void initializeBiasMeans(org.nd4j.linalg.api.ndarray.INDArray biasMeans) {
        biasMeans.assign(getBiasInit());
    }

    /** @return the shape of the weight array: {@code [nIn, nOut]} for dense layers */
    default long[] weightShape() {
        return new long[]{getNIn(), getNOut()};
    }

    /** @return the order of the weight array in the flattened parameters: {@code 'f'} for dense layers, as DL4J's */
    default char weightOrder() {
        return 'f';
    }

    /** @return the fan-in of a weight, for the weight initializer: {@code nIn} for dense layers */
    default double fanIn() {
        return getNIn();
    }

    /** @return the fan-out of a weight, for the weight initializer: {@code nOut} for dense layers */
    default double fanOut() {
        return getNOut();
    }

    /** @return the initializer of the weight means */
    IWeightInit getWeightInitFn();

    /** @return the initial value of the bias means */
    double getBiasInit();

    /** @return the layer's name, for messages */
    String getLayerName();

    /** @return the prior, the initial posterior std and the estimator of this layer (run-time settings: {@link MeanFieldState}) */
    MeanFieldSettings getMeanField();
}
