package io.github.dl4jbayes.hierarchical;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.layers.BayesianLayerConfig;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.KernelPolicy;
import io.github.dl4jbayes.layers.MeanFieldLayout;
import io.github.dl4jbayes.layers.MeanFieldState;
import io.github.dl4jbayes.internal.StableMath;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.priors.KlEstimate;
import io.github.dl4jbayes.priors.KlTerm;
import io.github.dl4jbayes.priors.MeanFieldSample;
import io.github.dl4jbayes.priors.ParameterBlock;
import io.github.dl4jbayes.internal.fused.FusedDenseStack;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

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
 * <p>Prediction: {@link #groupNetwork(int)} is a plain Bayesian network for group {@code g} (use it with
 * {@code PosteriorPredictive}); {@link #newGroupNetwork()} is the prior predictive network of a group never seen,
 * {@code N(m_parent, s_parent^2 + tau^2)}; {@link #newGroupPrior} gives the informative prior to fit a new group with a
 * few examples of its own.
 */
public final class HierarchicalNetwork {
    private static final String CONFIGURATION = "configuration.json";
    private static final String STATE = "state.bin";

    private final MultiLayerConfiguration conf;
    private final int groups;
    private final double tauHyperScale;
    private final int paramCount;
    private final List<Block> blocks;
    /** Whether each parameter of the architecture belongs to a Bayesian layer (else to a layer all groups share). */
    private final boolean[] bayesianEntry;
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

    /** A Bayesian layer's place in the flattened parameters. */
    private record Block(int layer, int muOffset, int rhoOffset, int size, ParameterBlock structure,
                         KlScratch scratch) {
    }

    /** The arrays one block's KL terms are computed in, allocated once: a step computes 1 + G of them per block. */
    private static final class KlScratch {
        final double[] mu;
        final double[] sigma;
        final double[] eps;
        final double[] gradMu;
        final double[] gradSigma;

        KlScratch(int size) {
            mu = new double[size];
            sigma = new double[size];
            eps = new double[size];
            gradMu = new double[size];
            gradSigma = new double[size];
        }
    }

    private HierarchicalNetwork(MultiLayerConfiguration conf, int groups, double tauHyperScale, INDArray all,
                                INDArray updaterState, int iteration) {
        this.conf = conf;
        this.groups = groups;
        this.tauHyperScale = tauHyperScale;
        this.all = all;
        this.gradient = Nd4j.zeros(all.dataType(), all.shape());
        this.updaterState = updaterState;
        this.iteration = iteration;
        MultiLayerNetwork probe = new MultiLayerNetwork(conf.clone());
        probe.init();
        this.paramCount = (int) probe.numParams();
        this.blocks = new ArrayList<>();
        int offset = 0;
        for (int i = 0; i < probe.getLayers().length; i++) {
            org.deeplearning4j.nn.conf.layers.Layer layerConf = probe.getLayer(i).conf().getLayer();
            if (layerConf instanceof BayesianLayerConfig) {
                BayesianLayerConfig b = (BayesianLayerConfig) layerConf;
                MeanFieldLayout layout = new MeanFieldLayout(b);
                int size = (int) layout.blockSize();
                blocks.add(new Block(i, offset, offset + size, size,
                        new ParameterBlock(b.getLayerName(), layout.weightCount(), b.biasSize(), b.hasBias()),
                        new KlScratch(size)));
            }
            offset += (int) probe.getLayer(i).numParams();
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("a hierarchical network needs at least one Bayesian layer");
        }
        for (int i = 0; i < probe.getLayers().length; i++) {
            org.deeplearning4j.nn.conf.layers.Layer layerConf = probe.getLayer(i).conf().getLayer();
            if (layerConf instanceof BayesianLayerConfig || probe.getLayer(i).numParams() == 0) {
                continue;
            }
            if (layerConf instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization) {
                throw new IllegalArgumentException("layer " + i + " (batch normalization) cannot be shared by the groups "
                        + "of a hierarchical network: its running statistics are not trained by gradient");
            }
            if (layerConf instanceof org.deeplearning4j.nn.conf.layers.BaseLayer
                    && !(((org.deeplearning4j.nn.conf.layers.BaseLayer) layerConf).getRegularization().isEmpty()
                    && ((org.deeplearning4j.nn.conf.layers.BaseLayer) layerConf).getRegularizationBias().isEmpty())) {
                throw new IllegalArgumentException("layer " + i + " has L1/L2 regularization, which a hierarchical "
                        + "network's shared layers do not apply: remove it (or make the layer Bayesian)");
            }
        }
        this.bayesianEntry = new boolean[paramCount];
        for (Block b : blocks) {
            java.util.Arrays.fill(bayesianEntry, b.muOffset, b.rhoOffset + b.size, true);
        }
        this.parent = new MultiLayerNetwork(conf.clone());
        this.parent.init(all.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, paramCount)).reshape(1, paramCount), false);
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
        GroupBatch[] out = new GroupBatch[groups];
        for (int g = 0; g < groups; g++) {
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
        return groups;
    }

    /** @return the shared architecture */
    public MultiLayerConfiguration configuration() {
        return conf.clone();
    }

    /** @return the learned spread {@code tau_l} of each Bayesian layer, in layer order */
    public double[] tau() {
        double[] t = new double[blocks.size()];
        for (int l = 0; l < t.length; l++) {
            t[l] = StableMath.softplus(all.getDouble(0, tauOffset() + l));
        }
        return t;
    }

    /** @return the index, among the network's layers, of each Bayesian layer (the order of {@link #tau()}) */
    public int[] bayesianLayerIndices() {
        return blocks.stream().mapToInt(Block::layer).toArray();
    }

    /** Sets every layer's {@code tau} (finite, &gt; 0), e.g. to fix it for a comparison. */
    public void setTau(double tau) {
        ArgumentChecks.positiveFinite("tau", tau);
        for (int l = 0; l < blocks.size(); l++) {
            all.putScalar(0, tauOffset() + l, StableMath.inverseSoftplus(tau));
        }
    }

    /** @return the parent network: the posterior of {@code w_parent} (and the shared non-Bayesian layers) */
    public MultiLayerNetwork parent() {
        return parent;
    }

    private int tauOffset() {
        return paramCount * (groups + 1);
    }

    private int deltaOffset(int g) {
        return paramCount * (g + 1);
    }

    private void checkGroup(int g) {
        if (g < 0 || g >= groups) {
            throw new IllegalArgumentException("group index " + g + " is outside [0, " + groups + ")");
        }
    }

    /**
     * Writes group {@code g}'s effective parameters (or, for {@code g = -1}, a new group's) into {@code target}.
     */
    private void writeEffective(int g, INDArray target, double[] a) {
        double[] out = new double[paramCount];
        System.arraycopy(a, 0, out, 0, paramCount);                     // shared layers: the parent's
        for (int l = 0; l < blocks.size(); l++) {
            Block b = blocks.get(l);
            double tau = StableMath.softplus(a[tauOffset() + l]);
            for (int i = 0; i < b.size; i++) {
                double m = a[b.muOffset + i];
                double s = StableMath.softplus(a[b.rhoOffset + i]);
                double mu = 0;
                double sd = 1;                                          // a new group: delta ~ N(0, 1)
                if (g >= 0) {
                    mu = a[deltaOffset(g) + b.muOffset + i];
                    sd = StableMath.softplus(a[deltaOffset(g) + b.rhoOffset + i]);
                }
                out[b.muOffset + i] = m + tau * mu;
                out[b.rhoOffset + i] = StableMath.inverseSoftplus(Math.sqrt(s * s + tau * tau * sd * sd));
            }
        }
        target.assign(Nd4j.createFromArray(out).castTo(target.dataType()).reshape(target.shape()));
    }

    private double[] allValues() {
        return all.castTo(DataType.DOUBLE).reshape(all.length()).toDoubleVector();
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
        if (l < 0 || l >= blocks.size()) {
            throw new IllegalArgumentException("Bayesian layer " + l + " is outside [0, " + blocks.size() + ")");
        }
        Block b = blocks.get(l);
        double[] a = allValues();
        double tau = StableMath.softplus(a[tauOffset() + l]);
        double[] means = new double[b.size];
        double[] stds = new double[b.size];
        for (int i = 0; i < b.size; i++) {
            double s = StableMath.softplus(a[b.rhoOffset + i]);
            means[i] = a[b.muOffset + i];
            stds[i] = Math.sqrt(s * s + tau * tau);
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
        double[] a = allValues();
        double[] grad = new double[a.length];
        double score = 0;
        INDArray workParams = work.params();
        for (int g = 0; g < groups; g++) {
            if (weights[g] == 0) {
                continue;
            }
            GroupBatch data = batch[g];
            if (data == null) {
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
            double[] wp = workParams.castTo(DataType.DOUBLE).reshape(paramCount).toDoubleVector();
            double[] wg = work.getFlattenedGradients().castTo(DataType.DOUBLE).reshape(paramCount).toDoubleVector();
            for (int i = 0; i < paramCount; i++) {
                wg[i] /= examples;
            }
            for (int i = 0; i < paramCount; i++) {
                if (!bayesianEntry[i]) {
                    grad[i] += weights[g] * wg[i];                          // a shared layer's parameter
                }
            }
            for (int l = 0; l < blocks.size(); l++) {
                Block b = blocks.get(l);
                double tau = StableMath.softplus(a[tauOffset() + l]);
                double dTau = 0;
                int d = deltaOffset(g);
                for (int i = 0; i < b.size; i++) {
                    double gMu = weights[g] * wg[b.muOffset + i];
                    double rhoEff = wp[b.rhoOffset + i];
                    double sigmaEff = StableMath.softplus(rhoEff);
                    double gSigma = weights[g] * wg[b.rhoOffset + i] / StableMath.sigmoid(rhoEff);
                    double rhoP = a[b.rhoOffset + i];
                    double sP = StableMath.softplus(rhoP);
                    double muD = a[d + b.muOffset + i];
                    double rhoD = a[d + b.rhoOffset + i];
                    double sD = StableMath.softplus(rhoD);
                    grad[b.muOffset + i] += gMu;
                    grad[b.rhoOffset + i] += gSigma * sP / sigmaEff * StableMath.sigmoid(rhoP);
                    grad[d + b.muOffset + i] += tau * gMu;
                    grad[d + b.rhoOffset + i] += gSigma * tau * tau * sD / sigmaEff * StableMath.sigmoid(rhoD);
                    dTau += gMu * muD + gSigma * tau * sD * sD / sigmaEff;
                }
                grad[tauOffset() + l] += dTau * StableMath.sigmoid(a[tauOffset() + l]);
            }
        }
        score += klWeight * klTerms(a, grad, klWeight / datasetSize, new SplittableRandom(groupSeed(noiseSeed, -1)))
                / datasetSize;
        gradient.assign(Nd4j.createFromArray(grad).castTo(gradient.dataType()).reshape(gradient.shape()));
        return score;
    }

    /**
     * Adds {@code scale} times the gradient of the KL terms to {@code grad}: the parent's KL to the layers' priors
     * (their own KL estimate: closed form or Monte Carlo with {@code noise}), every group's
     * {@code KL(q(delta_g) || N(0, I))}, and tau's half-normal hyperprior.
     *
     * @return the KL terms, unscaled
     */
    private double klTerms(double[] a, double[] grad, double scale, SplittableRandom noise) {
        double kl = 0;
        for (int l = 0; l < blocks.size(); l++) {
            Block b = blocks.get(l);
            BayesianLayerConfig c = (BayesianLayerConfig) parent.getLayer(b.layer).conf().getLayer();
            kl += addKl(KlTerm.of(c.getMeanField().getPrior(), c.getMeanField().getKlEstimate()), b, 0, a, grad, scale,
                    noise);
            for (int g = 0; g < groups; g++) {
                kl += addKl(DEVIATION_KL, b, deltaOffset(g), a, grad, scale, noise);
            }
            if (tauHyperScale > 0) {
                double raw = a[tauOffset() + l];
                double tau = StableMath.softplus(raw);
                double h = tauHyperScale;
                kl += 0.5 * tau * tau / (h * h) + Math.log(h) - 0.5 * Math.log(2 / Math.PI);
                grad[tauOffset() + l] += scale * tau / (h * h) * StableMath.sigmoid(raw);
            }
        }
        return kl;
    }

    /** The prior of every group's deviation {@code delta_g}: N(0, I), its KL in closed form. */
    private static final KlTerm DEVIATION_KL = KlTerm.of(GaussianPrior.standardNormal(), KlEstimate.ANALYTIC);

    /**
     * The KL term of one block of mean-field parameters (the parent's block, or a group's deviation of it, at
     * {@code offset}) through the prior's own code: adds {@code scale} times its gradient to {@code grad}, by the
     * chain rule through {@code sigma = softplus(rho)}.
     *
     * @return the KL term, unscaled
     */
    private static double addKl(KlTerm term, Block b, int offset, double[] a, double[] grad, double scale,
                                SplittableRandom noise) {
        KlScratch s = b.scratch;
        for (int i = 0; i < b.size; i++) {
            s.mu[i] = a[offset + b.muOffset + i];
            s.sigma[i] = StableMath.softplus(a[offset + b.rhoOffset + i]);
            s.eps[i] = term.isMonteCarlo() ? noise.nextGaussian() : 0;
        }
        MeanFieldSample q = new MeanFieldSample(b.structure, s.mu, s.sigma, s.eps, null, b.size);
        double kl = term.klDivergence(q);
        double[] gMu = s.gradMu;
        double[] gSigma = s.gradSigma;
        java.util.Arrays.fill(gMu, 0.0);
        java.util.Arrays.fill(gSigma, 0.0);
        term.addKlGradient(q, scale, gMu, gSigma);
        for (int i = 0; i < b.size; i++) {
            grad[offset + b.muOffset + i] += gMu[i];
            grad[offset + b.rhoOffset + i] += gSigma[i] * StableMath.sigmoid(a[offset + b.rhoOffset + i]);
        }
        return kl;
    }

    /** The seed of group {@code g}'s draw in a step seeded {@code seed} ({@code g = -1}: the parent's KL draw). */
    static long groupSeed(long seed, int g) {
        return MeanFieldState.layerSeed(seed, g + 1);
    }

    /** Applies Adam (learning rate {@code lr}) to the gradient of the last {@link #computeGradientAndScore}. */
    /** @return the number of optimizer steps this network has taken (saved with it) */
    int iterationCount() {
        return iteration;
    }

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
        return paramCount;
    }

    /**
     * Saves the architecture, the parameters (parent, deviations, tau) and the optimizer state, so that training can
     * continue after {@link #load}.
     */
    public void save(Path file) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry(CONFIGURATION));
            zip.write(conf.toJson().getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(STATE));
            DataOutputStream out = new DataOutputStream(zip);
            out.writeInt(groups);
            out.writeDouble(tauHyperScale);
            out.writeInt(iteration);
            ByteArrayOutputStream arrays = new ByteArrayOutputStream();
            Nd4j.write(all, new DataOutputStream(arrays));
            Nd4j.write(updaterState, new DataOutputStream(arrays));
            out.writeInt(arrays.size());
            arrays.writeTo(out);
            out.flush();
            zip.closeEntry();
        }
    }

    /** @return the network {@link #save}d to {@code file} */
    public static HierarchicalNetwork load(Path file) throws IOException {
        String json = null;
        byte[] state = null;
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (CONFIGURATION.equals(e.getName())) {
                    json = new String(zip.readAllBytes(), StandardCharsets.UTF_8);
                } else if (STATE.equals(e.getName())) {
                    state = zip.readAllBytes();
                }
            }
        }
        if (json == null || state == null) {
            throw new IOException(file + " is not a saved hierarchical network (missing " + (json == null ? CONFIGURATION
                    : STATE) + ")");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(state));
        int groups = in.readInt();
        double hyper = in.readDouble();
        int iteration = in.readInt();
        in.readInt();
        INDArray all = Nd4j.read((InputStream) in);
        INDArray updaterState = Nd4j.read((InputStream) in);
        return new HierarchicalNetwork(MultiLayerConfiguration.fromJson(json), groups, hyper, all, updaterState, iteration);
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
            int p = (int) probe.numParams();
            // parent | deltas | tau raw; the tau count is known after the blocks are found: at most one per layer
            int layers = probe.getLayers().length;
            INDArray all = Nd4j.zeros(probe.params().dataType(), 1, (long) p * (groups + 1) + countBayesian(probe));
            all.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, p)).assign(probe.params().reshape(p));
            double rhoDelta = StableMath.inverseSoftplus(initialDeviationStd);
            for (int g = 0; g < groups; g++) {
                int offset = 0;
                for (int i = 0; i < layers; i++) {
                    int n = (int) probe.getLayer(i).numParams();
                    if (probe.getLayer(i).conf().getLayer() instanceof BayesianLayerConfig) {
                        int size = (int) new MeanFieldLayout((BayesianLayerConfig) probe.getLayer(i).conf().getLayer())
                                .blockSize();
                        all.get(NDArrayIndex.point(0), NDArrayIndex.interval((long) p * (g + 1) + offset + size,
                                (long) p * (g + 1) + offset + 2L * size)).assign(rhoDelta);
                    }
                    offset += n;
                }
            }
            long stateSize = new Adam().stateSize(all.length());
            INDArray updaterState = Nd4j.zeros(all.dataType(), 1, stateSize);
            HierarchicalNetwork net = new HierarchicalNetwork(conf, groups, tauHyperScale, all, updaterState, 0);
            net.setTau(initialTau);
            return net;
        }

        private static int countBayesian(MultiLayerNetwork net) {
            int n = 0;
            for (org.deeplearning4j.nn.api.Layer l : net.getLayers()) {
                n += l.conf().getLayer() instanceof BayesianLayerConfig ? 1 : 0;
            }
            return n;
        }
    }
}
