package io.github.dl4jbayes.layers.impl;

import io.github.dl4jbayes.internal.estimators.ScratchArray;
import io.github.dl4jbayes.layers.BayesianRnnOutputLayer;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * The implementation of {@link BayesianRnnOutputLayer}: {@link BayesianOutputLayerImpl} on the time steps as rows.
 * Inputs, labels and masks are turned into time-major rows ({@code t * B + b}) when they are set, so that the whole
 * sequence is one product per pass; outputs and input gradients go back to the layer's data format.
 */
public class BayesianRnnOutputLayerImpl extends BayesianOutputLayerImpl {
    private final ScratchArray inputRows = new ScratchArray();
    private INDArray input3d;
    private long batch;
    private long steps;

    /**
     * @param conf     the layer's configuration
     * @param dataType the network's data type
     */
    public BayesianRnnOutputLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private RNNFormat format() {
        return ((BayesianRnnOutputLayer) layerConf()).getRnnDataFormat();
    }

    private String name() {
        return layerConf().getLayerName() == null ? "(unnamed)" : layerConf().getLayerName();
    }

    /**
     * {@code [B, F, T]} (NCW) or {@code [B, T, F]} (NWC) as time-major rows {@code [T * B, F]}, copied into
     * {@code store} (reused from pass to pass, outside workspaces: the rows must outlive the workspace that was open
     * when they were set, as DL4J scores a graph's output layer after its layer workspaces closed), or into a new
     * array outside workspaces when {@code store} is null.
     */
    private INDArray rows(INDArray a, String what, ScratchArray store) {
        if (a.rank() != 3) {
            throw new DL4JInvalidInputException("BayesianRnnOutputLayer '" + name() + "': " + what + " of shape "
                    + Arrays.toString(a.shape()) + " must have rank 3: [minibatch, "
                    + (format() == RNNFormat.NWC ? "timeSteps, size]" : "size, timeSteps]") + " (data format "
                    + format() + ")");
        }
        INDArray timeMajor = TimeMajor.view(a, format());
        if (store != null) {
            return TimeMajor.asRows(store.of(a.dataType(), timeMajor.shape()).assign(timeMajor));
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return TimeMajor.asRows(timeMajor.dup('c'));
        }
    }

    /** Time-major rows {@code [T * B, F]} back as the layer's data format. */
    private INDArray sequences(INDArray rows, ArrayType type, LayerWorkspaceMgr workspaceMgr) {
        return workspaceMgr.dup(type, TimeMajor.sequences(rows, steps, batch, format()));
    }

    /** A mask {@code [B, T]} as a time-major column {@code [T * B, 1]} outside workspaces (a column is kept). */
    private static INDArray maskRows(INDArray mask) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return TimeMajor.maskRows(mask);
        }
    }

    @Override
    public void setInput(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        if (input == null) {
            input3d = null;
            super.setInput(null, workspaceMgr);
            return;
        }
        input3d = input;
        batch = input.size(0);
        steps = TimeMajor.steps(input, format());
        super.setInput(rows(input, "input", inputRows), workspaceMgr);
    }

    @Override
    public INDArray getInput() {
        return input3d;
    }

    /** @return the number of sequences (not of time-major rows): DL4J divides scores and gradients by it */
    @Override
    public int getInputMiniBatchSize() {
        return input3d == null ? super.getInputMiniBatchSize() : (int) batch;
    }

    @Override
    public void setLabels(INDArray labels) {
        super.setLabels(labels == null || labels.rank() != 3 ? labels : rows(labels, "labels", null));
    }

    @Override
    public void setMaskArray(INDArray maskArray) {
        super.setMaskArray(maskRows(maskArray));
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return sequences(super.activate(training, workspaceMgr), ArrayType.ACTIVATIONS, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        Pair<Gradient, INDArray> p = super.backpropGradient(epsilon, workspaceMgr);
        return new Pair<>(p.getFirst(), sequences(p.getSecond(), ArrayType.ACTIVATION_GRAD, workspaceMgr));
    }

    /** @return each sequence's score: the sum over its (unmasked) steps, plus the network's regularization term */
    @Override
    public INDArray computeScoreForExamples(double fullNetRegTerm, LayerWorkspaceMgr workspaceMgr) {
        INDArray perStep = super.computeScoreForExamples(0.0, workspaceMgr);
        INDArray perSequence = perStep.reshape('c', steps, batch).sum(0).reshape(batch, 1);
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, perSequence.addi(fullNetRegTerm));
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                          int minibatchSize) {
        this.maskArray = maskRows(maskArray);
        this.maskState = currentMaskState;
        return null;
    }

    @Override
    public Type type() {
        return Type.RECURRENT;
    }
}
