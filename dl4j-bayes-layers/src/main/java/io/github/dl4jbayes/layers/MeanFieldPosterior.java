package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.priors.MeanFieldSample;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The mean-field Gaussian posterior of one Bayesian layer at run time: it draws the layer's weights by the
 * reparameterization {@code w = mu + softplus(rho) * eps}, turns the data gradient {@code dL/dw} into the
 * gradients for {@code mu} and {@code rho} with the same {@code eps}, and adds the prior's KL term.
 *
 * <p>A whole layer (weights and biases) is sampled in one pass over its contiguous blocks of means and rhos
 * ({@link MeanFieldLayout}), in plain Java loops: the tensors of small Bayesian layers are far cheaper to handle
 * element by element than through several native ND4J calls each. The noise comes from a
 * {@link SplittableRandom} seeded from ND4J's global RNG ({@code Nd4j.getRandom()}) at each draw, so
 * {@code Nd4j.getRandom().setSeed(s)} makes the draws reproducible (and freezes the noise for gradient checks).
 *
 * <p>One draw is made per forward pass: the implementations {@link #invalidate()} on every new input and draw
 * lazily, so the forward pass, the backward pass and the score of one step all see the same weights.
 */
final class MeanFieldPosterior {
    private final Supplier<BayesianLayerConfig> config;
    private final MeanFieldLayout layout;
    private final int size;

    private final double[] mu;
    private final double[] rho;
    private final double[] sigma;
    private final double[] eps;
    private final double[] gradMu;
    private final double[] gradSigma;
    private final MeanFieldSample sample;

    private INDArray muBlock;
    private INDArray rhoBlock;
    private INDArray gradMuBlock;
    private INDArray gradRhoBlock;
    private INDArray sampledBlock;
    private INDArray sampledWeights;
    private INDArray sampledBias;
    private boolean drawn;

    /** @param config the layer's current configuration (read at each use, so that it may be replaced) */
    MeanFieldPosterior(Supplier<BayesianLayerConfig> config) {
        this.config = config;
        BayesianLayerConfig conf = config.get();
        this.layout = new MeanFieldLayout(conf);
        long blockSize = layout.blockSize();
        if (blockSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Bayesian layer '" + conf.getLayerName() + "' is too large: "
                    + blockSize + " parameters per block");
        }
        this.size = (int) blockSize;
        this.mu = new double[size];
        this.rho = new double[size];
        this.sigma = new double[size];
        this.eps = new double[size];
        this.gradMu = new double[size];
        this.gradSigma = new double[size];
        this.sample = new MeanFieldSample(mu, sigma, eps);
    }

    MeanFieldLayout layout() {
        return layout;
    }

    /** Binds the layer's flattened parameter view, and allocates the buffer of drawn weights. */
    void bindParams(INDArray paramsFlat) {
        this.muBlock = layout.muBlock(paramsFlat);
        this.rhoBlock = layout.rhoBlock(paramsFlat);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            this.sampledBlock = Nd4j.create(paramsFlat.dataType(), size);
        }
        this.sampledWeights = layout.weights(sampledBlock);
        this.sampledBias = layout.bias(sampledBlock);
        this.drawn = false;
    }

    /** Binds the layer's flattened gradient view. */
    void bindGradients(INDArray gradientsFlat) {
        this.gradMuBlock = layout.muBlock(gradientsFlat);
        this.gradRhoBlock = layout.rhoBlock(gradientsFlat);
    }

    /** Forgets the current draw: the next forward pass draws new weights. */
    void invalidate() {
        drawn = false;
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
        if (drawn) {
            return;
        }
        readPosterior();
        SplittableRandom random = new SplittableRandom(Nd4j.getRandom().nextLong());
        DataBuffer out = sampledBlock.data();
        for (int i = 0; i < size; i++) {
            double e = random.nextGaussian();
            eps[i] = e;
            out.put(i, mu[i] + sigma[i] * e);
        }
        drawn = true;
    }

    /** Reads mu and rho from the parameters and computes sigma = softplus(rho). */
    private void readPosterior() {
        DataBuffer muData = muBlock.data();
        DataBuffer rhoData = rhoBlock.data();
        for (int i = 0; i < size; i++) {
            mu[i] = muData.getDouble(i);
            double r = rhoData.getDouble(i);
            rho[i] = r;
            sigma[i] = StableMath.softplus(r);
        }
    }

    /**
     * @return {@code KL(q || p)} of this layer at the current parameters, unscaled
     */
    double klDivergence() {
        readPosterior();
        return config.get().getMeanField().getPrior().klDivergence(sample);
    }

    /**
     * @return this layer's share of the score's KL term, {@code klWeight * KL / N}
     * @throws IllegalStateException if the dataset size N is not set
     */
    double klScore() {
        MeanFieldSettings settings = config.get().getMeanField();
        return settings.getKlWeight() == 0.0 ? 0.0 : settings.getKlWeight() * klDivergence() / datasetSize();
    }

    /**
     * @param miniBatch whether DL4J divides gradients by the minibatch size ({@code conf().isMiniBatch()})
     * @param batchSize the minibatch size
     * @return the factor on dKL so that, after DL4J's division by the minibatch size, the update sees
     *         {@code klWeight * dKL / N}
     */
    double klGradientScale(boolean miniBatch, long batchSize) {
        MeanFieldSettings settings = config.get().getMeanField();
        return settings.getKlWeight() * (miniBatch ? batchSize : 1) / datasetSize();
    }

    private double datasetSize() {
        long n = config.get().getMeanField().getDatasetSize();
        if (n <= 0) {
            throw new IllegalStateException("Bayesian layer '" + config.get().getLayerName() + "': the dataset size N is "
                    + "not set. The ELBO divides the KL term by the number of training examples: set it with "
                    + "Advi.builder().datasetSize(N) or BayesianNetworks.setDatasetSize(net, N) before fitting or scoring.");
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
        DataBuffer gMu = gradMuBlock.data();
        for (int i = 0; i < size; i++) {
            double g = gMu.getDouble(i);
            gradMu[i] = g;
            gradSigma[i] = g * eps[i];
        }
        if (klScale != 0.0) {
            config.get().getMeanField().getPrior().addKlGradient(sample, klScale, gradMu, gradSigma);
        }
        DataBuffer gRho = gradRhoBlock.data();
        for (int i = 0; i < size; i++) {
            gMu.put(i, gradMu[i]);
            gRho.put(i, gradSigma[i] * StableMath.sigmoid(rho[i]));
        }
        Gradient gradient = new DefaultGradient();
        for (String key : layout.keys()) {
            gradient.gradientForVariable().put(key, gradientViews.get(key));
        }
        return gradient;
    }
}
