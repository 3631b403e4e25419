package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.internal.StableMath;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.priors.KlEstimate;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Transfer learning with informed priors: turns a trained plain DL4J {@link MultiLayerNetwork} into a Bayesian network
 * of the same architecture whose priors are centred at the trained weights (MOPED, Krishnan et al. 2020, as in
 * bayesian-torch).
 *
 * <pre>{@code
 * MultiLayerNetwork bayesian = InformedPriors.fromTrained(trained, 0.1);
 * // or, with the prior std relative to each weight's magnitude:
 * MultiLayerNetwork bayesian = InformedPriors.builder().relativePriorStd(0.5, 0.01).build().convert(trained);
 * }</pre>
 *
 * <p>Each {@code DenseLayer}, {@code OutputLayer} and {@code ConvolutionLayer} (those classes exactly, not their
 * subclasses) becomes a {@link BayesianDenseLayer}, {@link BayesianOutputLayer} or {@link BayesianConvolutionLayer}
 * with the same size, activation, bias, loss, convolution geometry, data format, updater and dropout, and a
 * per-parameter {@link GaussianPrior} whose means are the trained weights and biases; the posterior means start at the
 * trained values and the posterior standard deviations small ({@link Builder#initialPosteriorStd}, and
 * {@link Builder#denseInitialPosteriorStd} for the dense and output layers), so that before any
 * training the network's mean ({@code InferenceMode.MEAN}) outputs are the trained network's. Every other layer (batch
 * normalization, pooling, dropout, ...) is kept as it is, with its trained parameters; the data type, input type and
 * preprocessors are kept. L1/L2 regularization and weight noise of converted layers are dropped: the prior takes their
 * place. A dense layer with layer normalization is kept plain (with a warning); layers that are Bayesian already keep
 * their priors and posteriors. The trained network is not modified.
 */
public final class InformedPriors {
    private static final Logger LOG = LoggerFactory.getLogger(InformedPriors.class);

    private final double priorStd;
    private final double relativePriorStd;
    private final double minPriorStd;
    private final double initialPosteriorStd;
    private final double denseInitialPosteriorStd;
    private final Estimator estimator;
    private final KlEstimate klEstimate;

    private InformedPriors(Builder b) {
        this.priorStd = b.priorStd;
        this.relativePriorStd = b.relativePriorStd;
        this.minPriorStd = b.minPriorStd;
        this.initialPosteriorStd = b.initialPosteriorStd;
        this.denseInitialPosteriorStd = Double.isNaN(b.denseInitialPosteriorStd) ? b.initialPosteriorStd
                : b.denseInitialPosteriorStd;
        this.estimator = b.estimator;
        this.klEstimate = b.klEstimate;
    }

    /**
     * @param trained  a trained plain DL4J network
     * @param priorStd the prior standard deviation around each trained weight (finite, &gt; 0)
     * @return the Bayesian network, initialized (its mean outputs are the trained network's)
     */
    public static MultiLayerNetwork fromTrained(MultiLayerNetwork trained, double priorStd) {
        return builder().priorStd(priorStd).build().convert(trained);
    }

    /**
     * @param trained  a trained plain DL4J graph
     * @param priorStd the prior standard deviation around each trained weight (finite, &gt; 0)
     * @return the Bayesian graph, initialized (its mean outputs are the trained graph's)
     */
    public static ComputationGraph fromTrained(ComputationGraph trained, double priorStd) {
        return builder().priorStd(priorStd).build().convert(trained);
    }

    /** @return a builder: prior std 0.1, initial posterior std 1e-3, the layers' default estimator and KL */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A prior for one Bayesian layer centred at given weights and biases, in the layer's flattened order.
     *
     * @param layer   the layer's configuration (its sizes set)
     * @param weights the weights, in the layer's weight shape ({@code [nIn, nOut]} dense, {@code [nOut, nIn, kH, kW]}
     *                convolution)
     * @param bias    the biases ({@code nOut} values), or null when the layer has none
     * @param std     the prior standard deviation of every parameter (finite, &gt; 0)
     * @return the per-parameter Gaussian prior
     * @throws IllegalArgumentException if a shape does not match the layer's
     */
    public static GaussianPrior centredAt(BayesianLayerConfig layer, INDArray weights, INDArray bias, double std) {
        return GaussianPrior.perParameter(meanBlock(layer, weights, bias), std);
    }

    /** @return the block vector (weights in the layer's order, then biases) holding {@code weights} and {@code bias} */
    static INDArray meanBlock(BayesianLayerConfig layer, INDArray weights, INDArray bias) {
        MeanFieldLayout layout = new MeanFieldLayout(layer);
        String name = layer.getLayerName() == null ? "the layer" : "layer '" + layer.getLayerName() + "'";
        if (!java.util.Arrays.equals(weights.shape(), layout.weightShape())) {
            throw new IllegalArgumentException("weights of shape " + java.util.Arrays.toString(weights.shape()) + " for "
                    + name + ", whose weights are " + java.util.Arrays.toString(layout.weightShape()));
        }
        if (layout.hasBias() != (bias != null) || (bias != null && bias.length() != layer.getNOut())) {
            throw new IllegalArgumentException("bias " + (bias == null ? "null" : "of " + bias.length() + " values")
                    + " for " + name + ", which has " + (layout.hasBias() ? layer.getNOut() + " biases" : "none"));
        }
        INDArray block = Nd4j.create(DataType.DOUBLE, layout.blockSize());
        layout.weights(block).assign(weights);
        if (bias != null) {
            layout.bias(block).assign(bias.reshape(bias.length()));
        }
        return block;
    }

    /**
     * @param trained a trained plain DL4J network (not modified)
     * @return the Bayesian network of the same architecture with priors at the trained weights, initialized
     * @throws IllegalArgumentException if the network has no dense, output or convolution layer to convert
     */
    public MultiLayerNetwork convert(MultiLayerNetwork trained) {
        MultiLayerConfiguration conf = trained.getLayerWiseConfigurations().clone();
        List<Layer> sources = java.util.Arrays.asList(trained.getLayers());
        boolean[] isConverted = makeBayesian(conf.getConfs(), sources);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        copyParameters(conf.getConfs(), isConverted, sources, java.util.Arrays.asList(net.getLayers()));
        return net;
    }

    /**
     * The same conversion for a trained {@link ComputationGraph}: its dense, output and convolution layer vertices
     * become Bayesian with priors at the trained weights; every other vertex and the graph's structure are kept.
     *
     * @param trained a trained plain DL4J graph (not modified)
     * @return the Bayesian graph, initialized
     * @throws IllegalArgumentException if the graph has no dense, output or convolution layer to convert
     */
    public ComputationGraph convert(ComputationGraph trained) {
        ComputationGraphConfiguration conf = trained.getConfiguration().clone();
        List<String> names = new ArrayList<>();
        List<NeuralNetConfiguration> confs = new ArrayList<>();
        List<Layer> sources = new ArrayList<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (e.getValue() instanceof LayerVertex) {
                names.add(e.getKey());
                confs.add(((LayerVertex) e.getValue()).getLayerConf());
                sources.add(trained.getLayer(e.getKey()));
            }
        }
        boolean[] isConverted = makeBayesian(confs, sources);
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        List<Layer> targets = new ArrayList<>();
        for (String name : names) {
            targets.add(net.getLayer(name));
        }
        copyParameters(confs, isConverted, sources, targets);
        return net;
    }

    /**
     * Replaces the convertible layer configurations by Bayesian ones with priors at the trained weights.
     *
     * @param confs   the (cloned) layer configurations, modified
     * @param sources the trained layers, in the same order
     * @return which layers were converted
     */
    private boolean[] makeBayesian(List<NeuralNetConfiguration> confs, List<Layer> sources) {
        int converted = 0;
        boolean[] isConverted = new boolean[confs.size()];
        for (int i = 0; i < confs.size(); i++) {
            NeuralNetConfiguration layerConf = confs.get(i);
            org.deeplearning4j.nn.conf.layers.Layer bayesian = bayesianCounterpart(layerConf.getLayer());
            if (bayesian != null) {
                layerConf.setLayer(bayesian);
                isConverted[i] = true;
                converted++;
            }
        }
        if (converted == 0) {
            throw new IllegalArgumentException("InformedPriors: the network has no DenseLayer, OutputLayer or "
                    + "ConvolutionLayer to make Bayesian");
        }
        // the priors, centred at the trained weights (the layers' sizes are known now)
        for (int i = 0; i < confs.size(); i++) {
            if (isConverted[i]) {
                BayesianLayerConfig b = (BayesianLayerConfig) confs.get(i).getLayer();
                Layer source = sources.get(i);
                INDArray w = source.getParam(DefaultParamInitializer.WEIGHT_KEY);
                INDArray bias = b.hasBias() ? source.getParam(DefaultParamInitializer.BIAS_KEY) : null;
                INDArray means = meanBlock(b, w, bias);
                INDArray stds = relativePriorStd > 0
                        ? Transforms.max(Transforms.abs(means, true).muli(relativePriorStd), minPriorStd) : null;
                b.getMeanField().setPrior(stds != null ? GaussianPrior.perParameter(means, stds)
                        : GaussianPrior.perParameter(means, priorStd));
            }
        }
        LOG.info("InformedPriors: {} of {} layers made Bayesian, priors {} around the trained weights", converted,
                confs.size(), relativePriorStd > 0 ? "of std max(" + relativePriorStd + " |w|, " + minPriorStd + ")"
                        : "of std " + priorStd);
        return isConverted;
    }

    /**
     * Posterior means at the trained weights and standard deviations at each converted layer's configured start in the
     * converted layers, the trained parameters in the others.
     */
    private void copyParameters(List<NeuralNetConfiguration> confs, boolean[] isConverted, List<Layer> sources,
                                List<Layer> targets) {
        for (int i = 0; i < confs.size(); i++) {
            Layer source = sources.get(i);
            Layer target = targets.get(i);
            if (isConverted[i]) {
                BayesianLayerConfig b = (BayesianLayerConfig) confs.get(i).getLayer();
                MeanFieldLayout layout = new MeanFieldLayout(b);
                INDArray params = target.params();
                layout.muBlock(params).assign(meanBlock(b, source.getParam(DefaultParamInitializer.WEIGHT_KEY),
                        b.hasBias() ? source.getParam(DefaultParamInitializer.BIAS_KEY) : null));
                double start = b.getMeanField().getInitialPosteriorStd();
                layout.rhoBlock(params).assign(StableMath.inverseSoftplus(start));
            } else {
                for (Map.Entry<String, INDArray> e : source.paramTable().entrySet()) {
                    target.setParam(e.getKey(), e.getValue().dup());
                }
            }
        }
    }

    /** @return the Bayesian counterpart of a plain layer configuration, or null to keep it */
    private org.deeplearning4j.nn.conf.layers.Layer bayesianCounterpart(org.deeplearning4j.nn.conf.layers.Layer layer) {
        if (layer.getClass() == DenseLayer.class) {
            DenseLayer d = (DenseLayer) layer;
            if (d.hasLayerNorm()) {
                LOG.warn("InformedPriors: dense layer '{}' has layer normalization, which Bayesian dense layers do not "
                        + "implement: kept as a plain layer", d.getLayerName());
                return null;
            }
            return common(d, configure(new BayesianDenseLayer.Builder().nIn(d.getNIn()).nOut(d.getNOut())
                    .hasBias(d.hasBias()), denseInitialPosteriorStd)).build();
        }
        if (layer.getClass() == OutputLayer.class) {
            OutputLayer o = (OutputLayer) layer;
            return common(o, configure(new BayesianOutputLayer.Builder(o.getLossFn()).nIn(o.getNIn()).nOut(o.getNOut())
                    .hasBias(o.hasBias()), denseInitialPosteriorStd)).build();
        }
        if (layer.getClass() == ConvolutionLayer.class) {
            ConvolutionLayer c = (ConvolutionLayer) layer;
            BayesianConvolutionLayer.Builder b = new BayesianConvolutionLayer.Builder(c.getKernelSize(), c.getStride(),
                    c.getPadding()).dilation(c.getDilation()).convolutionMode(c.getConvolutionMode())
                    .dataFormat(c.getCnn2dDataFormat()).nIn(c.getNIn()).nOut(c.getNOut()).hasBias(c.hasBias());
            return common(c, configure(b, initialPosteriorStd)).build();
        }
        return null;
    }

    private <B extends BayesianBuilder<B>> B configure(B builder, double posteriorStd) {
        builder.initialPosteriorStd(posteriorStd).estimator(estimator).klEstimate(klEstimate);
        return builder;
    }

    /** Copies what a layer's own configuration holds besides its sizes: name, activation, updaters, dropout, clipping. */
    @SuppressWarnings("rawtypes")
    private static <B extends BaseLayer.Builder> B common(BaseLayer from, B to) {
        to.name(from.getLayerName());
        to.activation(from.getActivationFn());
        to.weightInit(from.getWeightInitFn());             // overwritten by the trained weights, but init needs one
        to.biasInit(from.getBiasInit());
        if (from.getIUpdater() != null) {
            to.updater(from.getIUpdater().clone());
        }
        if (from.getBiasUpdater() != null) {
            to.biasUpdater(from.getBiasUpdater().clone());
        }
        if (from.getIDropout() != null) {
            to.dropOut(from.getIDropout().clone());
        }
        to.gradientNormalization(from.getGradientNormalization());
        to.gradientNormalizationThreshold(from.getGradientNormalizationThreshold());
        return to;
    }

    /** Options of the conversion. */
    public static final class Builder {
        private double priorStd = 0.1;
        private double relativePriorStd;
        private double minPriorStd;
        private double initialPosteriorStd = 1e-3;
        private double denseInitialPosteriorStd = Double.NaN;
        private Estimator estimator = Estimator.REPARAMETERIZATION;
        private KlEstimate klEstimate = KlEstimate.AUTO;

        private Builder() {
        }

        /** @param std the prior standard deviation around every trained weight (finite, &gt; 0); default 0.1 */
        public Builder priorStd(double std) {
            ArgumentChecks.positiveFinite("priorStd", std);
            this.priorStd = std;
            this.relativePriorStd = 0;
            return this;
        }

        /**
         * @param relative the prior std as a multiple of each trained weight's magnitude (MOPED's delta; finite, &gt; 0)
         * @param minStd   the smallest prior std, for weights near zero (finite, &gt; 0)
         */
        public Builder relativePriorStd(double relative, double minStd) {
            ArgumentChecks.positiveFinite("relativePriorStd", relative);
            ArgumentChecks.positiveFinite("minStd", minStd);
            this.relativePriorStd = relative;
            this.minPriorStd = minStd;
            return this;
        }

        /** @param std the posterior std every converted parameter starts from (finite, &gt; 0); default 1e-3 */
        public Builder initialPosteriorStd(double std) {
            ArgumentChecks.positiveFinite("initialPosteriorStd", std);
            this.initialPosteriorStd = std;
            return this;
        }

        /**
         * The posterior std the converted dense and output layers start from, when it should differ from the
         * convolutions' ({@link #initialPosteriorStd}): a wider start for the dense layers is what calibrated the
         * converted LeNet-5 on Fashion-MNIST (docs/fashion-mnist.md).
         *
         * @param std the dense and output layers' initial posterior std (finite, &gt; 0); default
         *            {@link #initialPosteriorStd}'s value
         */
        public Builder denseInitialPosteriorStd(double std) {
            ArgumentChecks.positiveFinite("denseInitialPosteriorStd", std);
            this.denseInitialPosteriorStd = std;
            return this;
        }

        /** @param estimator the gradient estimator of the converted layers; default {@link Estimator#REPARAMETERIZATION} */
        public Builder estimator(Estimator estimator) {
            this.estimator = java.util.Objects.requireNonNull(estimator, "estimator");
            return this;
        }

        /** @param estimate how the converted layers compute their KL; default {@link KlEstimate#AUTO} (closed form) */
        public Builder klEstimate(KlEstimate estimate) {
            this.klEstimate = java.util.Objects.requireNonNull(estimate, "klEstimate");
            return this;
        }

        /** @return the conversion */
        public InformedPriors build() {
            return new InformedPriors(this);
        }
    }
}
