package io.github.dl4jbayes.predict;

import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.InferenceMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
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
 */
public final class PosteriorPredictive {
    private static final Logger log = LoggerFactory.getLogger(PosteriorPredictive.class);

    private final MultiLayerNetwork net;
    private int samples = 100;
    private boolean keepSamples = true;

    private PosteriorPredictive(MultiLayerNetwork net) {
        this.net = net;
    }

    /**
     * @param net a network with at least one Bayesian layer
     * @return a predictive with 100 samples that keeps the sampled outputs
     */
    public static PosteriorPredictive of(MultiLayerNetwork net) {
        if (net == null) {
            throw new IllegalArgumentException("net must not be null");
        }
        if (!BayesianNetworks.isBayesian(net)) {
            throw new IllegalArgumentException("The network has no Bayesian layer: its predictive has no spread");
        }
        return new PosteriorPredictive(net);
    }

    /** @param samples the number of posterior draws (&gt; 0) */
    public PosteriorPredictive samples(int samples) {
        if (samples <= 0) {
            throw new IllegalArgumentException("samples must be > 0, got " + samples);
        }
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
     * @param features the inputs, {@code [rows, nIn]}
     * @return the sampled outputs and their mean and standard deviation
     * @throws IllegalArgumentException if {@code features} is null or empty; DL4J's input checks apply as for
     *                                  {@code net.output}
     */
    public PredictiveSamples predict(INDArray features) {
        if (features == null || features.isEmpty()) {
            throw new IllegalArgumentException("features must be a non-empty array");
        }
        InferenceMode previous = BayesianNetworks.getInferenceMode(net);
        BayesianNetworks.setInferenceMode(net, InferenceMode.SAMPLE);
        try {
            return sample(features);
        } finally {
            BayesianNetworks.setInferenceMode(net, previous);
        }
    }

    private PredictiveSamples sample(INDArray features) {
        long start = System.nanoTime();
        INDArray first = net.output(features, false);
        DataType type = first.dataType();
        long[] shape = first.shape();
        // Welford's running mean and sum of squared deviations, in double whatever the network's type (a HALF
        // running mean over thousands of samples drifts by several hundredths); the results are cast back.
        INDArray mean = first.castTo(DataType.DOUBLE);
        INDArray m2 = Nd4j.zeros(DataType.DOUBLE, shape);
        INDArray all = null;
        if (keepSamples) {
            long[] allShape = new long[shape.length + 1];
            allShape[0] = samples;
            System.arraycopy(shape, 0, allShape, 1, shape.length);
            all = Nd4j.create(type, allShape);
            all.get(NDArrayIndex.point(0)).assign(first);
        }
        INDArray delta = Nd4j.create(DataType.DOUBLE, shape);
        INDArray out = Nd4j.create(DataType.DOUBLE, shape);
        for (int s = 1; s < samples; s++) {
            INDArray sampled = net.output(features, false);
            if (all != null) {
                all.get(NDArrayIndex.point(s)).assign(sampled);
            }
            out.assign(sampled);
            out.sub(mean, delta);
            mean.addi(delta.div(s + 1));
            m2.addi(delta.muli(out.subi(mean)));
        }
        INDArray std = samples > 1 ? Transforms.sqrt(m2.divi(samples - 1), false) : m2;
        log.debug("Posterior predictive: {} samples of {} rows in {} ms", samples, shape[0],
                (System.nanoTime() - start) / 1_000_000);
        return new PredictiveSamples(mean.castTo(type), std.castTo(type), all, samples);
    }
}
