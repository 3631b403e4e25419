package io.github.dl4jbayes.internal.meanfield;

import io.github.dl4jbayes.layers.KernelPolicy;
import io.github.dl4jbayes.layers.BayesianLayerConfig;
import io.github.dl4jbayes.layers.MeanFieldLayout;
import io.github.dl4jbayes.layers.MeanFieldSettings;
import io.github.dl4jbayes.layers.MeanFieldState;
import io.github.dl4jbayes.internal.StableMath;
import io.github.dl4jbayes.priors.KlTerm;
import io.github.dl4jbayes.priors.MeanFieldSample;
import io.github.dl4jbayes.priors.ParameterBlock;

import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The mean-field Gaussian posterior of one Bayesian layer at run time: it draws the layer's weights by the
 * reparameterization {@code w = mu + softplus(rho) * eps} (or the perturbation {@code softplus(rho) * eps}, or only
 * sigma, as the layer's estimator asks), turns the data gradients the estimator wrote into the gradients for
 * {@code mu} and {@code rho} ({@link #completeGradient}), and adds the prior's KL term, scaled here and nowhere else.
 *
 * <p>The element-wise work is done by a {@link MeanFieldKernel}: on the CPU backend Java loops over bulk copies of
 * the parameters ({@link JavaLoopKernel}: no native call at all for small layers, which matters when each ND4J call
 * costs more than the arithmetic; from the policy's native threshold the softplus's {@code exp} and
 * {@code log} by ND4J and the noise on a second thread); from that size, FLOAT layers without pruned parameters use
 * SIMD loops in single precision ({@link VectorKernel}) where the JVM has Java's Vector API ({@link VectorSupport});
 * ND4J operations over whole blocks ({@link Nd4jKernel}) on a GPU backend and for large HALF and BFLOAT16 layers. The
 * layer's {@link KernelPolicy} (its network's) decides where the arrays live and the threshold
 * ({@link #usesNd4jKernel(long, boolean, boolean, int, org.nd4j.linalg.api.buffer.DataType)}).
 *
 * <p>One draw is made per forward pass: the implementations call {@link #newInput} on every new input and draw
 * lazily, so the forward pass, the backward pass and the score of one step all see the same weights. The noise comes
 * from the layer instance's own generator ({@link MeanFieldState#setNoiseSeed}), seeded on first use from the
 * configuration's {@code seed(...)} and the layer's index: the draws of a network depend on its seed alone, not on
 * what else the program does with ND4J's global RNG, the thread it runs on, or other networks.
 *
 * <p>The run-time settings (N, KL weight, inference mode) are this instance's {@link MeanFieldState}, never the
 * configuration's, which several networks may share.
 */
public final class MeanFieldPosterior {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MeanFieldPosterior.class);
    /** Whether the warning about pruned layers on a GPU was given (once per JVM: every worker rebinds its layers). */
    private static volatile boolean warnedPrunedOnDevice;

    private final Supplier<BayesianLayerConfig> config;
    private final LongSupplier defaultNoiseSeed;
    private final MeanFieldLayout layout;
    private final ParameterBlock block;
    private final int size;
    private final MeanFieldState state = new MeanFieldState();

    private MeanFieldKernel kernel;
    /** How this instance computes (its network's choice); the kernel and the noise filler follow it. */
    private KernelPolicy policy = KernelPolicy.defaults();
    private INDArray muBlock;
    private INDArray rhoBlock;
    private INDArray gradMuBlock;
    private INDArray gradRhoBlock;
    private INDArray sampledWeights;
    private INDArray sampledBias;
    private INDArray sigmaBuffer;
    /** What the buffers hold for the current input: null (nothing yet), or the kind of the last draw. */
    private Draw drawn;
    /** How many draws this posterior has made: estimators draw their per-example noise once per draw. */
    private long drawCount;
    /** The KL at the parameters of the last backward pass, for the score DL4J computes right after it. */
    private double klOfStep;
    private boolean klOfStepValid;
    /** The KL the last score used ({@link #klScore}), NaN after a new input until the next score. */
    private double scoredKl = Double.NaN;
    /** The minibatch size of the last input. */
    private long batchSize = 1;
    /** Whether some parameters were pruned when the parameters were last bound (or {@link #refreshPruning}). */
    private boolean hasPruned;
    /** The noise of Monte-Carlo KL estimates made outside a training step (so as not to disturb the step's draws). */
    private SplittableRandom evaluationNoise;

    /**
     * @param config           the layer's current configuration (read at each use, so that it may be replaced)
     * @param defaultNoiseSeed the seed of the noise unless {@link MeanFieldState#setNoiseSeed} sets one first, read
     *                         at the first draw (when DL4J has set the layer's index)
     */
    public MeanFieldPosterior(Supplier<BayesianLayerConfig> config, LongSupplier defaultNoiseSeed) {
        this.config = config;
        this.defaultNoiseSeed = defaultNoiseSeed;
        BayesianLayerConfig conf = config.get();
        this.layout = new MeanFieldLayout(conf);
        long blockSize = layout.blockSize();
        if (blockSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Bayesian layer '" + conf.getLayerName() + "' is too large: "
                    + blockSize + " parameters per block");
        }
        this.size = (int) blockSize;
        this.block = new ParameterBlock(conf.getLayerName(), layout.weightCount(), conf.biasSize(), conf.hasBias());
        MeanFieldSettings settings = conf.getMeanField();
        settings.getPrior().validate(block);
        settings.getKlEstimate().check(settings.getPrior(), block);
    }

    /** @return the structure of the layer's parameter block, as its prior sees it */
    public ParameterBlock block() {
        return block;
    }

    /** @return the layer's KL term: its prior and how the KL is computed, from the current configuration */
    public KlTerm klTerm() {
        MeanFieldSettings settings = config.get().getMeanField();
        return KlTerm.of(settings.getPrior(), settings.getKlEstimate());
    }

    /** @return how this layer instance computes */
    public KernelPolicy kernelPolicy() {
        return policy;
    }

    /**
     * Sets how this layer instance computes, and chooses its kernel again if its parameters are bound.
     *
     * @param policy the policy (not null)
     */
    public void setKernelPolicy(KernelPolicy policy) {
        java.util.Objects.requireNonNull(policy, "policy must not be null");
        if (policy.equals(this.policy)) {
            return;                                     // nothing to choose again: keep the kernel and its draw
        }
        this.policy = policy;
        if (rhoBlock != null) {
            refreshPruning();
        }
    }


    /** @return this layer instance's run-time state */
    public MeanFieldState state() {
        return state;
    }

    /** Binds the layer's flattened parameter view, and allocates the kernel's buffers. */
    public void bindParams(INDArray paramsFlat) {
        this.muBlock = layout.muBlock(paramsFlat);
        this.rhoBlock = layout.rhoBlock(paramsFlat);
        refreshPruning();
    }

    /**
     * Looks for pruned parameters ({@link PrunedParameters}) and chooses the kernel: a layer with pruned parameters uses Java
     * loops, which skip them, whatever its size. Called when the parameters are bound, and by whatever prunes a bound
     * layer.
     */
    public void refreshPruning() {
        hasPruned = rhoBlock.minNumber().doubleValue() <= PrunedParameters.PRUNED_RHO_LIMIT;
        boolean hostLoops = policy.hostMemory();
        if (hasPruned && !hostLoops && !warnedPrunedOnDevice) {
            warnedPrunedOnDevice = true;
            log.warn("Bayesian layer '{}' has pruned parameters: only the Java-loop kernel skips them, so it runs on "
                    + "the host although the ND4J backend is not the CPU backend (every step copies its parameters "
                    + "between host and device; said once)", config.get().getLayerName());
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            org.nd4j.linalg.api.buffer.DataType type = muBlock.dataType();
            boolean large = hostLoops && size >= policy.nativeThreshold();
            if (usesNd4jKernel(size, hasPruned, hostLoops, policy.nativeThreshold(), type)) {
                this.kernel = new Nd4jKernel(block, type, hostLoops);
            } else if (large && !hasPruned && type == org.nd4j.linalg.api.buffer.DataType.FLOAT
                    && VectorSupport.enabled(policy.vectorKernel())) {
                this.kernel = new VectorKernel(block, type);
            } else {
                if (large && type == org.nd4j.linalg.api.buffer.DataType.FLOAT) {
                    VectorSupport.hintOnce(config.get().getLayerName());
                }
                this.kernel = new JavaLoopKernel(block, type, large && HostArrays.bulk(type));
            }
        }
        this.sampledWeights = layout.weights(kernel.sampled());
        this.sampledBias = layout.bias(kernel.sampled());
        this.drawn = null;
    }

    /**
     * The kernel choice. Where Java loops over ND4J arrays are allowed (host memory: the CPU backend), FLOAT
     * and DOUBLE layers use the Java-loop kernel at every size (from {@code threshold} parameters with the
     * softplus's {@code exp} and {@code log} from ND4J and the noise drawn on a second thread), and so do layers with
     * pruned parameters (only Java loops skip them); HALF and BFLOAT16 blocks of at least the threshold use ND4J
     * operations. Where Java loops are not allowed (a GPU backend), every block without pruned parameters uses ND4J
     * operations.
     *
     * @param size      the block size
     * @param hasPruned whether the block has pruned parameters
     * @param hostLoops whether Java loops over ND4J arrays are allowed ({@link KernelPolicy#hostMemory()})
     * @param threshold the policy's native threshold ({@link KernelPolicy#nativeThreshold()})
     * @param type      the parameters' data type
     * @return whether the layer uses the ND4J kernel
     */
    public static boolean usesNd4jKernel(long size, boolean hasPruned, boolean hostLoops, int threshold,
                                         org.nd4j.linalg.api.buffer.DataType type) {
        return !hasPruned && (!hostLoops || (size >= threshold && !HostArrays.bulk(type)));
    }

    /** @return whether this layer uses the ND4J kernel (else Java loops), as chosen when its parameters were bound */
    public boolean usesNd4jKernel() {
        return kernel instanceof Nd4jKernel;
    }

    /** @return whether this layer uses the SIMD kernel ({@link VectorSupport}), as chosen when its parameters were bound
     *          (or when pruned parameters were last noticed) */
    public boolean usesVectorKernel() {
        return kernel instanceof VectorKernel;
    }

    /** @return whether the layer had pruned parameters when they were last bound or refreshed */
    public boolean hasPruned() {
        return hasPruned;
    }

    /**
     * A copy of the posterior at the current parameters, without its pruned parameters, in double precision: entry
     * {@code i} is the parameter at {@code position(i)} of the block.
     *
     * @param noise the source of the sample's noise {@code eps}, or null for zero noise
     * @return the sample (its own arrays: the caller may keep it)
     */
    public MeanFieldSample snapshot(RandomGenerator noise) {
        double[] m = muBlock.toDoubleVector();
        double[] r = rhoBlock.toDoubleVector();
        double floor = StableMath.sigmaFloor(muBlock.dataType());
        int[] positions = new int[size];
        double[] mu = new double[size];
        double[] sigma = new double[size];
        double[] eps = new double[size];
        int k = 0;
        for (int i = 0; i < size; i++) {
            if (!PrunedParameters.isPruned(r[i])) {
                positions[k] = i;
                mu[k] = m[i];
                sigma[k] = StableMath.sigma(r[i], floor);
                eps[k] = noise == null ? 0.0 : noise.nextGaussian();
                k++;
            }
        }
        return new MeanFieldSample(block, mu, sigma, eps, positions, k);
    }

    /**
     * Prunes ({@link PrunedParameters}) every weight of this layer whose signal-to-noise ratio {@code |mu| / sigma} is
     * below {@code snrThreshold}; weights pruned before stay pruned, biases are never pruned.
     *
     * @param snrThreshold the threshold (finite, &ge; 0; checked by the caller)
     * @return how many of the layer's weights are pruned after this call
     */
    public long prune(double snrThreshold) {
        MeanFieldSample q = snapshot(null);
        long weights = block.weightCount();
        org.nd4j.linalg.api.buffer.DataBuffer muData = muBlock.data();
        org.nd4j.linalg.api.buffer.DataBuffer rhoData = rhoBlock.data();
        for (int i = 0; i < q.size(); i++) {
            int p = q.position(i);
            if (p < weights && Math.abs(q.mu(i)) < snrThreshold * q.sigma(i)) {
                muData.put(p, 0.0);
                rhoData.put(p, PrunedParameters.PRUNED_RHO);
            }
        }
        refreshPruning();
        long pruned = 0;
        for (int p = 0; p < weights; p++) {
            if (PrunedParameters.isPruned(rhoData.getDouble(p))) {
                pruned++;
            }
        }
        return pruned;
    }

    /** @return the signal-to-noise ratios {@code |mu| / sigma} of the layer's unpruned weights (biases left out) */
    public double[] weightSignalToNoiseRatios() {
        MeanFieldSample q = snapshot(null);
        long weights = block.weightCount();
        double[] snr = new double[q.size()];
        int k = 0;
        for (int i = 0; i < q.size(); i++) {
            if (q.position(i) < weights) {
                snr[k++] = Math.abs(q.mu(i)) / q.sigma(i);
            }
        }
        return java.util.Arrays.copyOf(snr, k);
    }

    /** Writes 0 into the means of pruned parameters (an optimizer's momentum may have moved them). */
    private void pinPruned() {
        if (!hasPruned) {
            return;
        }
        org.nd4j.linalg.api.buffer.DataBuffer muData = muBlock.data();
        org.nd4j.linalg.api.buffer.DataBuffer rhoData = rhoBlock.data();
        for (int i = 0; i < size; i++) {
            if (PrunedParameters.isPruned(rhoData.getDouble(i)) && muData.getDouble(i) != 0.0) {
                muData.put(i, 0.0);
            }
        }
    }

    /** Binds the layer's flattened gradient view. */
    public void bindGradients(INDArray gradientsFlat) {
        this.gradMuBlock = layout.muBlock(gradientsFlat);
        this.gradRhoBlock = layout.rhoBlock(gradientsFlat);
    }

    /**
     * Forgets the current draw (the next forward pass draws new weights) and remembers the minibatch size of the new
     * input: the score's KL weight needs it after DL4J may have cleared the layer's input.
     */
    public void newInput(INDArray input) {
        newInput(input, input == null ? 0 : input.size(0));
    }

    /**
     * As {@link #newInput(INDArray)}, for an input whose rows are not the examples (a time-distributed layer's
     * time-major rows): {@code examples} is the minibatch size DL4J divides the score by.
     */
    public void newInput(INDArray input, long examples) {
        drawn = null;
        klOfStepValid = false;
        scoredKl = Double.NaN;
        if (input != null) {
            batchSize = examples;
        }
    }

    /** What a forward pass draws from the posterior. */
    public enum Draw {
        /** whole weights {@code mu + sigma eps} */
        WEIGHTS,
        /** the perturbation {@code sigma eps} alone */
        PERTURBATION,
        /** no weight noise at all: sigma only (the local reparameterization draws its noise per example instead) */
        NO_NOISE
    }

    /**
     * Draws for the current input, once: the forward pass, the backward pass and the score of one step see the same
     * draw. A request of another kind for the same input draws anew.
     *
     * @return whether this call drew (false: the buffers already held this kind of draw for this input), so that an
     *         estimator knows when to draw its own per-example noise
     */
    public boolean draw(Draw kind) {
        if (drawn == kind) {
            return false;
        }
        // pruned parameters written in without rebinding go to the Java loops, which skip them: the ND4J kernel
        // looks before its draw, the SIMD kernel sees them in its own pass (then the draw is made again)
        if (!hasPruned && kernel instanceof Nd4jKernel
                && rhoBlock.minNumber().doubleValue() <= PrunedParameters.PRUNED_RHO_LIMIT) {
            refreshPruning();
        }
        drawWithKernel(kind);
        if (!hasPruned && kernel.readPruned()) {
            refreshPruning();
            drawWithKernel(kind);
        }
        drawn = kind;
        drawCount++;
        return true;
    }

    private void drawWithKernel(Draw kind) {
        if (kind == Draw.NO_NOISE) {
            sigmaBuffer = kernel.sigma(muBlock, rhoBlock);
            if (klTerm().isMonteCarlo()) {
                kernel.drawNoise(noise());              // the Monte-Carlo KL term needs a draw of its own
            }
        } else {
            kernel.draw(muBlock, rhoBlock, noise(), kind == Draw.WEIGHTS);
        }
    }

    /** @return how many draws this posterior has made (an estimator's per-example noise belongs to one draw) */
    public long drawCount() {
        return drawCount;
    }

    /**
     * Makes sure the current input has a draw before its KL term is scored: DL4J scores the output layer's
     * regularization (the KL) before that layer's forward pass, and a Monte-Carlo KL term must use the draw the forward
     * pass will then use. Without a Monte-Carlo term nothing is drawn.
     *
     * @param kind what the layer's forward pass draws
     */
    public void drawForKl(Draw kind) {
        if (drawn == null && klTerm().isMonteCarlo()) {
            draw(kind);
        }
    }

    /** @return the layer's noise generator, seeded on first use from the configuration's seed and the layer's index */
    public RandomGenerator noise() {
        if (!state.hasNoise()) {
            state.setNoiseSeed(defaultNoiseSeed.getAsLong());
        }
        return state.noise();
    }

    /** @return the weights (or perturbation) of the last {@link #draw}, shaped as the layer's weights */
    public INDArray drawnWeights() {
        return sampledWeights;
    }

    /** @return the biases (or their perturbation) of the last {@link #draw}, or null without biases */
    public INDArray drawnBias() {
        return sampledBias;
    }

    /**
     * @return sigma of the whole block after {@link #draw draw(NO_NOISE)}: a contiguous vector, weights then biases,
     * whose parts (or those of an array of its shape computed from it) {@link #weightsOf} and {@link #biasOf} view
     */
    public INDArray sigmaBlock() {
        return sigmaBuffer;
    }

    /** @return the weight view of a block-long vector, shaped (and ordered) as the layer's weights */
    public INDArray weightsOf(INDArray block) {
        return layout.weights(block);
    }

    /** @return the bias view of a block-long vector, or null without biases */
    public INDArray biasOf(INDArray block) {
        return layout.bias(block);
    }

    /** @return the weight means, shaped as the layer's weights (pruned ones exactly 0) */
    public INDArray meanWeights() {
        pinPruned();
        return layout.weights(muBlock);
    }

    /** @return the bias means, or null without biases (pruned ones exactly 0) */
    public INDArray meanBias() {
        pinPruned();
        return layout.bias(muBlock);
    }

    /** @return the gradient view of the weight means, where an estimator writes {@code dL/dmu} */
    public INDArray gradMeanWeights() {
        return layout.weights(gradMuBlock);
    }

    /** @return the gradient view of the bias means, or null without biases */
    public INDArray gradMeanBias() {
        return layout.bias(gradMuBlock);
    }

    /** @return the gradient view of the weights' rho, where an estimator writes its sigma gradient ({@link SigmaGradient}) */
    public INDArray gradRhoWeights() {
        return layout.weights(gradRhoBlock);
    }

    /** @return the gradient view of the biases' rho, or null without biases */
    public INDArray gradRhoBias() {
        return layout.bias(gradRhoBlock);
    }

    /**
     * @return {@code KL(q || p)} of this layer at the current parameters, unscaled; with a Monte-Carlo KL term, its
     *         single-draw estimate at a draw of its own (from a generator seeded like the layer's noise, so that the
     *         training draws are not disturbed)
     */
    public double klDivergence() {
        KlTerm term = klTerm();
        if (!term.isMonteCarlo()) {
            return kernel.klDivergence(term, muBlock, rhoBlock);
        }
        if (evaluationNoise == null) {
            evaluationNoise = new SplittableRandom(defaultNoiseSeed.getAsLong() ^ 0x6A09E667F3BCC909L);
        }
        return term.klDivergence(snapshot(evaluationNoise));
    }

    /**
     * @return the {@code KL(q || p)} that the layer's last score ({@link #klScore}) used: at the parameters of that
     *         step, before the update that followed it, and for a Monte-Carlo KL term at that step's draw; what the
     *         step's score stands for, without computing the KL again. {@link #klDivergence()} (at the current
     *         parameters) when the layer has had a new input since, or has not been scored yet.
     */
    public double klDivergenceOfLastScore() {
        return Double.isNaN(scoredKl) ? klDivergence() : scoredKl;
    }

    /**
     * @param miniBatch whether DL4J divides the loss and the gradients by the minibatch size B (the last input's)
     *                  ({@code conf().isMiniBatch()}, DL4J's default)
     * @return this layer's share of the score's KL term: {@code klWeight * KL / N} when the loss is a minibatch mean
     *         (the score is then the negative ELBO per example), {@code klWeight * KL * B / N} when it is a sum (the
     *         score is then the negative ELBO scaled by B / N): in both cases the KL keeps its weight in the ELBO
     * @throws IllegalStateException if the dataset size N is not set
     */
    public double klScore(boolean miniBatch) {
        // DL4J scores a training step right after its backward pass, before any parameter update: the KL computed
        // there (from the draw's buffers) is reused once; any other score recomputes it from the parameters.
        // A Monte-Carlo KL term of a forward pass that drew is estimated at that pass's own draw, like its likelihood.
        KlTerm term = klTerm();
        double kl = klOfStepValid ? klOfStep
                : drawn != null && term.isMonteCarlo() ? kernel.klDivergenceAtDraw(term, muBlock) : klDivergence();
        klOfStepValid = false;
        scoredKl = kl;
        double klWeight = state.getKlWeight();
        if (klWeight == 0.0) {
            return 0.0;
        }
        return klWeight * kl * (miniBatch ? 1 : batchSize) / datasetSize();
    }

    /**
     * @return the factor on dKL added to the summed data gradient: {@code klWeight * B / N}. With DL4J's division by
     *         B (miniBatch mode) the update sees {@code klWeight * dKL / N}; without it, {@code klWeight * dKL * B / N};
     *         either way the gradient of the score of {@link #klScore}
     */
    public double klGradientScale() {
        double klWeight = state.getKlWeight();
        return klWeight == 0.0 ? 0.0 : klWeight * batchSize / datasetSize();
    }

    private double datasetSize() {
        long n = state.getDatasetSize();
        if (n <= 0) {
            throw new IllegalStateException("Bayesian layer '" + config.get().getLayerName() + "': the dataset size N is "
                    + "not set. The ELBO divides the KL term by the number of training examples: set it with "
                    + "Advi.builder().datasetSize(N) or BayesianNetworks.setDatasetSize(net, N) before fitting or scoring "
                    + "(it is set per network, and not saved with it).");
        }
        return n;
    }

    /**
     * Completes the gradient after the estimator's backward pass has written the data term's gradients (summed over
     * the minibatch): {@code dL/dmu} into the mean block and, as {@code form} says, what gives {@code dL/dsigma};
     * adds {@code klWeight * B / N * dKL} ({@link #klGradientScale()}: after DL4J's division by the minibatch size
     * B the update sees {@code klWeight * dKL / N}) and turns the sigma gradient into the rho gradient.
     *
     * @return the gradient keyed as the layer's parameters ({@code Wmu, bmu, Wrho, brho})
     */
    public Gradient completeGradient(SigmaGradient form, Map<String, INDArray> gradientViews) {
        if (drawn == null) {
            throw new IllegalStateException("Bayesian layer '" + config.get().getLayerName()
                    + "': backprop without a forward pass that drew the weights");
        }
        KlTerm term = klTerm();
        kernel.completeGradient(term, klGradientScale(), muBlock, rhoBlock, gradMuBlock, gradRhoBlock, form);
        klOfStep = kernel.klDivergenceAtDraw(term, muBlock);
        klOfStepValid = true;
        Gradient gradient = new DefaultGradient();
        for (String key : layout.keys()) {
            gradient.gradientForVariable().put(key, gradientViews.get(key));
        }
        return gradient;
    }
}
