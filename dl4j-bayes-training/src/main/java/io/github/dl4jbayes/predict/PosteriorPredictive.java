package io.github.dl4jbayes.predict;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.InferenceMode;
import io.github.dl4jbayes.internal.NetworkAdapter;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Monte-Carlo posterior predictive of a Bayesian network: the network's outputs for {@code samples} independent
 * draws of all its Bayesian weights, summarized by their mean and standard deviation.
 *
 * <pre>{@code
 * PredictiveSamples p = PosteriorPredictive.of(net).samples(500).predict(grid);
 * INDArray prob = p.mean();        // predictive mean, e.g. P(y = 1 | x, data)
 * INDArray uncertainty = p.std();  // spread of the output over the posterior
 * }</pre>
 *
 * <p>Each draw is one forward pass of the whole input with fresh weights (the weights are shared by all rows of
 * a draw, as in the PyMC notebook's {@code sample_ppc}); the network is put in {@link InferenceMode#SAMPLE} for
 * the duration and restored afterwards. The mean and standard deviation are accumulated in double precision and
 * returned in the network's data type.
 *
 * <p>The network may be a {@code MultiLayerNetwork} or a {@code ComputationGraph}; a graph with several inputs or
 * outputs is sampled with {@link #predictAll(INDArray...)}, which gives one {@link PredictiveSamples} per output from
 * the same draws (a draw is one whole network).
 */
public final class PosteriorPredictive implements PredictiveModel {
    private static final Logger log = LoggerFactory.getLogger(PosteriorPredictive.class);

    private final NetworkAdapter net;
    private int samples = 100;
    private boolean keepSamples = true;

    private PosteriorPredictive(NetworkAdapter net) {
        this.net = net;
    }

    /**
     * @param net a {@code MultiLayerNetwork} or {@code ComputationGraph} with at least one Bayesian layer
     * @return a predictive with 100 samples that keeps the sampled outputs
     */
    public static PosteriorPredictive of(Model net) {
        NetworkAdapter adapter = NetworkAdapter.of(net);
        if (BayesianNetworks.bayesianLayers(net).isEmpty()) {
            throw new IllegalArgumentException("The network has no Bayesian layer: its predictive has no spread");
        }
        return new PosteriorPredictive(adapter);
    }

    /** @param samples the number of posterior draws (&gt; 0) */
    public PosteriorPredictive samples(int samples) {
        ArgumentChecks.positive("samples", samples);
        this.samples = samples;
        return this;
    }

    /**
     * @param keepSamples whether to keep every sampled output (memory {@code samples x rows x outputs}); when false
     *                    only the mean and standard deviation are computed
     */
    public PosteriorPredictive keepSamples(boolean keepSamples) {
        this.keepSamples = keepSamples;
        return this;
    }

    /**
     * @param features the inputs, {@code [rows, nIn]} (or the shape of the network's input)
     * @return the sampled outputs and their mean and standard deviation
     * @throws IllegalArgumentException if {@code features} is null, empty or holds NaN or infinite values, or the
     *                                  network has several inputs or
     *                                  outputs (use {@link #predictAll}); DL4J's input checks apply as for
     *                                  {@code net.output}
     */
    @Override
    public PredictiveSamples predict(INDArray features) {
        if (net.numInputs() != 1 || net.numOutputs() != 1) {
            throw new IllegalArgumentException("The network has " + net.numInputs() + " input(s) and "
                    + net.numOutputs() + " output(s): use predictAll(inputs...), which gives one result per output");
        }
        return predictAll(features)[0];
    }

    /**
     * @param inputs the network's inputs, one array per input, with the same number of rows
     * @return for each output of the network, in the graph's output order, the sampled outputs and their mean and
     *         standard deviation over the same {@code samples} draws of the whole network
     * @throws IllegalArgumentException if an input is null, empty or holds NaN or infinite values, or their number is
     *                                  not the network's
     */
    public PredictiveSamples[] predictAll(INDArray... inputs) {
        if (inputs == null || inputs.length != net.numInputs()) {
            throw new IllegalArgumentException("The network takes " + net.numInputs() + " input(s), got "
                    + (inputs == null ? "null" : String.valueOf(inputs.length)));
        }
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null || inputs[i].isEmpty()) {
                throw new IllegalArgumentException((inputs.length == 1 ? "features" : "input " + i)
                        + " must be a non-empty array");
            }
            if (inputs[i].dataType().isFPType() && (inputs[i].isNaN().any() || inputs[i].isInfinite().any())) {
                throw new IllegalArgumentException((inputs.length == 1 ? "features" : "input " + i)
                        + " hold NaN or infinite values (every output of their rows would be NaN)");
            }
        }
        Model model = net.model();
        // The sampling mode is the network's: switched and restored on the network's monitor, which DL4J's own
        // output(...) holds too, so no other thread's output or predictive runs while it is switched. Predictives
        // of one network from several threads are thus correct and take turns; one clone per thread runs in parallel.
        synchronized (model) {
            InferenceMode previous = BayesianNetworks.getInferenceMode(model);
            BayesianNetworks.setInferenceMode(model, InferenceMode.SAMPLE);
            try {
                return sample(inputs);
            } finally {
                BayesianNetworks.setInferenceMode(model, previous);
            }
        }
    }

    private PredictiveSamples[] sample(INDArray[] inputs) {
        long start = System.nanoTime();
        INDArray[] first = net.output(inputs);
        PredictiveSamples.Accumulator[] outputs = new PredictiveSamples.Accumulator[first.length];
        for (int o = 0; o < first.length; o++) {
            outputs[o] = new PredictiveSamples.Accumulator(samples, keepSamples);
            outputs[o].add(first[o]);
        }
        for (int s = 1; s < samples; s++) {
            INDArray[] sampled = net.output(inputs);
            for (int o = 0; o < outputs.length; o++) {
                outputs[o].add(sampled[o]);
            }
        }
        PredictiveSamples[] out = new PredictiveSamples[outputs.length];
        for (int o = 0; o < outputs.length; o++) {
            out[o] = outputs[o].result();
        }
        log.debug("Posterior predictive: {} samples of {} rows in {} ms", samples, first[0].size(0),
                (System.nanoTime() - start) / 1_000_000);
        return out;
    }
}
