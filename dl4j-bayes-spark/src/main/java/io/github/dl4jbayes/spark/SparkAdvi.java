package io.github.dl4jbayes.spark;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.internal.NetworkAdapter;
import io.github.dl4jbayes.training.DivergenceException;
import io.github.dl4jbayes.training.ElboHistories;
import io.github.dl4jbayes.training.ElboHistory;
import io.github.dl4jbayes.training.KlSchedule;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * Distributed ADVI on Apache Spark with DL4J's own Spark integration (synchronous parameter averaging,
 * {@link ParameterAveragingTrainingMaster}): every worker runs the network's own optimizer on its minibatches, the
 * parameters (means and rhos of the Bayesian layers) and the optimizer's state are averaged every
 * {@code averagingFrequency} minibatches, and each worker's score is the negative ELBO per example with the KL
 * divided by the <b>global</b> dataset size N ({@link BayesianTrainingHook}). The trained parameters land in the
 * network passed in, on the driver.
 *
 * <pre>{@code
 * SparkAdvi advi = SparkAdvi.builder().epochs(20).batchSizePerWorker(50).build();
 * ElboHistory elbo = advi.fit(sc, net, trainingRdd);   // N counted from the RDD unless datasetSize(N) is given
 * }</pre>
 *
 * <p>With {@code averagingFrequency(1)} and the plain SGD updater, one averaging round is one step along the gradient
 * averaged over the workers' minibatches, each with its own weight draw (see {@code docs/math.md}, also for why the
 * rhos, not the sigmas, are averaged); a larger frequency means fewer rounds and some drift between them.
 * The KL term is warmed up epoch by epoch ({@link Builder#klWarmUpEpochs}, by the network's own epoch count: a
 * second network fitted with the same object gets its own warm-up and ELBO trace).
 * Limitations: one weight draw per worker and step (no {@code mcSamples}), a KL warm-up by epochs, not steps, and
 * networks whose loss is a mean over the minibatch ({@code miniBatch(true)}, DL4J's default) only.
 */
public final class SparkAdvi {
    private static final Logger log = LoggerFactory.getLogger(SparkAdvi.class);

    private final long datasetSize;
    private final int epochs;
    private final int batchSizePerWorker;
    private final int averagingFrequency;
    private final Long seed;
    private final KlSchedule klSchedule;
    /** The ELBO trace of each network fitted (the object's only state apart from its settings). */
    private final ElboHistories histories = new ElboHistories();

    private SparkAdvi(Builder b) {
        this.datasetSize = b.datasetSize;
        this.epochs = b.epochs;
        this.batchSizePerWorker = b.batchSizePerWorker;
        this.averagingFrequency = b.averagingFrequency;
        this.seed = b.seed;
        this.klSchedule = new KlSchedule(b.klWarmUpEpochs >= 0 ? b.klWarmUpEpochs : KlSchedule.defaultWarmUp(b.epochs),
                1.0);
    }

    /** @return a builder: 10 epochs, 32 examples per worker minibatch, averaging after every minibatch */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the ELBO trace of the network fitted last (of all its fits with this object), one entry per epoch,
     *         numbered by the network's own epoch count
     */
    public ElboHistory history() {
        return histories.last();
    }

    /**
     * Trains a {@link MultiLayerNetwork} on an RDD of {@link DataSet}s (of one or more examples each, all of the same
     * size as the first).
     *
     * @return the ELBO trace (one estimate per epoch: {@code -N} times the workers' mean score in the epoch's last
     *         averaging round)
     */
    public ElboHistory fit(JavaSparkContext sc, MultiLayerNetwork net, JavaRDD<DataSet> data) {
        check(sc, net, data);
        long n = datasetSize(net, data);
        BayesianTrainingHook hook = hook(net, n);
        SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc, net,
                trainingMaster(net, hook, data.first().numExamples()));
        return run(net, n, hook, () -> {
            spark.fit(data);
            return spark.getScore();
        });
    }

    /** Trains a {@link ComputationGraph} of one input and one output on an RDD of {@link DataSet}s. */
    public ElboHistory fit(JavaSparkContext sc, ComputationGraph graph, JavaRDD<DataSet> data) {
        check(sc, graph, data);
        if (graph.getNumInputArrays() != 1 || graph.getNumOutputArrays() != 1) {
            throw new IllegalArgumentException("An RDD of DataSets trains graphs of one input and one output; the graph "
                    + "has " + graph.getNumInputArrays() + " and " + graph.getNumOutputArrays()
                    + ": use fitMultiDataSet with an RDD of MultiDataSets");
        }
        long n = datasetSize(graph, data);
        BayesianTrainingHook hook = hook(graph, n);
        SparkComputationGraph spark = new SparkComputationGraph(sc, graph,
                trainingMaster(graph, hook, data.first().numExamples()));
        return run(graph, n, hook, () -> {
            spark.fit(data);
            return spark.getScore();
        });
    }

    /** Trains a {@link ComputationGraph} (several inputs or outputs) on an RDD of {@link MultiDataSet}s. */
    public ElboHistory fitMultiDataSet(JavaSparkContext sc, ComputationGraph graph, JavaRDD<MultiDataSet> data) {
        check(sc, graph, data);
        long n = datasetSize > 0 ? datasetSize : networksOrCounted(graph,
                () -> data.map(m -> m.getFeatures(0).size(0)).reduce(Long::sum));
        BayesianTrainingHook hook = hook(graph, n);
        SparkComputationGraph spark = new SparkComputationGraph(sc, graph,
                trainingMaster(graph, hook, (int) data.first().getFeatures(0).size(0)));
        return run(graph, n, hook, () -> {
            spark.fitMultiDataSet(data);
            return spark.getScore();
        });
    }

    private static void check(JavaSparkContext sc, Model net, JavaRDD<?> data) {
        if (sc == null || data == null) {
            throw new IllegalArgumentException("the Spark context and the data must not be null");
        }
        NetworkAdapter adapter = NetworkAdapter.of(net);
        if (BayesianNetworks.bayesianLayers(net).isEmpty()) {
            throw new IllegalArgumentException("SparkAdvi needs a network with Bayesian layers");
        }
        if (!adapter.miniBatch()) {
            throw new IllegalArgumentException("SparkAdvi needs a network whose loss is a mean over the minibatch "
                    + "(miniBatch(true), DL4J's default): the workers' scores are averaged as per-example ELBOs");
        }
        if (data.isEmpty()) {
            throw new IllegalArgumentException("data: the RDD is empty; there is nothing to fit (the network is "
                    + "unchanged)");
        }
    }

    /** @return N: the builder's, else the network's (as {@code Advi} takes it), else the examples in the RDD */
    private long datasetSize(Model net, JavaRDD<DataSet> data) {
        return datasetSize > 0 ? datasetSize
                : networksOrCounted(net, () -> data.map(d -> (long) d.numExamples()).reduce(Long::sum));
    }

    private static long networksOrCounted(Model net, java.util.function.LongSupplier count) {
        long own = BayesianNetworks.getDatasetSize(net);
        if (own > 0) {
            return own;
        }
        long counted = count.getAsLong();
        log.info("Spark ADVI: N = {}, counted from the RDD (set datasetSize(N) if the RDD repeats examples)", counted);
        return counted;
    }

    /** @return the builder's seed, else the network's configuration's */
    private long seedFor(Model net) {
        return seed != null ? seed : NetworkAdapter.of(net).seed();
    }

    /** @return the hook that gives the workers' networks N, the KL weight and their noise seeds */
    private BayesianTrainingHook hook(Model net, long n) {
        return new BayesianTrainingHook(n, seedFor(net), BayesianNetworks.getKernelPolicy(net));
    }

    private ParameterAveragingTrainingMaster trainingMaster(Model net, BayesianTrainingHook hook,
                                                            int examplesPerRddElement) {
        return new ParameterAveragingTrainingMaster.Builder(examplesPerRddElement)
                .batchSizePerWorker(batchSizePerWorker)
                .averagingFrequency(averagingFrequency)
                .workerPrefetchNumBatches(0)
                .saveUpdater(true)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .rngSeed(seedFor(net))
                .trainingHooks(hook)
                .build();
    }

    private ElboHistory run(Model net, long n, BayesianTrainingHook hook, DoubleSupplier epoch) {
        log.info("Spark ADVI: {} epoch(s), N = {}, minibatches of {} per worker, averaging every {}, KL warm-up over "
                + "{} epoch(s)", epochs, n, batchSizePerWorker, averagingFrequency, klSchedule.warmUpSteps());
        ElboHistory history = histories.of(net);
        NetworkAdapter adapter = NetworkAdapter.of(net);
        long start = System.nanoTime();
        for (int e = 0; e < epochs; e++) {
            long epochStart = System.nanoTime();
            // the network's own epoch (DL4J's Spark fit counts them): a second network, or a loaded one, gets its
            // own warm-up
            long step = adapter.epochCount() + 1L;
            double klWeight = klSchedule.weightAt(step);
            hook.setKlWeight(klWeight);
            double score;
            try {
                score = epoch.getAsDouble();
            } catch (Exception failure) {  // Spark's SparkException reaches Java unchecked
                throw new IllegalStateException("Spark ADVI: epoch " + step + " failed on the cluster: a task failed "
                        + "as often as spark.task.maxFailures allows (" + firstLine(failure) + "). The driver's network "
                        + "holds the parameters of the last averaging round that completed; fit again to go on.", failure);
            }
            if (!Double.isFinite(score)) {
                throw new DivergenceException("Spark ADVI diverged in epoch " + step + ": the workers' mean "
                        + "score (negative ELBO per example) is " + score + ". Lower the learning rate or check the data.");
            }
            // the workers' score holds the KL at weight klWeight: the ELBO adds the rest back, at the averaged
            // parameters
            double elbo = -n * score - (klWeight < 1 ? (1 - klWeight) * BayesianNetworks.klDivergence(net) : 0);
            history.add(step, elbo);
            log.info(String.format(Locale.ROOT, "Spark ADVI epoch %d/%d: ELBO = %.2f (last round's minibatches), KL "
                    + "weight %.2f, %.1f s", e + 1, epochs, elbo, klWeight, (System.nanoTime() - epochStart) / 1e9));
        }
        BayesianNetworks.setDatasetSize(net, n);
        log.info(String.format(Locale.ROOT, "Spark ADVI: %d epoch(s) in %.1f s", epochs, (System.nanoTime() - start) / 1e9));
        return history;
    }

    private static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    /** Builder for {@link SparkAdvi}. */
    public static final class Builder {
        private long datasetSize;
        private int epochs = 10;
        private int batchSizePerWorker = 32;
        private int averagingFrequency = 1;
        private Long seed;
        private int klWarmUpEpochs = -1;

        private Builder() {
        }

        /**
         * @param datasetSize N, the global number of training examples; when not given, the network's own N
         *                    ({@code BayesianNetworks.setDatasetSize}), else the examples in the RDD
         */
        public Builder datasetSize(long datasetSize) {
            this.datasetSize = ArgumentChecks.positive("datasetSize", datasetSize);
            return this;
        }

        /** @param epochs passes over the data per {@code fit} (&gt; 0) */
        public Builder epochs(int epochs) {
            this.epochs = ArgumentChecks.positive("epochs", epochs);
            return this;
        }

        /** @param batchSizePerWorker the examples in each worker's minibatch (&gt; 0) */
        public Builder batchSizePerWorker(int batchSizePerWorker) {
            this.batchSizePerWorker = ArgumentChecks.positive("batchSizePerWorker", batchSizePerWorker);
            return this;
        }

        /** @param averagingFrequency minibatches each worker fits between two averagings (&gt; 0) */
        public Builder averagingFrequency(int averagingFrequency) {
            this.averagingFrequency = ArgumentChecks.positive("averagingFrequency", averagingFrequency);
            return this;
        }

        /**
         * @param klWarmUpEpochs epochs over which the KL weight rises linearly to 1, counted by the network's own epoch
         *                       count (&ge; 0; 0 for none; default: a quarter of {@link #epochs}, as {@code Advi}
         *                       warms up over a quarter of its iterations)
         */
        public Builder klWarmUpEpochs(int klWarmUpEpochs) {
            this.klWarmUpEpochs = ArgumentChecks.nonNegative("klWarmUpEpochs", klWarmUpEpochs);
            return this;
        }

        /** @param seed the seed of the workers' noise and of DL4J's data partitioning (default: the network's) */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @return the configured {@link SparkAdvi} */
        public SparkAdvi build() {
            return new SparkAdvi(this);
        }
    }
}
