package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.internal.NetworkAdapter;
import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.likelihoods.LossGaussianNll;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;

import java.util.ArrayList;
import java.util.List;

/**
 * Network-wide settings and queries of the Bayesian layers in a network ({@code MultiLayerNetwork} or
 * {@code ComputationGraph}, through {@link NetworkAdapter}): the dataset size N
 * (PyMC's {@code total_size}), the KL weight, the inference mode, the noise seed, and the total KL divergence.
 *
 * <p>The settings belong to this network's layer instances ({@link MeanFieldState}): two networks built from one
 * configuration never see each other's settings. They are not saved with the network: after
 * {@code ModelSerializer.restoreMultiLayerNetwork} (or {@code restoreComputationGraph}) or {@code net.clone()}, set N
 * again before fitting or scoring
 * ({@code Advi} does it from its {@code datasetSize}).
 */
public final class BayesianNetworks {
    private BayesianNetworks() {
    }

    /**
     * @param net a {@code MultiLayerNetwork} or {@code ComputationGraph}
     * @return the network's Bayesian layer instances, in layer order (topological order in a graph)
     * @throws IllegalArgumentException if {@code net} is null or of another type
     */
    public static List<BayesianLayer> bayesianLayers(Model net) {
        List<BayesianLayer> out = new java.util.ArrayList<>();
        for (org.deeplearning4j.nn.api.Layer layer : NetworkAdapter.of(net).layers()) {
            org.deeplearning4j.nn.api.Layer inner = NetworkAdapter.unwrap(layer);
            if (inner instanceof BayesianLayer) {
                out.add((BayesianLayer) inner);
            }
        }
        return out;
    }

    /** @return whether the network has at least one Bayesian layer */
    public static boolean isBayesian(Model net) {
        return !bayesianLayers(net).isEmpty();
    }

    /**
     * Sets N, the number of training examples, on every Bayesian layer of this network: the score becomes
     * {@code mean loss over the minibatch + KL / N}, the negative ELBO per example.
     *
     * @param datasetSize the number of training examples (&gt; 0)
     * @throws IllegalArgumentException if {@code datasetSize <= 0} or the network has no Bayesian layer
     */
    public static void setDatasetSize(Model net, long datasetSize) {
        ArgumentChecks.positive("datasetSize", datasetSize);
        for (BayesianLayer layer : requireBayesian(net)) {
            layer.meanFieldState().setDatasetSize(datasetSize);
        }
    }

    /**
     * @return the dataset size N set on the network's Bayesian layers, 0 if unset
     * @throws IllegalArgumentException if the network has no Bayesian layer
     */
    public static long getDatasetSize(Model net) {
        return requireBayesian(net).get(0).meanFieldState().getDatasetSize();
    }

    /**
     * Sets the weight on the KL term on every Bayesian layer (1 for the ELBO; smaller during KL annealing).
     *
     * @param klWeight a finite weight &ge; 0
     * @throws IllegalArgumentException if {@code klWeight} is negative, NaN or infinite, or the network has no
     *                                  Bayesian layer
     */
    public static void setKlWeight(Model net, double klWeight) {
        for (BayesianLayer layer : requireBayesian(net)) {
            layer.meanFieldState().setKlWeight(klWeight);
        }
    }

    /** @return the weight on the KL term (that of the first Bayesian layer; all share it when set here) */
    public static double getKlWeight(Model net) {
        return requireBayesian(net).get(0).meanFieldState().getKlWeight();
    }

    /**
     * Sets what the Bayesian layers use outside training: fresh posterior draws ({@link InferenceMode#SAMPLE},
     * the default) or the posterior means ({@link InferenceMode#MEAN}).
     */
    public static void setInferenceMode(Model net, InferenceMode mode) {
        for (BayesianLayer layer : requireBayesian(net)) {
            layer.meanFieldState().setInferenceMode(mode);
        }
    }

    /** @return the network's inference mode (that of its first Bayesian layer) */
    public static InferenceMode getInferenceMode(Model net) {
        return requireBayesian(net).get(0).meanFieldState().getInferenceMode();
    }

    /**
     * Sets how every Bayesian layer of the network computes its element-wise work ({@link KernelPolicy}: host or
     * device arrays, the native threshold, the SIMD kernel); the layers choose their kernels again. Other networks,
     * also those built from the same configuration, keep theirs. The model does not change, only where and how its
     * arithmetic runs.
     *
     * @param policy the policy (not null)
     */
    public static void setKernelPolicy(Model net, KernelPolicy policy) {
        java.util.Objects.requireNonNull(policy, "policy must not be null");
        for (BayesianLayer layer : requireBayesian(net)) {
            layer.setKernelPolicy(policy);
        }
    }

    /** @return the network's kernel policy (that of its first Bayesian layer) */
    public static KernelPolicy getKernelPolicy(Model net) {
        return requireBayesian(net).get(0).kernelPolicy();
    }

    /**
     * Restarts the weight noise of every Bayesian layer from {@code seed}: the layer of index {@code i} from
     * {@link MeanFieldState#layerSeed(long, int) layerSeed(seed, i)}, with DL4J's layer index (the position in a
     * MultiLayerNetwork, the vertex index in a ComputationGraph, as {@code Pruning.Report} and
     * {@link #learnedPriorScales} number layers). A new network does this itself with its configuration's
     * {@code seed(...)}; call it to repeat a sequence of draws (e.g. to freeze the noise in a gradient check) or to give
     * networks built from one configuration different noise.
     */
    public static void setNoiseSeed(Model net, long seed) {
        for (BayesianLayer layer : requireBayesian(net)) {
            layer.meanFieldState().setNoiseSeed(MeanFieldState.layerSeed(seed, ((Layer) layer).getIndex()));
        }
    }

    /**
     * Copies the run-time settings (dataset size, KL weight, inference mode, kernel policy) of {@code from}'s Bayesian layers to
     * {@code to}'s, layer by layer: for copies DL4J makes of a network, which start with the defaults
     * ({@code net.clone()}, {@code TransferLearning}, early stopping's best model, {@code ParallelInference} workers).
     * The noise is not copied: each network keeps its own generator (reseed it with {@link #setNoiseSeed} where
     * copies should draw differently).
     *
     * @throws IllegalArgumentException if the networks do not have the same number of Bayesian layers
     */
    public static void copyState(Model from, Model to) {
        List<BayesianLayer> source = requireBayesian(from);
        List<BayesianLayer> target = requireBayesian(to);
        if (source.size() != target.size()) {
            throw new IllegalArgumentException("copyState needs networks with the same Bayesian layers: " + source.size()
                    + " in 'from', " + target.size() + " in 'to'");
        }
        for (int i = 0; i < source.size(); i++) {
            MeanFieldState s = source.get(i).meanFieldState();
            MeanFieldState t = target.get(i).meanFieldState();
            if (s.getDatasetSize() > 0) {
                t.setDatasetSize(s.getDatasetSize());
            }
            t.setKlWeight(s.getKlWeight());
            t.setInferenceMode(s.getInferenceMode());
            target.get(i).setKernelPolicy(source.get(i).kernelPolicy());
        }
    }

    /** @return {@code KL(q || p)} summed over all Bayesian layers at the current parameters, unscaled */
    public static double klDivergence(Model net) {
        double sum = 0.0;
        for (BayesianLayer layer : bayesianLayers(net)) {
            sum += layer.klDivergence();
        }
        return sum;
    }

    /**
     * @return {@code KL(q || p)} summed over all Bayesian layers as the network's last training score used it (at the
     *         parameters of that step, before the update that followed; see
     *         {@link BayesianLayer#klDivergenceOfLastScore()}), without computing it again: what the ELBO of that step
     *         needs. A layer not scored since its last input contributes its KL at the current parameters.
     */
    public static double klDivergenceOfLastScore(Model net) {
        double sum = 0.0;
        for (BayesianLayer layer : bayesianLayers(net)) {
            sum += layer.klDivergenceOfLastScore();
        }
        return sum;
    }

    /**
     * @return the standard deviation of the homoscedastic noise the network's output layer learns, per target
     *         ({@code softplus(raw) + minStd} of its {@code LossGaussianNll}); of a graph's first output
     * @throws IllegalArgumentException if the output layer is not a {@code BayesianOutputLayer} with
     *                                  {@code learnedNoise(...)}
     */
    public static double[] learnedNoiseStd(Model net) {
        return learnedNoiseStd(net, 0);
    }

    /**
     * @param output the index of the output (0 for a MultiLayerNetwork)
     * @return the standard deviation of the homoscedastic noise that output's layer learns, per target
     * @throws IllegalArgumentException if that output layer is not a {@code BayesianOutputLayer} with
     *                                  {@code learnedNoise(...)}, or there is no such output
     */
    public static double[] learnedNoiseStd(Model net, int output) {
        Layer out = NetworkAdapter.of(net).outputLayer(output);
        if (!(out.conf().getLayer() instanceof BayesianOutputLayer)
                || !((BayesianOutputLayer) out.conf().getLayer()).hasLearnedNoise()) {
            throw new IllegalArgumentException("The network's output layer learns no noise scale: it is not a "
                    + "BayesianOutputLayer with .learnedNoise(initialStd) (got " + out.conf().getLayer().getClass()
                    .getSimpleName() + ")");
        }
        BayesianOutputLayer conf = (BayesianOutputLayer) out.conf().getLayer();
        LossGaussianNll likelihood = (LossGaussianNll) conf.getLossFn();
        double[] raw = out.getParam(MeanFieldLayout.NOISE).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                .reshape(conf.getNOut()).toDoubleVector();
        double[] std = new double[raw.length];
        for (int j = 0; j < raw.length; j++) {
            std[j] = likelihood.std(raw[j]);
        }
        return std;
    }

    private static List<BayesianLayer> requireBayesian(Model net) {
        List<BayesianLayer> layers = bayesianLayers(net);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("The network has no Bayesian layer (BayesianDenseLayer, BayesianOutputLayer or BayesianConvolutionLayer)");
        }
        return layers;
    }

    /**
     * Prunes the weights whose signal-to-noise ratio {@code |mu| / sigma} is below {@code snrThreshold}
     * ({@link Pruning#prune}).
     *
     * @return the fraction of weights pruned per Bayesian layer
     */
    public static Pruning.Report prune(Model net, double snrThreshold) {
        return Pruning.prune(net, snrThreshold);
    }

    /**
     * @return for each Bayesian layer whose prior is a {@link io.github.dl4jbayes.priors.LearnedScalePrior}, in layer
     *         order, its learned prior standard deviations at the current parameters (one, or one per output unit),
     *         keyed by layer index
     */
    public static java.util.Map<Integer, double[]> learnedPriorScales(Model net) {
        java.util.Map<Integer, double[]> out = new java.util.LinkedHashMap<>();
        for (BayesianLayer layer : bayesianLayers(net)) {
            io.github.dl4jbayes.priors.Prior prior = layer.bayesianConfig().getMeanField().getPrior();
            if (prior instanceof io.github.dl4jbayes.priors.LearnedScalePrior) {
                out.put(((Layer) layer).getIndex(),
                        ((io.github.dl4jbayes.priors.LearnedScalePrior) prior).scales(layer.posteriorSnapshot()));
            }
        }
        return out;
    }
}
