package io.github.dl4jbayes.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The implementation of {@link BayesianDenseLayer}: DL4J's dense forward and backward pass on weights drawn
 * from the mean-field posterior ({@link MeanFieldPosterior}), with the KL term as the layer's regularization
 * score.
 */
public class BayesianDenseLayerImpl extends BaseLayer<BayesianDenseLayer> implements BayesianLayer {
    private final MeanFieldPosterior posterior;

    /**
     * @param conf     the layer's configuration
     * @param dataType the network's data type
     */
    public BayesianDenseLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        this.posterior = new MeanFieldPosterior(this::layerConf, () -> MeanFieldLayers.defaultNoiseSeed(this));
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
        posterior.newInput(input);
    }

    @Override
    protected INDArray getParamWithNoise(String param, boolean training, LayerWorkspaceMgr workspaceMgr) {
        return MeanFieldLayers.denseParam(posterior, param, training, params);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray epsilonNext = super.backpropGradient(epsilon, workspaceMgr).getSecond();
        double klScale = posterior.klGradientScale();
        return new Pair<>(posterior.completeGradient(klScale, gradientViews), epsilonNext);
    }

    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        return super.calcRegularizationScore(backpropParamsOnly) + posterior.klScore(conf.isMiniBatch());
    }

    @Override
    public double klDivergence() {
        return posterior.klDivergence();
    }

    @Override
    public BayesianLayerConfig bayesianConfig() {
        return layerConf();
    }

    @Override
    public MeanFieldState meanFieldState() {
        return posterior.state();
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
