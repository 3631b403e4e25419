package io.github.dl4jbayes.active;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.metrics.ClassificationMetrics;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.predict.PredictiveModel;
import io.github.dl4jbayes.training.Advi;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The active-learning loop: train on what is labelled, score an unlabelled pool with an {@link Acquisition} function of
 * the posterior predictive, ask an {@link Oracle} for the labels of the {@code k} best, add them, and train again (from
 * scratch, or continuing the same network), recording test metrics after every round.
 *
 * <pre>{@code
 * ActiveLearning.Result r = ActiveLearning.builder()
 *         .model(() -> buildBayesianNet())          // a fresh, initialized network
 *         .acquisition(Acquisition.BALD).acquireEach(5).budget(150)
 *         .iterations(2000).test(testSet)
 *         .build()
 *         .run(initialLabelled, poolFeatures, indices -> poolLabels.getRows(indices));
 * r.writeCsv(Path.of("active.csv"));
 * }</pre>
 *
 * <p>The default training is {@link Advi} on the whole labelled set with N set to its size (and {@code Advi}'s default KL
 * warm-up, over the first quarter of the iterations); {@link Builder#trainer} replaces it. Progress is logged once per round.
 */
public final class ActiveLearning {
    private static final Logger LOG = LoggerFactory.getLogger(ActiveLearning.class);

    /** Gives the labels of pool inputs: in an example, the held-back labels; in real use, a person. */
    @FunctionalInterface
    public interface Oracle {
        /**
         * @param poolIndices indices into the pool given to {@link #run}
         * @return their labels, one row each, in the same order
         */
        INDArray labels(int[] poolIndices);
    }

    /** Trains a network on the labelled set. */
    @FunctionalInterface
    public interface Trainer {
        /** Fits {@code net} on {@code labelled}. */
        void fit(MultiLayerNetwork net, DataSet labelled);
    }

    /** Makes the predictive that scores the pool and the test set from a trained network. */
    @FunctionalInterface
    public interface Predictor {
        /**
         * @param net     the network trained this round
         * @param samples the draws per prediction ({@link Builder#predictiveSamples})
         * @return its predictive, e.g. {@code PosteriorPredictive.of(net).samples(samples)} (the default) or
         *         {@code McDropout.of(net).samples(samples)} for a plain network with dropout
         */
        PredictiveModel of(MultiLayerNetwork net, int samples);
    }

    /** One round: the labelled set's size when the model was trained, its test metrics, what was then acquired. */
    public record Round(int round, int labelled, double accuracy, double nll, int[] acquired) {
    }

    /** All rounds of a run. */
    public record Result(Acquisition acquisition, List<Round> rounds) {

        /** @return the first labelled-set size whose model reached {@code accuracy} on the test set, or -1 */
        public int labelsToReach(double accuracy) {
            for (Round r : rounds) {
                if (r.accuracy() >= accuracy) {
                    return r.labelled();
                }
            }
            return -1;
        }

        /** Writes {@code round,labelled,accuracy,nll,acquired} (acquired as space-separated pool indices). */
        public void writeCsv(Path file) {
            StringBuilder sb = new StringBuilder("round,labelled,accuracy,nll,acquired\n");
            for (Round r : rounds) {
                StringBuilder acquired = new StringBuilder();
                for (int i : r.acquired()) {
                    acquired.append(acquired.length() == 0 ? "" : " ").append(i);
                }
                sb.append(String.format(Locale.ROOT, "%d,%d,%.5f,%.5f,%s%n", r.round(), r.labelled(), r.accuracy(),
                        r.nll(), acquired));
            }
            try {
                Files.writeString(file, sb.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final Supplier<MultiLayerNetwork> model;
    private final boolean retrain;
    private final Trainer trainer;
    private final Acquisition acquisition;
    private final int acquireEach;
    private final int budget;
    private final int predictiveSamples;
    private final Predictor predictor;
    private final DataSet test;
    private final long seed;

    private ActiveLearning(Builder b) {
        this.model = Objects.requireNonNull(b.model, "model: a supplier of fresh networks is required");
        this.retrain = b.retrain;
        int iterations = b.iterations;
        this.trainer = b.trainer != null ? b.trainer : (net, data) -> Advi.builder().datasetSize(data.numExamples())
                .iterations(iterations).printEvery(0).build().fit(net, data);
        this.acquisition = b.acquisition;
        this.acquireEach = b.acquireEach;
        this.budget = b.budget;
        this.predictiveSamples = b.predictiveSamples;
        this.predictor = b.predictor;
        this.test = b.test;
        this.seed = b.seed;
    }

    /** @return a builder: BALD, 10 per round, budget 100, retrain from scratch, 2,000 ADVI iterations, 100 samples */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the loop until the labelled set reaches the budget or the pool is empty.
     *
     * @param initial the labelled examples to start from (at least one)
     * @param pool    the unlabelled inputs, one per row
     * @param oracle  the source of their labels
     * @return every round's size, test metrics (NaN without a test set) and acquisitions
     */
    public Result run(DataSet initial, INDArray pool, Oracle oracle) {
        if (initial == null || initial.numExamples() < 1) {
            throw new IllegalArgumentException("initial: at least one labelled example is needed");
        }
        if (pool == null || pool.rank() < 2 || pool.size(0) < 1) {
            throw new IllegalArgumentException("pool: a non-empty batch of inputs, one per row, is needed");
        }
        if (initial.getFeatures().rank() == pool.rank()) {
            for (int d = 1; d < pool.rank(); d++) {
                if (pool.size(d) != initial.getFeatures().size(d)) {
                    throw new IllegalArgumentException("pool: inputs of shape " + java.util.Arrays.toString(pool.shape())
                            + " do not match the initial examples' features "
                            + java.util.Arrays.toString(initial.getFeatures().shape()) + " (dimension " + d + ")");
                }
            }
        } else {
            throw new IllegalArgumentException("pool: inputs of rank " + pool.rank() + " do not match the initial "
                    + "examples' features of rank " + initial.getFeatures().rank());
        }
        Objects.requireNonNull(oracle, "oracle");
        int poolSize = (int) pool.size(0);
        boolean[] taken = new boolean[poolSize];
        SplittableRandom random = new SplittableRandom(seed);
        INDArray features = initial.getFeatures().dup();
        INDArray labels = initial.getLabels().dup();
        List<Round> rounds = new ArrayList<>();
        MultiLayerNetwork net = null;
        for (int round = 0; ; round++) {
            if (net == null || retrain) {
                net = model.get();
            }
            DataSet labelled = new DataSet(features, labels);
            long start = System.nanoTime();
            trainer.fit(net, labelled);
            double accuracy = Double.NaN;
            double nll = Double.NaN;
            if (test != null) {
                ClassificationMetrics m = ClassificationMetrics.of(predictive(net).predict(test.getFeatures()).mean(),
                        test.getLabels());
                accuracy = m.accuracy();
                nll = m.negativeLogLikelihood();
            }
            int labelledCount = (int) features.size(0);
            int[] remaining = remaining(taken);
            int k = Math.min(acquireEach, Math.min(remaining.length, budget - labelledCount));
            int[] acquired = new int[0];
            if (k > 0) {
                INDArray candidates = pool.get(NDArrayIndex.indices(toLong(remaining)));
                double[] scores = acquisition.scores(predictive(net).predict(candidates), random);
                int[] best = Acquisition.top(scores, k);
                acquired = new int[k];
                for (int j = 0; j < k; j++) {
                    acquired[j] = remaining[best[j]];
                    taken[acquired[j]] = true;
                }
                INDArray newLabels = oracle.labels(acquired.clone());
                if (newLabels == null || newLabels.size(0) != k) {
                    throw new IllegalStateException("the oracle gave " + (newLabels == null ? "no labels"
                            : newLabels.size(0) + " label rows") + " for " + k + " inputs");
                }
                if (newLabels.length() != k * labels.size(1)) {
                    throw new IllegalStateException("the oracle gave labels of shape "
                            + java.util.Arrays.toString(newLabels.shape()) + " for " + k + " inputs; the labelled set's "
                            + "labels have shape [rows, " + labels.size(1) + "]");
                }
                features = Nd4j.vstack(features, pool.get(NDArrayIndex.indices(toLong(acquired))).castTo(features.dataType()));
                labels = Nd4j.vstack(labels, newLabels.reshape(k, labels.size(1)).castTo(labels.dataType()));
            }
            rounds.add(new Round(round, labelledCount, accuracy, nll, acquired));
            LOG.info(String.format(Locale.ROOT, "Active learning (%s) round %d: %d labelled, test accuracy %.2f%%, NLL %.4f;"
                            + " acquired %d (%.1f s)", acquisition, round, labelledCount, 100 * accuracy, nll, k,
                    (System.nanoTime() - start) / 1e9));
            if (k == 0) {
                return new Result(acquisition, Collections.unmodifiableList(rounds));
            }
        }
    }

    private PredictiveModel predictive(MultiLayerNetwork net) {
        PredictiveModel predictive = predictor.of(net, predictiveSamples);
        if (predictive == null) {
            throw new IllegalStateException("predictor: gave no predictive for the trained network");
        }
        return predictive;
    }

    private static int[] remaining(boolean[] taken) {
        int count = 0;
        for (boolean t : taken) {
            count += t ? 0 : 1;
        }
        int[] out = new int[count];
        int j = 0;
        for (int i = 0; i < taken.length; i++) {
            if (!taken[i]) {
                out[j++] = i;
            }
        }
        return out;
    }

    private static long[] toLong(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** Options of the loop. */
    public static final class Builder {
        private Supplier<MultiLayerNetwork> model;
        private boolean retrain = true;
        private Trainer trainer;
        private int iterations = 2000;
        private Acquisition acquisition = Acquisition.BALD;
        private int acquireEach = 10;
        private int budget = 100;
        private int predictiveSamples = 100;
        private Predictor predictor = (net, samples) -> PosteriorPredictive.of(net).samples(samples);
        private DataSet test;
        private long seed;

        private Builder() {
        }

        /** @param model a supplier of fresh, initialized Bayesian networks (called each round when retraining) */
        public Builder model(Supplier<MultiLayerNetwork> model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** @param retrain true (default): a fresh network each round; false: the first network trains on */
        public Builder retrain(boolean retrain) {
            this.retrain = retrain;
            return this;
        }

        /** @param trainer how a network is fitted on the labelled set; default {@link Advi} with {@link #iterations} */
        public Builder trainer(Trainer trainer) {
            this.trainer = Objects.requireNonNull(trainer, "trainer");
            return this;
        }

        /** @param iterations the default trainer's ADVI iterations per round (&gt; 0); default 2000 */
        public Builder iterations(int iterations) {
            ArgumentChecks.positive("iterations", iterations);
            this.iterations = iterations;
            return this;
        }

        /** @param acquisition how the pool is scored; default {@link Acquisition#BALD} */
        public Builder acquisition(Acquisition acquisition) {
            this.acquisition = Objects.requireNonNull(acquisition, "acquisition");
            return this;
        }

        /** @param k how many inputs are acquired per round (&gt; 0); default 10 */
        public Builder acquireEach(int k) {
            ArgumentChecks.positive("acquireEach", k);
            this.acquireEach = k;
            return this;
        }

        /** @param budget the labelled-set size at which the loop stops (&gt; 0); default 100 */
        public Builder budget(int budget) {
            ArgumentChecks.positive("budget", budget);
            this.budget = budget;
            return this;
        }

        /** @param samples posterior draws per prediction, for scoring and testing (&gt; 1); default 100 */
        public Builder predictiveSamples(int samples) {
            if (samples <= 1) {
                throw new IllegalArgumentException("predictiveSamples must be > 1, got " + samples);
            }
            this.predictiveSamples = samples;
            return this;
        }

        /**
         * @param predictor how the trained network's predictive is made (default: the posterior predictive of a
         *                  Bayesian network); e.g. {@code (net, s) -> McDropout.of(net).samples(s)} with a
         *                  {@link #trainer} that fits a plain network
         */
        public Builder predictor(Predictor predictor) {
            this.predictor = Objects.requireNonNull(predictor, "predictor");
            return this;
        }

        /** @param test labelled test data, evaluated after every round (optional) */
        public Builder test(DataSet test) {
            this.test = test;
            return this;
        }

        /** @param seed the seed of the random acquisition's scores */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @return the loop */
        public ActiveLearning build() {
            return new ActiveLearning(this);
        }
    }
}
