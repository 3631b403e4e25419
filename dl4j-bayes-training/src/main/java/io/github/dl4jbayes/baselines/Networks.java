package io.github.dl4jbayes.baselines;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;

/** What the baselines ask of a plain DL4J network: its kind, one input and one output, its layers. */
final class Networks {
    private Networks() {
    }

    /**
     * @param name  the argument's name, for the message
     * @param model a {@code MultiLayerNetwork} or {@code ComputationGraph}, initialized, of one input and one output
     * @return {@code model}
     */
    static Model checkSingleInputOutput(String name, Model model) {
        if (model instanceof MultiLayerNetwork net) {
            if (net.params() == null || net.getLayers() == null) {
                throw new IllegalArgumentException(name + ": the network is not initialized (call init())");
            }
            return model;
        }
        if (model instanceof ComputationGraph graph) {
            if (graph.params() == null || graph.getLayers() == null) {
                throw new IllegalArgumentException(name + ": the network is not initialized (call init())");
            }
            if (graph.getNumInputArrays() != 1 || graph.getNumOutputArrays() != 1) {
                throw new IllegalArgumentException(name + ": the graph has " + graph.getNumInputArrays()
                        + " inputs and " + graph.getNumOutputArrays() + " outputs; one of each is supported");
            }
            return model;
        }
        throw new IllegalArgumentException(name + " must be a MultiLayerNetwork or a ComputationGraph, got "
                + (model == null ? "null" : model.getClass().getName()));
    }

    /** @return the network's layers, in order (a graph's in its own layer order) */
    static Layer[] layers(Model model) {
        return model instanceof MultiLayerNetwork net ? net.getLayers() : ((ComputationGraph) model).getLayers();
    }

    /** @return the output layer */
    static Layer outputLayer(Model model) {
        return model instanceof MultiLayerNetwork net ? net.getOutputLayer()
                : ((ComputationGraph) model).getOutputLayer(0);
    }

    /** @return the number of outputs of the output layer, or -1 where the configuration does not say */
    static long outputSize(Model model) {
        return outputLayer(model).conf().getLayer() instanceof FeedForwardLayer f ? f.getNOut() : -1;
    }

    /** @return the network's data type */
    static DataType dataType(Model model) {
        return model instanceof MultiLayerNetwork net ? net.getLayerWiseConfigurations().getDataType()
                : ((ComputationGraph) model).getConfiguration().getDataType();
    }

    /**
     * ND4J 1.0.0-M2.1 ignores a seed of 0 ({@code setSeed(0)} leaves its generator where it is, so "seed 0" does not
     * repeat from run to run); every other seed repeats. This maps seeds one to one onto seeds ND4J honours (0 goes
     * to a non-zero value; only the seed {@code 0x5DEECE66D} itself maps to 0).
     */
    static long nd4jSeed(long seed) {
        return seed ^ 0x5DEECE66DL;
    }

    /** @return the network's deterministic output ({@code output(x)} in inference mode) */
    static org.nd4j.linalg.api.ndarray.INDArray output(Model model, org.nd4j.linalg.api.ndarray.INDArray x) {
        return model instanceof MultiLayerNetwork net ? net.output(x) : ((ComputationGraph) model).outputSingle(x);
    }
}
