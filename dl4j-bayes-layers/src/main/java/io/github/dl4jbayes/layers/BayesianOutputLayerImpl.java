package io.github.dl4jbayes.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The implementation of {@link BayesianOutputLayer}: DL4J's output layer (loss, score, backward pass) on weights
 * drawn from the mean-field posterior ({@link MeanFieldPosterior}), with the KL term as the layer's regularization
 * score. The forward pass, the backward pass and the score of one training step share one draw.
 */
public class BayesianOutputLayerImpl extends BaseOutputLayer<BayesianOutputLayer> {
    private final MeanFieldPosterior posterior;

    /**
     * @param conf     the layer's configuration
     * @param dataType the network's data type
     */
    public BayesianOutputLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        this.posterior = new MeanFieldPosterior(this::layerConf);
    }

    @Override
    public void setParamTable(Map<String, INDArray> paramTable) {
        super.setParamTable(paramTable);
        posterior.bindParams(paramsFlattened);
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray gradients) {
        super.setBackpropGradientsViewArray(gradients);
        MeanFieldLayers.aliasDenseGradients(gradientViews, posterior, gradients);
    }

    @Override
    public void setInput(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        super.setInput(input, workspaceMgr);
        posterior.invalidate();
    }

    @Override
    protected INDArray getParamWithNoise(String param, boolean training, LayerWorkspaceMgr workspaceMgr) {
        return MeanFieldLayers.denseParam(posterior, layerConf(), param, training, params);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        MeanFieldLayers.checkLabels(labels, input, layerConf());
        INDArray epsilonNext = super.backpropGradient(epsilon, workspaceMgr).getSecond();
        double klScale = posterior.klGradientScale(conf.isMiniBatch(), getInputMiniBatchSize());
        return new Pair<>(posterior.completeGradient(klScale, gradientViews), epsilonNext);
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
        MeanFieldLayers.checkLabels(labels, input, layerConf());
        return super.computeScore(fullNetRegTerm, training, workspaceMgr);
    }

    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        return super.calcRegularizationScore(backpropParamsOnly) + posterior.klScore();
    }

    /** @return {@code KL(q || p)} of this layer at its current parameters, unscaled */
    public double klDivergence() {
        return posterior.klDivergence();
    }

    @Override
    protected INDArray getLabels2d(LayerWorkspaceMgr workspaceMgr, ArrayType arrayType) {
        return labels;
    }
}
