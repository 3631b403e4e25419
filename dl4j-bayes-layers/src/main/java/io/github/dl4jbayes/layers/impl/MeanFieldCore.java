package io.github.dl4jbayes.layers.impl;

import io.github.dl4jbayes.layers.BayesianLayerConfig;
import io.github.dl4jbayes.layers.Estimator;
import io.github.dl4jbayes.layers.InferenceMode;
import io.github.dl4jbayes.layers.MeanFieldState;
import io.github.dl4jbayes.internal.estimators.LinearMap;
import io.github.dl4jbayes.internal.estimators.MeanFieldEstimator;
import io.github.dl4jbayes.internal.estimators.ScratchArray;
import io.github.dl4jbayes.internal.meanfield.MeanFieldPosterior;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;
import java.util.function.Supplier;

/**
 * What every Bayesian layer implementation does the same way, whatever DL4J base class it extends: it owns the
 * layer instance's {@link MeanFieldPosterior} and its {@link MeanFieldEstimator}, computes the pre-activations
 * (training: the configured estimator; outside training: whole-weight draws in {@link InferenceMode#SAMPLE}, the
 * means in {@link InferenceMode#MEAN}) and the backward pass from {@code dL/dz}, and scores the KL term.
 */
final class MeanFieldCore {
    private final Supplier<? extends BayesianLayerConfig> config;
    private final LinearMap map;
    private final MeanFieldPosterior posterior;
    /** Draws whole weights outside training, whatever the training estimator: one predictive sample, one network. */
    private final MeanFieldEstimator inference = MeanFieldEstimator.create(Estimator.REPARAMETERIZATION);
    private MeanFieldEstimator estimator;
    private Estimator estimatorKind;
    /** The training pre-activations of the current input, outside workspaces; valid until the next input. */
    private final ScratchArray trainingPreOutput = new ScratchArray();
    private boolean trainingPreOutputValid;

    /**
     * @param layer  the layer instance (for the default noise seed: configuration seed and layer index)
     * @param config the layer's current configuration
     * @param map    the layer's linear map
     */
    MeanFieldCore(Layer layer, Supplier<? extends BayesianLayerConfig> config, LinearMap map) {
        this.config = config;
        this.map = map;
        this.posterior = new MeanFieldPosterior(config::get,
                () -> MeanFieldState.layerSeed(layer.conf().getSeed(), layer.getIndex()));
    }

    MeanFieldPosterior posterior() {
        return posterior;
    }

    /**
     * A new input: the next forward pass draws anew (and computes the pre-activations anew).
     *
     * @param examples the minibatch size (the number of sequences for time-major rows)
     */
    void newInput(INDArray input, long examples) {
        posterior.newInput(input, examples);
        trainingPreOutputValid = false;
    }

    /**
     * @param miniBatch whether DL4J divides the loss by the minibatch size
     * @return the layer's share of the score's KL term ({@link MeanFieldPosterior#klScore}), a Monte-Carlo term at the
     *         draw of the training forward pass on the current input (drawn now if DL4J scores before that pass)
     */
    double klScore(boolean miniBatch) {
        posterior.drawForKl(estimator().drawKind());
        return posterior.klScore(miniBatch);
    }

    private MeanFieldEstimator estimator() {
        Estimator kind = config.get().getMeanField().getEstimator();
        if (kind != estimatorKind) {
            estimator = MeanFieldEstimator.create(kind);
            estimatorKind = kind;
        }
        return estimator;
    }

    /**
     * @return the pre-activations for {@code input}, in the activations workspace (a new array each call: DL4J's
     *         activation functions work in place). In training they are computed once per input and draw (DL4J asks
     *         again in the backward pass and for the score), as the step shares one draw anyway.
     */
    INDArray preOutput(INDArray input, boolean training, INDArray paramsFlat, LayerWorkspaceMgr workspaceMgr) {
        INDArray x = input.castTo(paramsFlat.dataType());
        INDArray z;
        if (training) {
            if (!trainingPreOutputValid) {
                trainingPreOutput.copyOf(estimator().forward(posterior, map, x));
                trainingPreOutputValid = true;
            }
            return workspaceMgr.dup(ArrayType.ACTIVATIONS, trainingPreOutput.get());
        } else if (posterior.state().getInferenceMode() == InferenceMode.SAMPLE) {
            z = inference.forward(posterior, map, x);
        } else {
            z = MeanFieldEstimator.meanForward(posterior, map, x);
        }
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, z);
    }

    /**
     * The backward pass of a training forward pass on {@code input}.
     *
     * @param delta {@code dL/dz}
     * @return the parameters' gradient (KL included) and {@code dL/dx}, in the activation-gradient workspace
     */
    Pair<Gradient, INDArray> backward(INDArray input, INDArray delta, Map<String, INDArray> gradientViews,
                                      INDArray paramsFlat, LayerWorkspaceMgr workspaceMgr) {
        INDArray x = input.castTo(paramsFlat.dataType());
        MeanFieldEstimator.Result r = estimator().backward(posterior, map, x, delta.castTo(x.dataType()),
                gradientViews);
        return new Pair<>(r.gradient(), workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, r.inputGradient()));
    }
}
