package io.github.dl4jbayes.hierarchical;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.training.DivergenceException;
import io.github.dl4jbayes.training.ElboHistory;
import io.github.dl4jbayes.training.ElboProgress;
import io.github.dl4jbayes.training.KlSchedule;
import io.github.dl4jbayes.training.Shuffle;

import java.util.SplittableRandom;

/**
 * ADVI for a {@link HierarchicalNetwork} on grouped data: Adam on the parent, every group's deviations and the
 * per-layer spreads, with the ELBO estimated from minibatches that mix groups (uniform over all examples, reshuffled
 * every pass) or hold one group each (groups in turn).
 *
 * <p>The objective is {@code -ELBO / N}: each example's likelihood counts once (a mixed minibatch's mean loss stands
 * for the mean over all N examples; a one-group minibatch's mean loss, weighted by {@code G' n_g / N} with G' the
 * number of groups that have examples, for the same over a cycle of the groups), and the KL terms (the parent's, every group's deviation's, tau's hyperprior) count once
 * overall, divided by N, whatever the minibatch: docs/math.md.
 */
public final class HierarchicalAdvi {
    /** How minibatches are formed. */
    public enum Minibatches {
        /** Uniform over all examples, whatever their group, reshuffled every pass. */
        MIXED,
        /** One group per minibatch, the groups in turn. */
        PER_GROUP
    }

    private final int iterations;
    private final int batchSize;
    private final Minibatches minibatches;
    private final double learningRate;
    private final KlSchedule klSchedule;
    private final int printEvery;
    private final long seed;

    private HierarchicalAdvi(Builder b) {
        this.iterations = b.iterations;
        this.batchSize = b.batchSize;
        this.minibatches = b.minibatches;
        this.learningRate = b.learningRate;
        this.klSchedule = new KlSchedule(b.klAnnealingIterations >= 0 ? b.klAnnealingIterations
                : KlSchedule.defaultWarmUp(b.iterations), 1.0);
        this.printEvery = b.printEvery;
        this.seed = b.seed;
    }

    /**
     * @return a builder: 5,000 iterations, full batch, Adam 0.01, a KL warm-up over the first quarter of the
     *         iterations (as {@code Advi}'s), progress every 1,000
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Fits the network to grouped data (training continues from where a previous fit, or a loaded network, stopped).
     *
     * @return the ELBO after each iteration (its minibatch estimate, scaled to the whole dataset)
     * @throws IllegalArgumentException if an example's group is outside the network's groups
     * @throws DivergenceException      if the objective becomes NaN or infinite
     */
    public ElboHistory fit(HierarchicalNetwork net, GroupedData data) {
        int n = data.size();
        int groups = net.groups();
        if (n == 0) {
            throw new IllegalArgumentException("data has no examples");
        }
        int[] counts = new int[groups];
        for (int i = 0; i < n; i++) {
            int g = data.group(i);
            if (g >= groups) {
                throw new IllegalArgumentException("example " + i + " has group index " + g + ", outside [0, " + groups
                        + ")");
            }
            counts[g]++;
        }
        int[][] byGroup = new int[groups][];
        for (int g = 0; g < groups; g++) {
            final int group = g;
            byGroup[g] = java.util.stream.IntStream.range(0, n).filter(i -> data.group(i) == group).toArray();
        }
        int[] present = java.util.stream.IntStream.range(0, groups).filter(g -> counts[g] > 0).toArray();
        SplittableRandom random = new SplittableRandom(seed);
        int[] order = java.util.stream.IntStream.range(0, n).toArray();
        int cursor = n;
        int turn = 0;
        HierarchicalNetwork.GroupBatch[] whole = null;
        ElboProgress progress = new ElboProgress(printEvery, new ElboHistory(),
                "Lower the learning rate, or start tau smaller.")
                .lineSuffix(() -> " tau " + java.util.Arrays.toString(java.util.Arrays.stream(net.tau())
                        .map(t -> Math.round(t * 1000) / 1000.0).toArray()))
                .start(iterations);
        for (int it = 0; it < iterations; it++) {
            GroupedData batch;
            double[] weights = new double[groups];
            if (minibatches == Minibatches.MIXED || batchSize <= 0) {
                int b = batchSize <= 0 || batchSize >= n ? n : batchSize;
                if (b == n) {
                    batch = data;
                    if (whole == null) {
                        whole = net.prepare(data);                 // the whole dataset: split by group once
                    }
                } else {
                    if (cursor + b > n) {
                        Shuffle.inPlace(order, random);
                        cursor = 0;
                    }
                    batch = data.rows(java.util.Arrays.copyOfRange(order, cursor, cursor + b));
                    cursor += b;
                }
                int[] inBatch = new int[groups];
                for (int i = 0; i < batch.size(); i++) {
                    inBatch[batch.group(i)]++;
                }
                for (int g = 0; g < groups; g++) {
                    weights[g] = (double) inBatch[g] / batch.size();
                }
            } else {
                int g = present[turn++ % present.length];
                int[] rows = byGroup[g];
                int b = Math.min(batchSize, rows.length);
                int[] pick = new int[b];
                for (int k = 0; k < b; k++) {
                    pick[k] = rows[random.nextInt(rows.length)];
                }
                batch = data.rows(pick);
                weights[g] = (double) present.length * rows.length / n;
            }
            // the network's own step: a second fit continues the warm-up and draws new noise
            long step = net.iterationCount() + 1L;
            double klWeight = klSchedule.weightAt(step);
            HierarchicalNetwork.GroupBatch[] prepared = batch == data && whole != null ? whole : net.prepare(batch);
            double score = net.computeGradientAndScore(prepared, weights, n, klWeight,
                    seed ^ (0x9E3779B97F4A7C15L * step));
            progress.record(step, -score * n);              // stops a diverged fit before its update
            net.applyUpdate(learningRate);
        }
        return progress.history();
    }

    /** Options of the fit. */
    public static final class Builder {
        private int iterations = 5000;
        private int batchSize;
        private Minibatches minibatches = Minibatches.MIXED;
        private double learningRate = 0.01;
        private int klAnnealingIterations = -1;               // -1: a quarter of the iterations
        private int printEvery = 1000;
        private long seed;

        private Builder() {
        }

        /** @param iterations the number of steps (&gt; 0) */
        public Builder iterations(int iterations) {
            ArgumentChecks.positive("iterations", iterations);
            this.iterations = iterations;
            return this;
        }

        /** @param batchSize examples per minibatch; 0 (default) for the whole dataset at every step */
        public Builder batchSize(int batchSize) {
            ArgumentChecks.nonNegative("batchSize", batchSize);
            this.batchSize = batchSize;
            return this;
        }

        /** @param minibatches mixed (default) or one group per minibatch */
        public Builder minibatches(Minibatches minibatches) {
            this.minibatches = java.util.Objects.requireNonNull(minibatches, "minibatches");
            return this;
        }

        /** @param learningRate Adam's learning rate (&gt; 0); default 0.01 */
        public Builder learningRate(double learningRate) {
            ArgumentChecks.positiveFinite("learningRate", learningRate);
            this.learningRate = learningRate;
            return this;
        }

        /**
         * @param iterations the KL warm-up ({@link KlSchedule}): the KL terms' weight rises linearly to 1 over the
         *                   network's first steps (its own step count, so a later fit continues it); 0 for none;
         *                   default a quarter of the iterations
         */
        public Builder klAnnealingIterations(int iterations) {
            ArgumentChecks.nonNegative("klAnnealingIterations", iterations);
            this.klAnnealingIterations = iterations;
            return this;
        }

        /** @param printEvery progress every this many steps; 0 for none */
        public Builder printEvery(int printEvery) {
            this.printEvery = Math.max(0, printEvery);
            return this;
        }

        /** @param seed the seed of the minibatches and of the weight noise */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @return the fit */
        public HierarchicalAdvi build() {
            return new HierarchicalAdvi(this);
        }
    }
}
