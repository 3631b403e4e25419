package io.github.dl4jbayes.layers.impl;

import io.github.dl4jbayes.layers.BayesianLayerConfig;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.layers.MeanFieldLayout;
import io.github.dl4jbayes.internal.meanfield.MeanFieldPosterior;
import io.github.dl4jbayes.internal.estimators.DenseMap;
import io.github.dl4jbayes.likelihoods.LossGaussianNll;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.Map;

/**
 * The implementation of {@link BayesianOutputLayer}: DL4J's output layer (loss, score) on the pre-activations of the
 * layer's estimator ({@link MeanFieldCore}), with the KL term as the layer's regularization score. The forward pass,
 * the backward pass and the score of one training step share one draw.
 */
public class BayesianOutputLayerImpl extends BaseOutputLayer<BayesianOutputLayer> implements MeanFieldLayerImpl {
    private final MeanFieldCore core;

    /**
     * @param conf     the layer's configuration
     * @param dataType the network's data type
     */
    public BayesianOutputLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        this.core = new MeanFieldCore(this, this::layerConf, new DenseMap(() -> layerConf().getLayerName()));
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
        core.newInput(input, input == null ? 0 : getInputMiniBatchSize());
    }

    @Override
    protected Pair<INDArray, INDArray> preOutputWithPreNorm(boolean training, boolean forBackprop,
                                                            LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(forBackprop);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray z = core.preOutput(input, training, paramsFlattened, workspaceMgr);
        if (maskArray != null) {
            applyMask(z);
        }
        return new Pair<>(z, z);
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

    /**
     * The loss's gradient {@code dL/dz} through the layer's estimator; with a learned noise it splits into the means'
     * part (which flows through the weights) and the noise's part, summed over the rows.
     */
    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        checkLabels();
        INDArray preOut = preOutput2d(true, workspaceMgr);
        INDArray delta = layerConf().getLossFn().computeGradient(labels, preOut, layerConf().getActivationFn(),
                maskArray);
        if (layerConf().hasLearnedNoise()) {
            long d = layerConf().getNOut();
            gradientViews.get(MeanFieldLayout.NOISE).assign(
                    delta.get(NDArrayIndex.all(), NDArrayIndex.interval(d, 2 * d)).sum(0));
            delta = delta.get(NDArrayIndex.all(), NDArrayIndex.interval(0, d)).dup('c');
        }
        Pair<Gradient, INDArray> result = core.backward(input, delta, gradientViews, paramsFlattened, workspaceMgr);
        weightNoiseParams.clear();
        return new Pair<>(result.getFirst(), backpropDropOutIfPresent(result.getSecond()));
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
        checkLabels();
        return super.computeScore(fullNetRegTerm, training, workspaceMgr);
    }

    /** Rejects labels whose shape does not match the output layer, with a message that names both shapes. */
    private void checkLabels() {
        BayesianOutputLayer conf = layerConf();
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
    protected INDArray getLabels2d(LayerWorkspaceMgr workspaceMgr, ArrayType arrayType) {
        return labels;
    }
}
