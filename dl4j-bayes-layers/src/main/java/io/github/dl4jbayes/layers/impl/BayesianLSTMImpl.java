package io.github.dl4jbayes.layers.impl;

import io.github.dl4jbayes.internal.estimators.LstmEstimator;
import io.github.dl4jbayes.internal.estimators.MeanFieldEstimator;
import io.github.dl4jbayes.internal.meanfield.MeanFieldPosterior;
import io.github.dl4jbayes.layers.BayesianLSTM;
import io.github.dl4jbayes.layers.BayesianLayerConfig;
import io.github.dl4jbayes.layers.InferenceMode;
import io.github.dl4jbayes.layers.MeanFieldState;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.BaseRecurrentLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Map;

/**
 * The implementation of {@link BayesianLSTM}: DL4J's recurrent layer protocol (full passes, {@code rnnTimeStep} with
 * stored state, truncated BPTT segments) over {@link LstmEstimator}, with the KL term as the layer's regularization
 * score. A training forward pass is kept for the backward pass of the same input (one draw per pass).
 */
public class BayesianLSTMImpl extends BaseRecurrentLayer<BayesianLSTM> implements MeanFieldLayerImpl {
    /** State keys, as DL4J's LSTM's. */
    static final String STATE_HIDDEN = "prevAct";
    static final String STATE_CELL = "prevMem";

    private final MeanFieldPosterior posterior;
    private LstmEstimator estimator;
    /** Whether the training pass of the current input is kept (valid for its backward pass). */
    private boolean trainingPassValid;

    /**
     * @param conf     the layer's configuration
     * @param dataType the network's data type
     */
    public BayesianLSTMImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        this.posterior = new MeanFieldPosterior(this::layerConf,
                () -> MeanFieldState.layerSeed(this.conf().getSeed(), getIndex()));
    }

    private LstmEstimator estimator() {
        if (estimator == null) {
            estimator = new LstmEstimator(layerConf().getGateActivationFn(), layerConf().getActivationFn());
        }
        return estimator;
    }

    @Override
    public void setParamTable(Map<String, INDArray> paramTable) {
        super.setParamTable(paramTable);
        posterior.bindParams(paramsFlattened);
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray gradients) {
        super.setBackpropGradientsViewArray(gradients);
        posterior.bindGradients(gradients);
    }

    @Override
    public void setInput(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        super.setInput(input, workspaceMgr);
        posterior.newInput(input);
        trainingPassValid = false;
    }

    /** The input, time-major {@code [T * B, nIn]} in the parameters' data type, checked against the layer. */
    private INDArray timeMajorInput() {
        BayesianLSTM c = layerConf();
        RNNFormat format = c.getRnnDataFormat();
        if (input.rank() != 3 || TimeMajor.features(input, format) != c.getNIn()) {
            throw new DL4JInvalidInputException("BayesianLSTM '" + name() + "' (index " + getIndex() + "): input of shape "
                    + Arrays.toString(input.shape()) + " does not match [minibatch, "
                    + (format == RNNFormat.NWC ? "timeSteps, " + c.getNIn() : c.getNIn() + ", timeSteps")
                    + "] (nIn = " + c.getNIn() + ", data format " + format + ")");
        }
        return TimeMajor.rows(input.castTo(paramsFlattened.dataType()), format);
    }

    private String name() {
        return layerConf().getLayerName() == null ? "(unnamed)" : layerConf().getLayerName();
    }

    private long steps() {
        return TimeMajor.steps(input, layerConf().getRnnDataFormat());
    }

    private long batch() {
        return input.size(0);
    }

    /** The mask, time-major {@code [T * B, 1]}, or null. */
    private INDArray timeMajorMask() {
        if (maskArray == null) {
            return null;
        }
        if (maskArray.rank() != 2 || maskArray.size(0) != batch() || maskArray.size(1) != steps()) {
            throw new DL4JInvalidInputException("BayesianLSTM '" + name() + "': mask of shape "
                    + Arrays.toString(maskArray.shape()) + " does not match [minibatch, timeSteps] = [" + batch()
                    + ", " + steps() + "]");
        }
        return TimeMajor.maskRows(maskArray.castTo(paramsFlattened.dataType()));
    }

    /** A time-major {@code [T * B, F]} array as the layer's data format, {@code [B, F, T]} or {@code [B, T, F]}. */
    private INDArray toLayerFormat(INDArray timeMajor, ArrayType type, LayerWorkspaceMgr workspaceMgr) {
        return workspaceMgr.dup(type, TimeMajor.sequences(timeMajor, steps(), batch(), layerConf().getRnnDataFormat()));
    }

    /**
     * The forward pass from the given state.
     *
     * @param storeLast where to keep the final state (detached), or null
     */
    private INDArray forward(boolean training, Map<String, INDArray> initial, Map<String, INDArray> storeLast,
                             LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray x = timeMajorInput();
        INDArray h0 = initial == null ? null : initial.get(STATE_HIDDEN);
        INDArray c0 = initial == null ? null : initial.get(STATE_CELL);
        INDArray h;
        if (training) {
            h = estimator().forwardTraining(posterior, layerConf().getMeanField().getEstimator(), x, steps(), batch(),
                    h0, c0, timeMajorMask());
            trainingPassValid = true;
        } else {
            h = estimator().forwardInference(posterior,
                    posterior.state().getInferenceMode() == InferenceMode.SAMPLE, x, steps(), batch(), h0, c0,
                    timeMajorMask());
        }
        if (storeLast != null) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                storeLast.put(STATE_HIDDEN, estimator().lastHidden().dup());
                storeLast.put(STATE_CELL, estimator().lastCell().dup());
            }
        }
        return toLayerFormat(h, ArrayType.ACTIVATIONS, workspaceMgr);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return forward(training, null, null, workspaceMgr);
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        return forward(false, stateMap, stateMap, workspaceMgr);
    }

    @Override
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
                                                LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        return forward(training, tBpttStateMap, storeLastForTBPTT ? tBpttStateMap : null, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!trainingPassValid) {
            forward(true, null, null, workspaceMgr);      // a full pass from the zero state, as DL4J's LSTM
        }
        return backward(epsilon, -1, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int tbpttBackLength,
                                                          LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!trainingPassValid) {
            // the segment's initial state was replaced by its final state when the segment's forward pass ran
            throw new IllegalStateException("BayesianLSTM '" + name() + "': truncated BPTT backward pass without the "
                    + "segment's training forward pass (rnnActivateUsingStoredState(input, true, true)) on this input");
        }
        return backward(epsilon, tbpttBackLength, workspaceMgr);
    }

    private Pair<Gradient, INDArray> backward(INDArray epsilon, int backwardSteps, LayerWorkspaceMgr workspaceMgr) {
        INDArray eps = TimeMajor.rows(epsilon.castTo(paramsFlattened.dataType()), layerConf().getRnnDataFormat());
        MeanFieldEstimator.Result r = estimator().backward(posterior, eps, backwardSteps, gradientViews);
        trainingPassValid = false;
        weightNoiseParams.clear();
        INDArray dx = toLayerFormat(r.inputGradient(), ArrayType.ACTIVATION_GRAD, workspaceMgr);
        return new Pair<>(r.gradient(), backpropDropOutIfPresent(dx));
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                          int minibatchSize) {
        // as DL4J's LSTM: the mask is used inside the layer; the outputs keep their time axis
        return new Pair<>(maskArray, MaskState.Passthrough);
    }

    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        posterior.drawForKl(LstmEstimator.drawKind(layerConf().getMeanField().getEstimator()));
        return super.calcRegularizationScore(backpropParamsOnly) + posterior.klScore(conf.isMiniBatch());
    }

    @Override
    public Gradient gradient() {
        throw new UnsupportedOperationException("BayesianLSTM '" + name() + "': no layerwise pretraining");
    }

    @Override
    public Type type() {
        return Type.RECURRENT;
    }

    @Override
    public MeanFieldPosterior posterior() {
        return posterior;
    }

    @Override
    public BayesianLayerConfig bayesianConfig() {
        return layerConf();
    }

    @Override
    public boolean hasBias() {
        return true;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }
}
