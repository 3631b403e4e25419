package io.github.dl4jbayes.layers.impl;

import io.github.dl4jbayes.layers.BayesianLayerConfig;
import io.github.dl4jbayes.internal.meanfield.MeanFieldPosterior;
import io.github.dl4jbayes.internal.estimators.LinearMap;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;
import java.util.function.Function;

/**
 * The implementation shared by the Bayesian layers that are a linear map followed by an activation (dense and
 * convolution): DL4J's {@link BaseLayer} with the forward and backward pass of the layer's estimator
 * ({@link MeanFieldCore}) and the KL term as the layer's regularization score.
 *
 * @param <C> the layer's configuration type
 */
public abstract class BayesianLayerImplBase<C extends org.deeplearning4j.nn.conf.layers.BaseLayer & BayesianLayerConfig>
        extends BaseLayer<C> implements MeanFieldLayerImpl {
    private final MeanFieldCore core;

    /**
     * @param conf     the layer's configuration
     * @param dataType the network's data type
     * @param map      the layer's linear map, given this layer
     */
    protected BayesianLayerImplBase(NeuralNetConfiguration conf, DataType dataType,
                                    Function<BayesianLayerImplBase<C>, LinearMap> map) {
        super(conf, dataType);
        this.core = new MeanFieldCore(this, this::layerConf, map.apply(this));
    }

    @Override
    public void setParamTable(Map<String, INDArray> paramTable) {
        super.setParamTable(paramTable);
        core.posterior().bindParams(paramsFlattened);
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray gradients) {
        super.setBackpropGradientsViewArray(gradients);
        core.posterior().bindGradients(gradients);
    }

    @Override
    public void setInput(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        super.setInput(input, workspaceMgr);
        core.newInput(input, input == null ? 0 : input.size(0));
    }

    @Override
    protected Pair<INDArray, INDArray> preOutputWithPreNorm(boolean training, boolean forBackprop,
                                                            LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(forBackprop);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray z = core.preOutput(input, training, paramsFlattened, workspaceMgr);
        if (maskArray != null && z.rank() == 2) {
            applyMask(z);
        }
        return new Pair<>(z, z);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray z = preOutputWithPreNorm(true, true, workspaceMgr).getFirst();
        INDArray delta = layerConf().getActivationFn().backprop(z, epsilon).getFirst();
        if (maskArray != null && delta.rank() == 2) {
            applyMask(delta);
        }
        Pair<Gradient, INDArray> result = core.backward(input, delta, gradientViews, paramsFlattened, workspaceMgr);
        weightNoiseParams.clear();
        return new Pair<>(result.getFirst(), backpropDropOutIfPresent(result.getSecond()));
    }

    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        return super.calcRegularizationScore(backpropParamsOnly) + core.klScore(conf.isMiniBatch());
    }

    @Override
    public MeanFieldPosterior posterior() {
        return core.posterior();
    }

    @Override
    public BayesianLayerConfig bayesianConfig() {
        return layerConf();
    }

    @Override
    public boolean hasBias() {
        return layerConf().hasBias();
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }
}
