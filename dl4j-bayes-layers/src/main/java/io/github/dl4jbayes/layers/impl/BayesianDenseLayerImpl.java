package io.github.dl4jbayes.layers.impl;

import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.internal.estimators.DenseMap;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The implementation of {@link BayesianDenseLayer}: {@code activation(x w + b)} with the weights and biases of the
 * mean-field posterior, through the layer's estimator, and the KL term as the layer's regularization score.
 */
public class BayesianDenseLayerImpl extends BayesianLayerImplBase<BayesianDenseLayer> {

    /**
     * @param conf     the layer's configuration
     * @param dataType the network's data type
     */
    public BayesianDenseLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType, layer -> new DenseMap(() -> layer.layerConf().getLayerName()));
    }
}
