package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.internal.SplitMixRandom;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The run-time state of one Bayesian layer instance: the dataset size N the KL term is divided by, the weight on
 * the KL term, what the layer uses for its weights outside training, and the generator of its weight noise.
 *
 * <p>Each network's layer has its own state, even when several networks are built from one configuration: setting
 * N or the inference mode on one network never changes another. The state is not in DL4J's model file
 * ({@code ModelSerializer}, {@code net.clone()}): a loaded or cloned network starts with N unset, KL weight 1,
 * {@link InferenceMode#SAMPLE}, and noise seeded from its configuration's seed ({@code AdviCheckpoint} in the
 * training module saves and restores it). Set it through
 * {@link BayesianNetworks}.
 *
 * <p>Not thread-safe, like the DL4J layer that holds it.
 */
public final class MeanFieldState {
    private long datasetSize;
    private double klWeight = 1.0;
    private InferenceMode inferenceMode = InferenceMode.SAMPLE;
    private SplitMixRandom noise;

    /** Creates the defaults: dataset size unset, KL weight 1, {@link InferenceMode#SAMPLE}, noise not yet seeded. */
    public MeanFieldState() {
    }

    /** @return N, the number of training examples the KL term is divided by; 0 when unset */
    public long getDatasetSize() {
        return datasetSize;
    }

    /**
     * @param datasetSize N, the number of training examples (&gt; 0)
     * @throws IllegalArgumentException if {@code datasetSize <= 0}
     */
    public void setDatasetSize(long datasetSize) {
        ArgumentChecks.positive("datasetSize", datasetSize);
        this.datasetSize = datasetSize;
    }

    /** @return the weight on the KL term (1 for the ELBO; below 1 during KL annealing) */
    public double getKlWeight() {
        return klWeight;
    }

    /**
     * @param klWeight the weight on the KL term, finite and &ge; 0
     * @throws IllegalArgumentException if {@code klWeight} is negative, NaN or infinite
     */
    public void setKlWeight(double klWeight) {
        ArgumentChecks.nonNegativeFinite("klWeight", klWeight);
        this.klWeight = klWeight;
    }

    /** @return what the layer uses for its weights outside training */
    public InferenceMode getInferenceMode() {
        return inferenceMode;
    }

    /** @param inferenceMode what the layer uses for its weights outside training (not null) */
    public void setInferenceMode(InferenceMode inferenceMode) {
        this.inferenceMode = Objects.requireNonNull(inferenceMode, "inferenceMode must not be null");
    }

    /**
     * Restarts the layer's noise generator: the weight draws that follow are a function of {@code seed} alone.
     *
     * @param seed the seed of the layer's noise
     */
    public void setNoiseSeed(long seed) {
        this.noise = new SplitMixRandom(seed);
    }

    /**
     * @return the whole state of the layer's noise generator, one {@code long} (seed it first): restoring it with
     *         {@link #setNoiseState} continues the layer's weight draws exactly where they were (a checkpoint)
     * @throws IllegalStateException if the generator has not been seeded
     */
    public long getNoiseState() {
        if (noise == null) {
            throw new IllegalStateException("The layer's noise generator has not been seeded yet");
        }
        return noise.state();
    }

    /** @param state a value of {@link #getNoiseState()}: the weight draws that follow are the ones that followed it */
    public void setNoiseState(long state) {
        if (noise == null) {
            noise = new SplitMixRandom(0L);
        }
        noise.setState(state);
    }

    /** @return whether the noise generator has been seeded */
    public boolean hasNoise() {
        return noise != null;
    }

    /** @return the layer's noise generator (seed it first), for the layer's implementation */
    public RandomGenerator noise() {
        return noise;
    }

    /**
     * @param seed       a network-wide seed (the configuration's {@code seed(...)})
     * @param layerIndex the layer's index in its network
     * @return the seed of that layer's noise: distinct layers of one network get unrelated streams
     */
    public static long layerSeed(long seed, int layerIndex) {
        return new SplittableRandom(seed + 0x9E3779B97F4A7C15L * (layerIndex + 1L)).nextLong();
    }

    @Override
    public String toString() {
        return "MeanFieldState(datasetSize=" + datasetSize + ", klWeight=" + klWeight + ", inferenceMode="
                + inferenceMode + ")";
    }
}
