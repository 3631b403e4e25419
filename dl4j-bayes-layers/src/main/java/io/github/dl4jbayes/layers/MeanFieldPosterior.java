package io.github.dl4jbayes.layers;

import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The mean-field Gaussian posterior of one Bayesian layer at run time: it draws the layer's weights by the
 * reparameterization {@code w = mu + softplus(rho) * eps}, turns the data gradient {@code dL/dw} into the
 * gradients for {@code mu} and {@code rho} with the same {@code eps}, and adds the prior's KL term, scaled here and
 * nowhere else.
 *
 * <p>The element-wise work is done by a {@link MeanFieldKernel} chosen by the layer's size: plain Java loops for
 * small layers ({@link JavaLoopKernel}: no native call at all, which matters when each ND4J call costs more than the
 * arithmetic), ND4J operations over whole blocks for large ones ({@link Nd4jKernel}: vectorized and multi-threaded).
 * Blocks of at least {@link #nativeThreshold()} parameters use ND4J; the system property
 * {@code dl4jbayes.nativeThreshold} sets it.
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
final class MeanFieldPosterior {
    /** Default block size from which the ND4J kernel is used. */
    static final int DEFAULT_NATIVE_THRESHOLD = 2048;
    private static volatile int nativeThreshold = Integer.getInteger("dl4jbayes.nativeThreshold", DEFAULT_NATIVE_THRESHOLD);

    private final Supplier<BayesianLayerConfig> config;
    private final LongSupplier defaultNoiseSeed;
    private final MeanFieldLayout layout;
    private final int size;
    private final MeanFieldState state = new MeanFieldState();

    private MeanFieldKernel kernel;
    private INDArray muBlock;
    private INDArray rhoBlock;
    private INDArray gradMuBlock;
    private INDArray gradRhoBlock;
    private INDArray sampledWeights;
    private INDArray sampledBias;
    private boolean drawn;
    /** The KL at the parameters of the last backward pass, for the score DL4J computes right after it. */
    private double klOfStep;
    private boolean klOfStepValid;
    /** The minibatch size of the last input. */
    private long batchSize = 1;

    /**
     * @param config           the layer's current configuration (read at each use, so that it may be replaced)
     * @param defaultNoiseSeed the seed of the noise unless {@link MeanFieldState#setNoiseSeed} sets one first, read
     *                         at the first draw (when DL4J has set the layer's index)
     */
    MeanFieldPosterior(Supplier<BayesianLayerConfig> config, LongSupplier defaultNoiseSeed) {
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
    }

    /** @return the block size from which layers use ND4J operations instead of Java loops */
    static int nativeThreshold() {
        return nativeThreshold;
    }

    /** Sets the block size from which layers bound afterwards use ND4J operations (for tests and benchmarks). */
    static void setNativeThreshold(int threshold) {
        nativeThreshold = threshold;
    }

    MeanFieldLayout layout() {
        return layout;
    }

    /** @return this layer instance's run-time state */
    MeanFieldState state() {
        return state;
    }

    /** @return whether the forward pass uses drawn weights: always in training, else in {@link InferenceMode#SAMPLE} */
    boolean drawsWeights(boolean training) {
        return training || state.getInferenceMode() == InferenceMode.SAMPLE;
    }

    /** Binds the layer's flattened parameter view, and allocates the kernel's buffers. */
    void bindParams(INDArray paramsFlat) {
        this.muBlock = layout.muBlock(paramsFlat);
        this.rhoBlock = layout.rhoBlock(paramsFlat);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            this.kernel = size >= nativeThreshold ? new Nd4jKernel(size, paramsFlat.dataType())
                    : new JavaLoopKernel(size, paramsFlat.dataType());
        }
        this.sampledWeights = layout.weights(kernel.sampled());
        this.sampledBias = layout.bias(kernel.sampled());
        this.drawn = false;
    }

    /** Binds the layer's flattened gradient view. */
    void bindGradients(INDArray gradientsFlat) {
        this.gradMuBlock = layout.muBlock(gradientsFlat);
        this.gradRhoBlock = layout.rhoBlock(gradientsFlat);
    }

    /**
     * Forgets the current draw (the next forward pass draws new weights) and remembers the minibatch size of the new
     * input: the score's KL weight needs it after DL4J may have cleared the layer's input.
     */
    void newInput(INDArray input) {
        drawn = false;
        klOfStepValid = false;
        if (input != null) {
            batchSize = input.size(0);
        }
    }

    /**
     * @param draw whether to use drawn weights (training, or {@link InferenceMode#SAMPLE}) or the means
     * @return the {@code [nIn, nOut]} weights of the current forward pass
     */
    INDArray weights(boolean draw, Map<String, INDArray> params) {
        if (!draw) {
            return params.get(MeanFieldLayout.WEIGHT_MU);
        }
        ensureDrawn();
        return sampledWeights;
    }

    /** @return the biases of the current forward pass, or null without biases */
    INDArray bias(boolean draw, Map<String, INDArray> params) {
        if (!layout.hasBias()) {
            return null;
        }
        if (!draw) {
            return params.get(MeanFieldLayout.BIAS_MU);
        }
        ensureDrawn();
        return sampledBias;
    }

    private void ensureDrawn() {
        if (!drawn) {
            if (!state.hasNoise()) {
                state.setNoiseSeed(defaultNoiseSeed.getAsLong());
            }
            kernel.draw(muBlock, rhoBlock, state.noise());
            drawn = true;
        }
    }

    /** @return {@code KL(q || p)} of this layer at the current parameters, unscaled */
    double klDivergence() {
        return kernel.klDivergence(config.get().getMeanField().getPrior(), muBlock, rhoBlock);
    }

    /**
     * @param miniBatch whether DL4J divides the loss and the gradients by the minibatch size B (the last input's)
     *                  ({@code conf().isMiniBatch()}, DL4J's default)
     * @return this layer's share of the score's KL term: {@code klWeight * KL / N} when the loss is a minibatch mean
     *         (the score is then the negative ELBO per example), {@code klWeight * KL * B / N} when it is a sum (the
     *         score is then the negative ELBO scaled by B / N): in both cases the KL keeps its weight in the ELBO
     * @throws IllegalStateException if the dataset size N is not set
     */
    double klScore(boolean miniBatch) {
        // DL4J scores a training step right after its backward pass, before any parameter update: the KL computed
        // there (from the draw's buffers) is reused once; any other score recomputes it from the parameters.
        double kl = klOfStepValid ? klOfStep : klDivergence();
        klOfStepValid = false;
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
    double klGradientScale() {
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
     * Completes the gradient after the dense backward pass has written {@code dL/dw} (summed over the
     * minibatch) into the mean block of the gradient view: adds {@code klScale * dKL/dmu} there, and writes
     * {@code (dL/dw * eps + klScale * dKL/dsigma) * sigmoid(rho)} into the rho block.
     *
     * @param klScale the factor on the KL gradient, so that after DL4J's division by the minibatch size the
     *                update sees {@code klWeight * dKL / N}
     * @return the gradient keyed {@code Wmu, bmu, Wrho, brho}
     */
    Gradient completeGradient(double klScale, Map<String, INDArray> gradientViews) {
        if (!drawn) {
            throw new IllegalStateException("Bayesian layer '" + config.get().getLayerName()
                    + "': backprop without a forward pass that drew the weights");
        }
        kernel.completeGradient(config.get().getMeanField().getPrior(), klScale, muBlock, rhoBlock, gradMuBlock,
                gradRhoBlock);
        klOfStep = kernel.klDivergenceAtDraw(config.get().getMeanField().getPrior(), muBlock);
        klOfStepValid = true;
        Gradient gradient = new DefaultGradient();
        for (String key : layout.keys()) {
            gradient.gradientForVariable().put(key, gradientViews.get(key));
        }
        return gradient;
    }
}
