package io.github.dl4jbayes.baselines;

import io.github.dl4jbayes.internal.NetworkAdapter;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What the baselines ask of a plain DL4J network beyond {@link NetworkAdapter} (which checks its kind and
 * initialization and gives its layers and outputs): one input and one output, its output size, its data type.
 */
final class Networks {
    private Networks() {
    }

    /**
     * @param name  the argument's name, for the message
     * @param model a {@code MultiLayerNetwork} or {@code ComputationGraph}, initialized, of one input and one output
     * @return its adapter
     * @throws IllegalArgumentException naming the argument if the network is not of that form
     */
    static NetworkAdapter adapter(String name, Model model) {
        NetworkAdapter adapter;
        try {
            adapter = NetworkAdapter.of(model);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
        if (adapter.numInputs() != 1 || adapter.numOutputs() != 1) {
            throw new IllegalArgumentException(name + ": the graph has " + adapter.numInputs() + " inputs and "
                    + adapter.numOutputs() + " outputs; one of each is supported");
        }
        return adapter;
    }

    /** @return the number of outputs of the output layer, or -1 where the configuration does not say */
    static long outputSize(NetworkAdapter adapter) {
        return adapter.outputLayer(0).conf().getLayer() instanceof FeedForwardLayer f ? f.getNOut() : -1;
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
}
