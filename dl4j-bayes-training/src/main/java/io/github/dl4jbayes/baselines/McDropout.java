package io.github.dl4jbayes.baselines;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.predict.PredictiveModel;
import io.github.dl4jbayes.predict.PredictiveSamples;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * Monte-Carlo dropout (Gal and Ghahramani 2016): the predictive of a plain DL4J network trained with dropout, from
 * {@code samples} forward passes with DL4J's own dropout (and weight noise, such as DropConnect) kept on.
 *
 * <pre>{@code
 * MultiLayerNetwork net = ...;                 // layers with .dropOut(0.9): DL4J's retain probability
 * PredictiveSamples p = McDropout.of(net).samples(100).seed(42).predict(xTest);
 * ClassificationUncertainty.of(p).mutualInformation();
 * }</pre>
 *
 * <p>Each pass is DL4J's own training-mode forward pass ({@code output(x, true)}), except that batch normalization
 * layers use their running statistics as at inference (in training mode DL4J would normalize by the test batch's own
 * statistics): for the passes each batch normalization layer is wrapped in a layer that runs it in inference mode,
 * and put back afterwards, even on an exception (DL4J's batch normalization forward pass leaves its outputs for the
 * garbage collector, so such a network's resident memory grows with the passes as with DL4J's own {@code output(x)}
 * repeated: predict large sets in chunks). The network is not changed: no parameter, updater state or
 * iteration count is touched, and the layers' inputs are cleared afterwards as after {@code output(x)}. The passes
 * hold the network's monitor; a network being trained by another thread meanwhile is not supported (as for any
 * prediction). The passes draw their masks from ND4J's generator of the calling
 * thread, which {@link #seed} resets. Feed-forward and convolutional networks are supported; recurrent layers' masks
 * are not passed.
 */
public final class McDropout implements PredictiveModel {
    private static final Logger LOG = LoggerFactory.getLogger(McDropout.class);

    private final Model net;
    private final boolean batchNormalization;
    private int samples = 100;
    private boolean keepSamples = true;
    private Long seed;

    private McDropout(Model net, boolean batchNormalization) {
        this.net = net;
        this.batchNormalization = batchNormalization;
    }

    /**
     * @param net a trained {@code MultiLayerNetwork} or {@code ComputationGraph} (one input, one output) in which at
     *            least one layer has dropout or weight noise
     * @return the MC-dropout predictive: 100 passes, samples kept, ND4J's generator as it is
     * @throws IllegalArgumentException if the network is null, of another kind, not initialized, or has no dropout
     */
    public static McDropout of(Model net) {
        boolean stochastic = false;
        boolean batchNormalization = false;
        for (Layer layer : Networks.adapter("net", net).layers()) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            stochastic |= conf.getIDropout() != null
                    || (conf instanceof BaseLayer base && base.getWeightNoise() != null);
            batchNormalization |= layer instanceof BatchNormalization;
        }
        if (!stochastic) {
            throw new IllegalArgumentException("net: no layer has dropout or weight noise, so every MC-dropout pass "
                    + "would give the same output; train the network with DL4J's dropout (e.g. .dropOut(0.9), the "
                    + "probability of keeping an activation) or use DeepEnsemble or LaplaceApproximation");
        }
        return new McDropout(net, batchNormalization);
    }

    /** @param samples the number of stochastic passes (&gt; 0; default 100) */
    public McDropout samples(int samples) {
        this.samples = ArgumentChecks.positive("samples", samples);
        return this;
    }

    /** @param keepSamples whether to keep every pass's output (default true; needed for the uncertainty measures) */
    public McDropout keepSamples(boolean keepSamples) {
        this.keepSamples = keepSamples;
        return this;
    }

    /**
     * @param seed the seed of ND4J's random generator of the calling thread, set before every {@link #predict}: the
     *             same seed gives the same passes (the generator is left where the passes end)
     */
    public McDropout seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** @return the number of passes */
    public int samples() {
        return samples;
    }

    @Override
    public PredictiveSamples predict(INDArray features) {
        if (features == null || features.isEmpty()) {
            throw new IllegalArgumentException("features must be a non-empty array");
        }
        if (seed != null) {
            Nd4j.getRandom().setSeed(Networks.nd4jSeed(seed));
        }
        long start = System.nanoTime();
        INDArray x = features.castTo(Networks.dataType(net));
        PredictiveSamples.Accumulator accumulator = new PredictiveSamples.Accumulator(samples, keepSamples);
        // the passes on the network's monitor, as DL4J's own output(...): they set and clear the layers' inputs
        synchronized (net) {
            Runnable restore = batchNormalization ? batchNormalizationAtInference(net) : () -> { };
            try {
                for (int s = 0; s < samples; s++) {
                    INDArray output;
                    try {
                        output = net instanceof MultiLayerNetwork mln ? mln.output(x, true)
                                : ((ComputationGraph) net).output(true, x)[0];
                    } finally {
                        // the layers' inputs, and weight noise's noisy weights, which a layer would otherwise reuse
                        // in the next pass: each pass draws its own
                        if (net instanceof MultiLayerNetwork mln) {
                            mln.clearLayersStates();
                        } else {
                            ((ComputationGraph) net).clearLayersStates();
                        }
                    }
                    accumulator.add(output);
                }
            } finally {
                restore.run();
            }
        }
        LOG.debug("MC dropout: {} passes of {} rows in {} ms", samples, x.size(0),
                (System.nanoTime() - start) / 1_000_000);
        return accumulator.result();
    }

    /**
     * Wraps every batch normalization layer of {@code net} in {@link AtInference}.
     *
     * @return what puts the original layers back
     */
    private static Runnable batchNormalizationAtInference(Model net) {
        if (net instanceof MultiLayerNetwork mln) {
            Layer[] original = mln.getLayers();
            Layer[] wrapped = original.clone();
            for (int i = 0; i < wrapped.length; i++) {
                if (wrapped[i] instanceof BatchNormalization) {
                    wrapped[i] = new AtInference(wrapped[i]);
                }
            }
            mln.setLayers(wrapped);
            return () -> mln.setLayers(original);
        }
        Map<LayerVertex, Layer> original = new HashMap<>();
        for (GraphVertex vertex : ((ComputationGraph) net).getVertices()) {
            if (vertex instanceof LayerVertex v && v.getLayer() instanceof BatchNormalization) {
                original.put(v, v.getLayer());
                v.setLayer(new AtInference(v.getLayer()));
            }
        }
        return () -> original.forEach(LayerVertex::setLayer);
    }

    /** A layer run in inference mode whatever mode the network's pass asks for; everything else delegated. */
    private static final class AtInference extends BaseWrapperLayer {
        AtInference(Layer underlying) {
            super(underlying);
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            return underlying.activate(false, workspaceMgr);
        }

        @Override
        public INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr workspaceMgr) {
            return underlying.activate(input, false, workspaceMgr);
        }
    }
}
