package io.github.dl4jbayes.hierarchical;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.layers.BayesianLayerConfig;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.KernelPolicy;
import io.github.dl4jbayes.layers.MeanFieldState;
import io.github.dl4jbayes.internal.StableMath;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.priors.KlTerm;
import io.github.dl4jbayes.internal.fused.FusedDenseStack;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;


import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A hierarchical Bayesian neural network: {@code G} groups share one architecture (a DL4J configuration with Bayesian
 * layers), each with weights of its own, pooled through a shared parent so that groups with few examples borrow
 * strength from the rest. For every Bayesian layer {@code l}:
 *
 * <pre>
 *   w_parent ~ the layer's prior,     w_g = w_parent + tau_l delta_g,     delta_g ~ N(0, I)
 * </pre>
 *
 * i.e. {@code w_g ~ N(w_parent, tau_l^2)}, in the non-centred parameterization, with a mean-field Gaussian posterior
 * over {@code w_parent} and every {@code delta_g}, and {@code tau_l} a point estimate with a half-normal hyperprior
 * (the math and why non-centred: docs/math.md). Layers that are not Bayesian are shared by all groups, with the
 * parent's parameters, trained by the same Adam step: layers without parameters (pooling, dropout, activation) and
 * plain trainable layers without L1/L2; batch normalization (whose running statistics are not gradients) and
 * regularized shared layers are rejected when the network is built.
 *
 * <p>Since a group's likelihood sees its weights only through their marginal
 * {@code N(m_parent + tau mu_delta, s_parent^2 + tau^2 sigma_delta^2)}, each group's likelihood and its gradient are
 * computed by an ordinary DL4J network carrying those effective parameters ({@link #groupNetwork}); the chain rule
 * takes the gradient back to the parent, the group's deviation and tau. {@link HierarchicalAdvi} trains it.
 *
 * <p>The pieces, each in its own package-private class: {@code HierarchicalLayout} (where the parent, each group's
 * deviations and tau live in the one parameter vector), {@code GroupMarginal} (a group's effective parameters and
 * the chain rule back), {@code HierarchicalKl} (the KL terms, through the priors' own code) and
 * {@code HierarchicalFiles} (the saved file). This class holds the parameters, steps Adam (ND4J's
 * {@code AdamUpdater} on the whole vector) and hands out DL4J networks.
 *
 * <p>Prediction: {@link #groupNetwork(int)} is a plain Bayesian network for group {@code g} (use it with
 * {@code PosteriorPredictive}); {@link #newGroupNetwork()} is the prior predictive network of a group never seen,
 * {@code N(m_parent, s_parent^2 + tau^2)}; {@link #newGroupPrior} gives the informative prior to fit a new group with a
 * few examples of its own.
 */
public final class HierarchicalNetwork {
    private final MultiLayerConfiguration conf;
    private final double tauHyperScale;
    private final HierarchicalLayout layout;
    private final HierarchicalKl kl;
    /** {@code [parent | delta_0 | ... | delta_{G-1} | tau raw]}, a row vector, and its gradient. */
    private final INDArray all;
    private final INDArray gradient;
    private final INDArray updaterState;
    private final MultiLayerNetwork parent;
    private final MultiLayerNetwork work;
    /** The work network's fused step where it applies (a small stack of Bayesian dense layers), else null. */
    private FusedDenseStack fused;
    /** How the networks this class builds compute (run-time state, not saved). */
    private KernelPolicy kernelPolicy = KernelPolicy.defaults();
    private AdamUpdater updater;
    private double learningRate = 0.01;
    private int iteration;

    private HierarchicalNetwork(MultiLayerConfiguration conf, HierarchicalLayout layout, double tauHyperScale,
                                INDArray all, INDArray updaterState, int iteration) {
        this.conf = conf;
        this.layout = layout;
        this.tauHyperScale = tauHyperScale;
        this.all = all;
        this.gradient = Nd4j.zeros(all.dataType(), all.shape());
        this.updaterState = updaterState;
        this.iteration = iteration;
        int p = layout.paramCount;
        this.parent = new MultiLayerNetwork(conf.clone());
        this.parent.init(all.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, p)).reshape(1, p), false);
        List<KlTerm> parentKl = new ArrayList<>();
        for (HierarchicalLayout.Block b : layout.blocks) {
            BayesianLayerConfig c = (BayesianLayerConfig) parent.getLayer(b.layer()).conf().getLayer();
            parentKl.add(KlTerm.of(c.getMeanField().getPrior(), c.getMeanField().getKlEstimate()));
        }
        this.kl = new HierarchicalKl(layout, parentKl, tauHyperScale);
        this.work = new MultiLayerNetwork(conf.clone());
        this.work.init();
        BayesianNetworks.setKlWeight(work, 0.0);           // the KL terms are this class's
        BayesianNetworks.setDatasetSize(work, 1);
        this.fused = FusedDenseStack.whyNot(work) == null ? FusedDenseStack.of(work) : null;
    }

    /** One group's examples of a minibatch, prepared for the step (copied once for the fused step). */
    static final class GroupBatch {
        private final DataSet data;
        private final FusedDenseStack.Batch fusedBatch;

        private GroupBatch(DataSet data, FusedDenseStack.Batch fusedBatch) {
            this.data = data;
            this.fusedBatch = fusedBatch;
        }

        int size() {
            return data.numExamples();
        }
    }

    /**
     * @return the minibatch split by group (null for a group without examples in it), ready for
     *         {@link #computeGradientAndScore}
     */
    GroupBatch[] prepare(GroupedData batch) {
        GroupBatch[] out = new GroupBatch[groups()];
        for (int g = 0; g < out.length; g++) {
            DataSet d = batch.ofGroup(g);
            if (d != null) {
                DataSet typed = new DataSet(d.getFeatures().castTo(work.params().dataType()),
                        d.getLabels().castTo(work.params().dataType()));
                out[g] = new GroupBatch(typed, fused == null ? null : fused.prepare(typed));
            }
        }
        return out;
    }

    /**
     * @param conf  the architecture every group shares, with Bayesian layers (their priors are the parent's)
     * @param groups the number of groups G (&ge; 1)
     * @return a hierarchical network with default options
     */
    public static HierarchicalNetwork create(MultiLayerConfiguration conf, int groups) {
        return builder(conf, groups).build();
    }

    /** @return a builder of a hierarchical network over {@code groups} groups of the architecture {@code conf} */
    public static Builder builder(MultiLayerConfiguration conf, int groups) {
        return new Builder(conf, groups);
    }

    /**
     * Sets how the networks this hierarchical network trains and hands out compute ({@link KernelPolicy}: the parent,
     * the network that evaluates each group, and the group networks made from now on). Between fits, not during one.
     *
     * @param policy the policy (not null)
     */
    public void setKernelPolicy(KernelPolicy policy) {
        java.util.Objects.requireNonNull(policy, "policy must not be null");
        this.kernelPolicy = policy;
        BayesianNetworks.setKernelPolicy(parent, policy);
        BayesianNetworks.setKernelPolicy(work, policy);
        this.fused = FusedDenseStack.whyNot(work) == null ? FusedDenseStack.of(work) : null;
    }

    /** @return how the networks this hierarchical network builds compute */
    public KernelPolicy kernelPolicy() {
        return kernelPolicy;
    }

    /** @return the number of groups */
    public int groups() {
        return layout.groups;
    }

    /** @return the shared architecture */
    public MultiLayerConfiguration configuration() {
        return conf.clone();
    }

    /** @return the learned spread {@code tau_l} of each Bayesian layer, in layer order */
    public double[] tau() {
        double[] t = new double[layout.blocks.size()];
        for (int l = 0; l < t.length; l++) {
            t[l] = StableMath.softplus(all.getDouble(0, layout.tauOffset() + l));
        }
        return t;
    }

    /** @return the index, among the network's layers, of each Bayesian layer (the order of {@link #tau()}) */
    public int[] bayesianLayerIndices() {
        return layout.blocks.stream().mapToInt(HierarchicalLayout.Block::layer).toArray();
    }

    /** Sets every layer's {@code tau} (finite, &gt; 0), e.g. to fix it for a comparison. */
    public void setTau(double tau) {
        ArgumentChecks.positiveFinite("tau", tau);
        for (int l = 0; l < layout.blocks.size(); l++) {
            all.putScalar(0, layout.tauOffset() + l, StableMath.inverseSoftplus(tau));
        }
    }

    /** @return the parent network: the posterior of {@code w_parent} (and the shared non-Bayesian layers) */
    public MultiLayerNetwork parent() {
        return parent;
    }

    private void checkGroup(int g) {
        if (g < 0 || g >= groups()) {
            throw new IllegalArgumentException("group index " + g + " is outside [0, " + groups() + ")");
        }
    }

    private double[] allValues() {
        return all.castTo(DataType.DOUBLE).reshape(all.length()).toDoubleVector();
    }

    /** Writes group {@code g}'s effective parameters ({@code g = -1}: a new group's) into {@code target}. */
    private void writeEffective(int g, INDArray target, double[] a) {
        double[] out = new double[layout.paramCount];
        GroupMarginal.forward(layout, a, g, out);
        target.assign(Nd4j.createFromArray(out).castTo(target.dataType()).reshape(target.shape()));
    }

    /**
     * @return a Bayesian network of the shared architecture carrying group {@code g}'s posterior (the marginal of its
     *         weights): use it with {@code PosteriorPredictive} for the group's predictions, mean, std, mutual
     *         information
     * @throws IllegalArgumentException if {@code g} is out of range
     */
    public MultiLayerNetwork groupNetwork(int g) {
        checkGroup(g);
        return snapshot(g);
    }

    /**
     * @return the network of a group with no examples: its weights' distribution under the parent posterior,
     *         {@code N(m_parent, s_parent^2 + tau^2)}, the hierarchical model's prior predictive for a new group
     */
    public MultiLayerNetwork newGroupNetwork() {
        return snapshot(-1);
    }

    private MultiLayerNetwork snapshot(int g) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
        net.init();
        BayesianNetworks.setKernelPolicy(net, kernelPolicy);
        writeEffective(g, net.params(), allValues());
        return net;
    }

    /**
     * The informative prior of a new group with a few examples of its own (the parent posterior's predictive for its
     * weights): for Bayesian layer {@code l} (by position in {@link #bayesianLayerIndices()}), a per-parameter
     * {@code GaussianPrior(m_parent, sqrt(s_parent^2 + tau_l^2))}, to put on that layer of a new network fitted to the
     * new group's data (for example built with {@code InformedPriors} or by hand).
     */
    public GaussianPrior newGroupPrior(int l) {
        if (l < 0 || l >= layout.blocks.size()) {
            throw new IllegalArgumentException("Bayesian layer " + l + " is outside [0, " + layout.blocks.size() + ")");
        }
        HierarchicalLayout.Block b = layout.blocks.get(l);
        double[] a = allValues();
        double tau = StableMath.softplus(a[layout.tauOffset() + l]);
        double[] means = new double[b.size()];
        double[] stds = new double[b.size()];
        for (int i = 0; i < b.size(); i++) {
            means[i] = a[b.muOffset() + i];
            stds[i] = GroupMarginal.std(StableMath.softplus(a[b.rhoOffset() + i]), tau, 1.0);
        }
        return GaussianPrior.perParameter(Nd4j.createFromArray(means), Nd4j.createFromArray(stds));
    }

    /**
     * The objective of one minibatch, {@code -ELBO / N} estimated from it, and its gradient into this network's
     * gradient buffer. The data term of each group present is its examples' mean loss weighted by {@code weight[g]}
     * (what the minibatch stands for); the KL terms (parent, every group's deviation, tau's hyperprior) are divided
     * by {@code N} and multiplied by {@code klWeight}.
     *
     * @param batch      the minibatch
     * @param weights    per group, the factor of its mean loss
     * @param datasetSize N
     * @param klWeight   the KL terms' weight (1 for the ELBO)
     * @param noiseSeed  the seed of this step's draws (group g's draw is seeded from it and g)
     * @return the objective
     */
    double computeGradientAndScore(GroupedData batch, double[] weights, long datasetSize, double klWeight, long noiseSeed) {
        return computeGradientAndScore(prepare(batch), weights, datasetSize, klWeight, noiseSeed);
    }

    /** {@link #computeGradientAndScore(GroupedData, double[], long, double, long)} on a prepared minibatch. */
    double computeGradientAndScore(GroupBatch[] batch, double[] weights, long datasetSize, double klWeight,
                                   long noiseSeed) {
        int p = layout.paramCount;
        double[] a = allValues();
        double[] grad = new double[a.length];
        double score = 0;
        INDArray workParams = work.params();
        for (int g = 0; g < groups(); g++) {
            GroupBatch data = batch[g];
            if (weights[g] == 0 || data == null) {
                continue;
            }
            writeEffective(g, workParams, a);
            BayesianNetworks.setNoiseSeed(work, groupSeed(noiseSeed, g));
            double groupScore;
            if (fused != null) {
                groupScore = fused.computeGradientAndScore(data.fusedBatch);
            } else {
                work.setInput(data.data.getFeatures());
                work.setLabels(data.data.getLabels());
                work.computeGradientAndScore();
                groupScore = work.score();
            }
            // DL4J's backward pass leaves the gradient summed over the examples (its updater divides it by their
            // number); the score is their mean loss, or their summed loss without miniBatch
            int examples = data.size();
            score += weights[g] * (work.conf().isMiniBatch() ? groupScore : groupScore / examples);
            double[] effective = workParams.castTo(DataType.DOUBLE).reshape(p).toDoubleVector();
            double[] gradEff = work.getFlattenedGradients().castTo(DataType.DOUBLE).reshape(p).toDoubleVector();
            for (int i = 0; i < p; i++) {
                gradEff[i] /= examples;
            }
            GroupMarginal.backward(layout, a, g, weights[g], effective, gradEff, grad);
        }
        score += klWeight * kl.addTo(a, grad, klWeight / datasetSize, new SplittableRandom(groupSeed(noiseSeed, -1)))
                / datasetSize;
        gradient.assign(Nd4j.createFromArray(grad).castTo(gradient.dataType()).reshape(gradient.shape()));
        return score;
    }

    /** The seed of group {@code g}'s draw in a step seeded {@code seed} ({@code g = -1}: the parent's KL draw). */
    static long groupSeed(long seed, int g) {
        return MeanFieldState.layerSeed(seed, g + 1);
    }

    /** @return the number of optimizer steps this network has taken (saved with it) */
    int iterationCount() {
        return iteration;
    }

    /** Applies Adam (learning rate {@code lr}) to the gradient of the last {@link #computeGradientAndScore}. */
    void applyUpdate(double lr) {
        if (updater == null || lr != learningRate) {
            learningRate = lr;
            updater = new AdamUpdater(new Adam(lr));
            updater.setStateViewArray(updaterState, all.shape(), 'c', false);
        }
        updater.applyUpdater(gradient, iteration, 0);
        all.subi(gradient);
        iteration++;
    }

    /** @return a copy of the gradient of the last {@link #computeGradientAndScore}, for tests */
    INDArray lastGradient() {
        return gradient.dup();
    }

    /** @return all parameters (a live view), for tests */
    INDArray parameters() {
        return all;
    }

    /** @return the number of parameters of one copy of the architecture */
    int paramCount() {
        return layout.paramCount;
    }

    /**
     * Saves the architecture, the parameters (parent, deviations, tau) and the optimizer state, so that training can
     * continue after {@link #load}.
     */
    public void save(Path file) throws IOException {
        HierarchicalFiles.write(file, new HierarchicalFiles.Contents(conf, groups(), tauHyperScale, iteration, all,
                updaterState));
    }

    /** @return the network {@link #save}d to {@code file} */
    public static HierarchicalNetwork load(Path file) throws IOException {
        HierarchicalFiles.Contents c = HierarchicalFiles.read(file);
        return new HierarchicalNetwork(c.conf(), HierarchicalLayout.of(c.conf(), c.groups()), c.tauHyperScale(),
                c.parameters(), c.updaterState(), c.iteration());
    }

    /** Options of a new hierarchical network. */
    public static final class Builder {
        private final MultiLayerConfiguration conf;
        private final int groups;
        private double initialTau = 0.5;
        private double tauHyperScale = 1.0;
        private double initialDeviationStd = 0.1;

        private Builder(MultiLayerConfiguration conf, int groups) {
            if (conf == null) {
                throw new IllegalArgumentException("conf must not be null");
            }
            if (groups < 1) {
                throw new IllegalArgumentException("groups must be >= 1, got " + groups);
            }
            if (conf.getDataType() == DataType.HALF || conf.getDataType() == DataType.BFLOAT16) {
                throw new IllegalArgumentException("a hierarchical network needs FLOAT or DOUBLE parameters, got "
                        + conf.getDataType() + ": its Adam step (epsilon 1e-8) and the chain rule through the groups' "
                        + "effective parameters underflow in half precision");
            }
            this.conf = conf.clone();
            this.groups = groups;
        }

        /** @param tau every layer's initial spread of the group weights around the parent (&gt; 0); default 0.5 */
        public Builder initialTau(double tau) {
            ArgumentChecks.positiveFinite("initialTau", tau);
            this.initialTau = tau;
            return this;
        }

        /**
         * @param scale the half-normal hyperprior's scale on each tau (&gt; 0), or 0 for none (tau then maximizes the
         *              ELBO alone); default 1
         */
        public Builder tauHyperprior(double scale) {
            ArgumentChecks.nonNegativeFinite("tauHyperprior scale", scale);
            this.tauHyperScale = scale;
            return this;
        }

        /** @param std the initial posterior std of the deviations delta_g (&gt; 0); default 0.1 */
        public Builder initialDeviationStd(double std) {
            ArgumentChecks.positiveFinite("initialDeviationStd", std);
            this.initialDeviationStd = std;
            return this;
        }

        /** @return the network: parent initialized as the configuration says, deviations at 0, tau as set */
        public HierarchicalNetwork build() {
            MultiLayerNetwork probe = new MultiLayerNetwork(conf.clone());
            probe.init();
            HierarchicalLayout layout = HierarchicalLayout.of(probe, groups);
            int p = layout.paramCount;
            INDArray all = Nd4j.zeros(probe.params().dataType(), 1, layout.length());
            all.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, p)).assign(probe.params().reshape(p));
            double rhoDelta = StableMath.inverseSoftplus(initialDeviationStd);
            for (int g = 0; g < groups; g++) {
                for (HierarchicalLayout.Block b : layout.blocks) {
                    long from = (long) layout.deltaOffset(g) + b.rhoOffset();
                    all.get(NDArrayIndex.point(0), NDArrayIndex.interval(from, from + b.size())).assign(rhoDelta);
                }
            }
            long stateSize = new Adam().stateSize(all.length());
            INDArray updaterState = Nd4j.zeros(all.dataType(), 1, stateSize);
            HierarchicalNetwork net = new HierarchicalNetwork(conf, layout, tauHyperScale, all, updaterState, 0);
            net.setTau(initialTau);
            return net;
        }
    }
}
