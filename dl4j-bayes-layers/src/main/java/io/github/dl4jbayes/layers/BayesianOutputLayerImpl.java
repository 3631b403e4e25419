package io.github.dl4jbayes.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Map;

/**
 * The implementation of {@link BayesianOutputLayer}: DL4J's output layer (loss, score, backward pass) on weights
 * drawn from the mean-field posterior ({@link MeanFieldPosterior}), with the KL term as the layer's regularization
 * score. The forward pass, the backward pass and the score of one training step share one draw.
 */
public class BayesianOutputLayerImpl extends BaseOutputLayer<BayesianOutputLayer> implements BayesianLayer {
    private final MeanFieldPosterior posterior;

    /**
     * @param conf     the layer's configuration
     * @param dataType the network's data type
     */
    public BayesianOutputLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
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

    /**
     * With a learned homoscedastic noise, the loss sees the means followed by the noise's raw scales repeated for
     * every row: {@code [n, 2 nOut]}, as from a heteroscedastic output.
     */
    @Override
    protected INDArray preOutput2d(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray means = super.preOutput2d(training, workspaceMgr);
        if (!layerConf().hasLearnedNoise()) {
            return means;
        }
        INDArray noise = params.get(MeanFieldLayout.NOISE).reshape(1, means.size(1));
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, means.dataType(), means.size(0),
                2 * means.size(1));
        long d = means.size(1);
        out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, d)).assign(means);
        out.get(NDArrayIndex.all(), NDArrayIndex.interval(d, 2 * d)).assign(noise.broadcast(means.size(0), d));
        return out;
    }

    /** With a learned noise, the output is the means followed by the noise's raw scales, {@code [n, 2 nOut]}. */
    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!layerConf().hasLearnedNoise()) {
            return super.activate(training, workspaceMgr);
        }
        INDArray out = layerConf().getActivationFn().getActivation(preOutput2d(training, workspaceMgr), training);
        if (maskArray != null) {
            applyMask(out);
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        MeanFieldLayers.checkLabels(labels, input, layerConf());
        INDArray epsilonNext = layerConf().hasLearnedNoise() ? backpropWithNoise(workspaceMgr)
                : super.backpropGradient(epsilon, workspaceMgr).getSecond();
        double klScale = posterior.klGradientScale();
        return new Pair<>(posterior.completeGradient(klScale, gradientViews), epsilonNext);
    }

    /**
     * The dense backward pass for a layer with learned noise: the loss's gradient splits into the means' part (which
     * flows through the weights as in DL4J's output layer) and the noise's part, summed over the rows.
     */
    private INDArray backpropWithNoise(LayerWorkspaceMgr workspaceMgr) {
        INDArray preOut = preOutput2d(true, workspaceMgr);
        INDArray delta = layerConf().getLossFn().computeGradient(labels, preOut, layerConf().getActivationFn(),
                maskArray);
        long d = layerConf().getNOut();
        INDArray deltaMeans = delta.get(NDArrayIndex.all(), NDArrayIndex.interval(0, d)).dup('c');
        INDArray deltaNoise = delta.get(NDArrayIndex.all(), NDArrayIndex.interval(d, 2 * d));
        gradientViews.get(MeanFieldLayout.NOISE).assign(deltaNoise.sum(0));
        INDArray weightGrad = gradientViews.get(org.deeplearning4j.nn.params.DefaultParamInitializer.WEIGHT_KEY);
        Nd4j.gemm(input.castTo(weightGrad.dataType()), deltaMeans, weightGrad, true, false, 1.0, 0.0);
        if (hasBias()) {
            deltaMeans.sum(gradientViews.get(org.deeplearning4j.nn.params.DefaultParamInitializer.BIAS_KEY), 0);
        }
        INDArray w = getParamWithNoise(org.deeplearning4j.nn.params.DefaultParamInitializer.WEIGHT_KEY, true,
                workspaceMgr);
        INDArray epsilonNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, deltaMeans.dataType(),
                new long[]{w.size(0), deltaMeans.size(0)}, 'f');
        return backpropDropOutIfPresent(w.mmuli(deltaMeans.transpose(), epsilonNext).transpose());
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
        MeanFieldLayers.checkLabels(labels, input, layerConf());
        return super.computeScore(fullNetRegTerm, training, workspaceMgr);
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
    protected INDArray getLabels2d(LayerWorkspaceMgr workspaceMgr, ArrayType arrayType) {
        return labels;
    }
}
