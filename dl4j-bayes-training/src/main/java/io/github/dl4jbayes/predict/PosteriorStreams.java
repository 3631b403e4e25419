package io.github.dl4jbayes.predict;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.layers.BayesianLayerConfig;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.InferenceMode;
import io.github.dl4jbayes.layers.MeanFieldLayout;
import io.github.dl4jbayes.internal.NetworkAdapter;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Streaming prediction with the weights held fixed: {@code S} copies of a recurrent Bayesian network, each frozen at
 * one draw of the weights from the posterior, stepping together through DL4J's {@code rnnTimeStep}. A forecast made
 * step by step (each prediction fed back as the next input) thus keeps one draw per stream for its whole length
 * instead of drawing new weights at every step, and the {@code S} streams together are a sample of the posterior
 * predictive of the whole trajectory.
 *
 * <pre>{@code
 * PosteriorStreams streams = PosteriorStreams.of(net, 200, 42);
 * streams.rnnTimeStep(history);                     // warm up all 200 streams on the observed sequence
 * PredictiveSamples next = streams.rnnTimeStep(x);  // [200, batch, outputs, 1]: one value per stream
 * }</pre>
 *
 * Each stream is a clone of the network (its memory is {@code S} times the parameters) whose Bayesian layers hold the
 * drawn weights as their means with a standard deviation of about {@code 1e-13}, in {@link InferenceMode#MEAN}; the
 * network itself is not changed. Stream {@code s} is reproducible from {@code (seed, s)}. Not thread-safe.
 */
public final class PosteriorStreams {
    private static final Logger log = LoggerFactory.getLogger(PosteriorStreams.class);
    /** The frozen streams' {@code rho}: {@code softplus(-30) ~ 9e-14}. */
    private static final double FROZEN_RHO = -30.0;

    private final List<Model> streams;

    private PosteriorStreams(List<Model> streams) {
        this.streams = streams;
    }

    /**
     * @param net   a {@code MultiLayerNetwork} or {@code ComputationGraph} (one input, one output) with Bayesian layers
     * @param draws the number of streams (&gt; 0)
     * @param seed  the seed of the draws
     * @return the streams, each at the start of a sequence
     * @throws IllegalArgumentException if {@code draws < 1}, the network has no Bayesian layer, or a graph has several
     *                                  inputs or outputs
     */
    public static PosteriorStreams of(Model net, int draws, long seed) {
        ArgumentChecks.positive("draws", draws);
        NetworkAdapter adapter = NetworkAdapter.of(net);
        if (adapter.numInputs() != 1 || adapter.numOutputs() != 1) {
            throw new IllegalArgumentException("PosteriorStreams takes a network with one input and one output; this "
                    + "one has " + adapter.numInputs() + " and " + adapter.numOutputs());
        }
        long start = System.nanoTime();
        PosteriorDraws weights = PosteriorDraws.sample(net, draws, seed);
        List<Model> streams = new ArrayList<>(draws);
        for (int s = 0; s < draws; s++) {
            Model copy = net instanceof MultiLayerNetwork ? ((MultiLayerNetwork) net).clone()
                    : ((ComputationGraph) net).clone();
            BayesianNetworks.copyState(net, copy);
            freeze(NetworkAdapter.of(copy), weights, s);
            BayesianNetworks.setInferenceMode(copy, InferenceMode.MEAN);
            streams.add(copy);
        }
        log.debug("PosteriorStreams: {} frozen draws in {} ms", draws, (System.nanoTime() - start) / 1_000_000);
        return new PosteriorStreams(Collections.unmodifiableList(streams));
    }

    /** Sets every Bayesian layer's means to draw {@code s} and its standard deviations to about zero. */
    private static void freeze(NetworkAdapter copy, PosteriorDraws weights, int s) {
        for (Layer outer : copy.layers()) {
            Layer layer = NetworkAdapter.unwrap(outer);
            if (!(layer.conf().getLayer() instanceof BayesianLayerConfig)) {
                continue;
            }
            String prefix = copy.parameterPrefix(outer);
            set(layer, MeanFieldLayout.WEIGHT_MU, MeanFieldLayout.WEIGHT_RHO, weights.get(prefix + "_W"), s);
            if (((BayesianLayerConfig) layer.conf().getLayer()).hasBias()) {
                set(layer, MeanFieldLayout.BIAS_MU, MeanFieldLayout.BIAS_RHO, weights.get(prefix + "_b"), s);
            }
        }
    }

    private static void set(Layer layer, String mu, String rho, INDArray draws, int s) {
        INDArray m = layer.getParam(mu);
        INDArray draw = draws.get(NDArrayIndex.point(s)).reshape(m.shape()).castTo(m.dataType());
        m.assign(draw);
        layer.getParam(rho).assign(FROZEN_RHO);
    }

    /** @return the number of streams */
    public int count() {
        return streams.size();
    }

    /**
     * @param s the stream's index, in {@code [0, count())}
     * @return the stream's network (a clone frozen at its draw), for DL4J calls of its own
     */
    public Model stream(int s) {
        if (s < 0 || s >= streams.size()) {
            throw new IllegalArgumentException("stream index s = " + s + " is outside [0, " + streams.size() + ")");
        }
        return streams.get(s);
    }

    /**
     * Advances every stream by the steps of {@code features} from its stored state (DL4J's {@code rnnTimeStep}).
     *
     * @param features one or more time steps, {@code [batch, nIn]} or {@code [batch, nIn, steps]} (the network's
     *                 data format); every stream sees the same input
     * @return the streams' outputs, sample {@code s} from stream {@code s}
     * @throws IllegalArgumentException if {@code features} is null or empty
     */
    public PredictiveSamples rnnTimeStep(INDArray features) {
        if (features == null || features.isEmpty()) {
            throw new IllegalArgumentException("features must be a non-empty array");
        }
        PredictiveSamples.Accumulator out = new PredictiveSamples.Accumulator(streams.size(), true);
        for (Model m : streams) {
            out.add(step(m, features));
        }
        return out.result();
    }

    /**
     * Advances stream {@code s} alone, for forecasts whose next input depends on the stream's own output.
     *
     * @return the stream's output
     */
    public INDArray rnnTimeStep(int s, INDArray features) {
        return step(stream(s), features);
    }

    /** DL4J's {@code rnnTimeStep} of a network of either kind (a graph's one output). */
    private static INDArray step(Model m, INDArray features) {
        return m instanceof MultiLayerNetwork ? ((MultiLayerNetwork) m).rnnTimeStep(features)
                : ((ComputationGraph) m).rnnTimeStep(features)[0];
    }

    /** Starts new sequences: clears every stream's stored state (the draws stay). */
    public void rnnClearPreviousState() {
        for (Model m : streams) {
            if (m instanceof MultiLayerNetwork) {
                ((MultiLayerNetwork) m).rnnClearPreviousState();
            } else {
                ((ComputationGraph) m).rnnClearPreviousState();
            }
        }
    }
}
