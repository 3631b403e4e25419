package io.github.dl4jbayes.layers.impl;

import io.github.dl4jbayes.layers.BayesianConvolutionLayer;
import io.github.dl4jbayes.internal.estimators.ConvolutionMap;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The implementation of {@link BayesianConvolutionLayer}: {@code activation(conv(x, w) + b)} with the weights and
 * biases of the mean-field posterior, through the layer's estimator, and the KL term as the layer's regularization
 * score.
 */
public class BayesianConvolutionLayerImpl extends BayesianLayerImplBase<BayesianConvolutionLayer> {

    /**
     * @param conf     the layer's configuration
     * @param dataType the network's data type
     */
    public BayesianConvolutionLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType, layer -> new ConvolutionMap(layer::layerConf,
                () -> layer.posterior().kernelPolicy().hostMemory()));
    }

    @Override
    public Type type() {
        return Type.CONVOLUTIONAL;
    }
}
