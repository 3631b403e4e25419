package io.github.dl4jbayes.internal;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.Collection;

/**
 * One view of DL4J's two network types, {@link MultiLayerNetwork} and {@link ComputationGraph}, for everything the
 * library does with a network: its layers, training counters, listeners, forward pass, gradient and updater. DL4J
 * gives the two types a common {@link Model} interface but not these methods; this class is the one place that
 * tells them apart, so that {@code Advi}, the predictive and the settings have one code path for both.
 */
public abstract class NetworkAdapter {

    private NetworkAdapter() {
    }

    /**
     * @param model a {@link MultiLayerNetwork} or a {@link ComputationGraph}, initialized
     * @return the adapter
     * @throws IllegalArgumentException if {@code model} is null, of another type, or not initialized
     */
    public static NetworkAdapter of(Model model) {
        if (model instanceof MultiLayerNetwork) {
            MultiLayerNetwork net = (MultiLayerNetwork) model;
            requireInitialized(net.getLayers());
            return new Multi(net);
        }
        if (model instanceof ComputationGraph) {
            ComputationGraph graph = (ComputationGraph) model;
            requireInitialized(graph.getLayers());
            return new Graph(graph);
        }
        throw new IllegalArgumentException("net must be a MultiLayerNetwork or a ComputationGraph, got "
                + (model == null ? "null" : model.getClass().getName()));
    }

    private static void requireInitialized(Layer[] layers) {
        if (layers == null) {
            throw new IllegalArgumentException("The network is not initialized: call net.init() first");
        }
    }

    /** @return the network */
    public abstract Model model();

    /** @return the network's layers: in order for a MultiLayerNetwork, in topological order for a graph */
    public abstract Layer[] layers();

    /**
     * @param layer one of {@link #layers()}
     * @return the prefix of the layer's parameters in the network's parameter table, as DL4J writes it: the layer's
     *         index in a MultiLayerNetwork ({@code "0"} for {@code "0_W"}), its vertex name in a graph
     */
    public abstract String parameterPrefix(Layer layer);

    /** @return the default layer configuration: seed, mini-batch setting */
    protected abstract NeuralNetConfiguration defaults();

    /** @return the configuration's {@code backpropType(...)} */
    protected abstract BackpropType backpropType();

    /** @return the configuration's truncated-BPTT forward length */
    protected abstract int tbpttFwdLength();

    /**
     * @return how many truncated-BPTT segments DL4J's {@code fit} cuts {@code batch} into, each its own optimizer step:
     *         {@code ceil(T / tbpttFwdLength)} for sequences {@code [B, F, T]} with {@code backpropType(TruncatedBPTT)},
     *         else 1 (DL4J reads the time axis as dimension 2)
     */
    public int segments(MultiDataSet batch) {
        if (backpropType() != BackpropType.TruncatedBPTT) {
            return 1;
        }
        for (INDArray f : batch.getFeatures()) {
            if (f != null && f.rank() == 3) {
                long fwd = Math.max(1, tbpttFwdLength());
                return (int) Math.max(1, (f.size(2) + fwd - 1) / fwd);
            }
        }
        return 1;
    }

    /** @return the configuration's {@code seed(...)} */
    public long seed() {
        return defaults().getSeed();
    }

    /** @return the configuration's {@code miniBatch(...)}: whether the score is a mean over the minibatch */
    public boolean miniBatch() {
        return defaults().isMiniBatch();
    }

    /** @return the number of network inputs (1 for a MultiLayerNetwork) */
    public abstract int numInputs();

    /** @return the number of network outputs (1 for a MultiLayerNetwork) */
    public abstract int numOutputs();

    /** @return the output layer of output {@code i} */
    public abstract Layer outputLayer(int i);

    /** @return the minibatch size of the last input */
    public abstract int batchSize();

    /** @return the number of optimizer steps taken */
    public abstract int iterationCount();

    /** Sets the number of optimizer steps taken. */
    public abstract void setIterationCount(int iterations);

    /** @return the number of epochs completed */
    public abstract int epochCount();

    /** Counts one more epoch (the counter only, as DL4J's own {@code incrementEpochCount} does). */
    public abstract void incrementEpochCount();

    /** @return the network's listeners */
    public abstract Collection<TrainingListener> listeners();

    /** Replaces the network's listeners. */
    public abstract void setListeners(Collection<TrainingListener> listeners);

    /** Sets the network's score (after a step computed outside DL4J's fit). */
    public abstract void setScore(double score);

    /** @return the network's outputs for the inputs, in inference mode (one array per output) */
    public abstract INDArray[] output(INDArray... inputs);

    /** One step of DL4J's own training on the minibatch (its updater, listeners and counters). */
    public abstract void fit(MultiDataSet batch);

    /** @return the score after DL4J's forward and backward pass on the minibatch (gradient in the gradient view) */
    public abstract double computeGradientAndScore(MultiDataSet batch);

    /** @return the gradient of the last backward pass (over the gradient view) */
    public Gradient gradient() {
        return model().gradient();
    }

    /** Applies the network's updater to {@code gradient} (in place, over the gradient view). */
    public abstract void applyUpdater(Gradient gradient, int iteration, int epoch, int batchSize);

    /** Clears the mask arrays of the last minibatch. */
    public abstract void clearLayerMaskArrays();

    /** @return the layer inside DL4J's wrapper layers ({@code LastTimeStep}, ...), or the layer itself */
    public static Layer unwrap(Layer layer) {
        Layer inner = layer;
        while (inner instanceof BaseWrapperLayer) {
            inner = ((BaseWrapperLayer) inner).getUnderlying();
        }
        return inner;
    }

    private static final class Multi extends NetworkAdapter {
        private final MultiLayerNetwork net;

        Multi(MultiLayerNetwork net) {
            this.net = net;
        }

        @Override
        public Model model() {
            return net;
        }

        @Override
        public Layer[] layers() {
            return net.getLayers();
        }

        @Override
        public String parameterPrefix(Layer layer) {
            return String.valueOf(layer.getIndex());
        }

        @Override
        protected NeuralNetConfiguration defaults() {
            return net.getLayerWiseConfigurations().getConf(0);
        }

        @Override
        protected BackpropType backpropType() {
            return net.getLayerWiseConfigurations().getBackpropType();
        }

        @Override
        protected int tbpttFwdLength() {
            return net.getLayerWiseConfigurations().getTbpttFwdLength();
        }

        @Override
        public int numInputs() {
            return 1;
        }

        @Override
        public int numOutputs() {
            return 1;
        }

        @Override
        public Layer outputLayer(int i) {
            if (i != 0) {
                throw new IllegalArgumentException("A MultiLayerNetwork has one output, asked for output " + i);
            }
            return net.getOutputLayer();
        }

        @Override
        public int batchSize() {
            return net.batchSize();
        }

        @Override
        public int iterationCount() {
            return net.getIterationCount();
        }

        @Override
        public void setIterationCount(int iterations) {
            net.setIterationCount(iterations);
        }

        @Override
        public int epochCount() {
            return net.getEpochCount();
        }

        @Override
        public void incrementEpochCount() {
            net.incrementEpochCount();
        }

        @Override
        public Collection<TrainingListener> listeners() {
            return net.getListeners();
        }

        @Override
        public void setListeners(Collection<TrainingListener> listeners) {
            net.setListeners(listeners);
        }

        @Override
        public void setScore(double score) {
            net.setScore(score);
        }

        @Override
        public INDArray[] output(INDArray... inputs) {
            if (inputs.length != 1) {
                throw new IllegalArgumentException("A MultiLayerNetwork takes one input, got " + inputs.length);
            }
            return new INDArray[]{net.output(inputs[0], false)};
        }

        @Override
        public void fit(MultiDataSet batch) {
            // as a DataSet with both masks: DL4J's fit(MultiDataSet) reads the labels mask only with a features mask
            net.fit(new org.nd4j.linalg.dataset.DataSet(single(batch.getFeatures(), "features"),
                    single(batch.getLabels(), "labels"), first(batch.getFeaturesMaskArrays()),
                    first(batch.getLabelsMaskArrays())));
        }

        private static INDArray single(INDArray[] arrays, String what) {
            if (arrays == null || arrays.length != 1) {
                throw new IllegalArgumentException("A MultiLayerNetwork takes one " + what + " array, got "
                        + (arrays == null ? 0 : arrays.length));
            }
            return arrays[0];
        }

        private static INDArray first(INDArray[] masks) {
            return masks == null ? null : masks[0];
        }

        @Override
        public double computeGradientAndScore(MultiDataSet batch) {
            net.setInput(single(batch.getFeatures(), "features"));
            net.setLabels(single(batch.getLabels(), "labels"));
            net.setLayerMaskArrays(first(batch.getFeaturesMaskArrays()), first(batch.getLabelsMaskArrays()));
            net.computeGradientAndScore();
            return net.score();
        }

        @Override
        public void applyUpdater(Gradient gradient, int iteration, int epoch, int batchSize) {
            net.getUpdater().update(net, gradient, iteration, epoch, batchSize, LayerWorkspaceMgr.noWorkspaces());
        }

        @Override
        public void clearLayerMaskArrays() {
            net.clearLayerMaskArrays();
        }
    }

    private static final class Graph extends NetworkAdapter {
        private final ComputationGraph graph;

        Graph(ComputationGraph graph) {
            this.graph = graph;
        }

        @Override
        public Model model() {
            return graph;
        }

        @Override
        public Layer[] layers() {
            return graph.getLayers();
        }

        @Override
        public String parameterPrefix(Layer layer) {
            return layer.conf().getLayer().getLayerName();
        }

        @Override
        protected NeuralNetConfiguration defaults() {
            return graph.getConfiguration().getDefaultConfiguration();
        }

        @Override
        protected BackpropType backpropType() {
            return graph.getConfiguration().getBackpropType();
        }

        @Override
        protected int tbpttFwdLength() {
            return graph.getConfiguration().getTbpttFwdLength();
        }

        @Override
        public int numInputs() {
            return graph.getNumInputArrays();
        }

        @Override
        public int numOutputs() {
            return graph.getNumOutputArrays();
        }

        @Override
        public Layer outputLayer(int i) {
            if (i < 0 || i >= graph.getNumOutputArrays()) {
                throw new IllegalArgumentException("The graph has " + graph.getNumOutputArrays()
                        + " output(s), asked for output " + i);
            }
            return graph.getOutputLayer(i);
        }

        @Override
        public int batchSize() {
            return graph.batchSize();
        }

        @Override
        public int iterationCount() {
            return graph.getIterationCount();
        }

        @Override
        public void setIterationCount(int iterations) {
            graph.getConfiguration().setIterationCount(iterations);
        }

        @Override
        public int epochCount() {
            return graph.getEpochCount();
        }

        @Override
        public void incrementEpochCount() {
            graph.incrementEpochCount();
        }

        @Override
        public Collection<TrainingListener> listeners() {
            return graph.getListeners();
        }

        @Override
        public void setListeners(Collection<TrainingListener> listeners) {
            graph.setListeners(listeners);
        }

        @Override
        public void setScore(double score) {
            graph.setScore(score);
        }

        @Override
        public INDArray[] output(INDArray... inputs) {
            if (inputs.length != graph.getNumInputArrays()) {
                throw new IllegalArgumentException("The graph takes " + graph.getNumInputArrays() + " input(s), got "
                        + inputs.length);
            }
            return graph.output(false, inputs);
        }

        @Override
        public void fit(MultiDataSet batch) {
            graph.fit(batch);
        }

        @Override
        public double computeGradientAndScore(MultiDataSet batch) {
            graph.setInputs(batch.getFeatures());
            graph.setLabels(batch.getLabels());
            graph.setLayerMaskArrays(batch.getFeaturesMaskArrays(), batch.getLabelsMaskArrays());
            graph.computeGradientAndScore();
            return graph.score();
        }

        @Override
        public void applyUpdater(Gradient gradient, int iteration, int epoch, int batchSize) {
            graph.getUpdater().update(gradient, iteration, epoch, batchSize, LayerWorkspaceMgr.noWorkspaces());
        }

        @Override
        public void clearLayerMaskArrays() {
            graph.clearLayerMaskArrays();
        }
    }
}
