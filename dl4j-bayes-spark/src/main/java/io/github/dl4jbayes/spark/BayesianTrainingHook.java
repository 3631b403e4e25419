package io.github.dl4jbayes.spark;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.KernelPolicy;
import org.apache.spark.TaskContext;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.SplittableRandom;

/**
 * Gives each worker's copy of a Bayesian network what DL4J's Spark training does not carry: the run-time state of its
 * Bayesian layers. DL4J builds a fresh network on every worker for every averaging round, from the configuration and
 * the averaged parameters; its Bayesian layers would start without the dataset size N and with the noise the
 * configuration's seed gives, the same on every worker and in every round. Before a worker's first minibatch this hook
 * sets the <b>global</b> N (the KL term is divided by the size of the whole dataset on every worker, however the data
 * are partitioned) and the KL weight ({@link #setKlWeight}: 1 unless a warm-up lowers it) and reseeds the noise from the hook's seed, the Spark stage and the partition, so that workers and
 * rounds draw independently, and a program that runs the same Spark jobs in a fresh context repeats its draws (stage
 * numbers count the context's jobs: a second fit in the same context draws differently).
 *
 * <p>{@link SparkAdvi} adds it; add it yourself to a {@code TrainingMaster} built by hand
 * ({@code new ParameterAveragingTrainingMaster.Builder(...).trainingHooks(new BayesianTrainingHook(n, seed))}).
 */
public final class BayesianTrainingHook implements TrainingHook {
    private static final long serialVersionUID = 3L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BayesianTrainingHook.class);

    private final long datasetSize;
    private final long seed;
    /** The driver's network's kernel policy, for the workers' copies (null: the workers' defaults). */
    private final KernelPolicy kernelPolicy;
    /** The KL weight the workers use in the next fit (set on the driver between fits: the warm-up of SparkAdvi). */
    private double klWeight = 1.0;
    /** The worker network the hook last prepared (a hook is deserialized with each task). */
    private transient Model prepared;
    private transient long fallbackCount;

    /**
     * @param datasetSize N, the number of training examples in the whole dataset (&gt; 0)
     * @param seed        the seed of the workers' noise
     */
    public BayesianTrainingHook(long datasetSize, long seed) {
        this(datasetSize, seed, null);
    }

    /**
     * @param datasetSize  N, the number of training examples in the whole dataset (&gt; 0)
     * @param seed         the seed of the workers' noise
     * @param kernelPolicy the kernel policy for the workers' networks (the driver's network's), or null for the
     *                     workers' defaults
     */
    public BayesianTrainingHook(long datasetSize, long seed, KernelPolicy kernelPolicy) {
        ArgumentChecks.positive("datasetSize", datasetSize);
        this.datasetSize = datasetSize;
        this.seed = seed;
        this.kernelPolicy = kernelPolicy;
    }

    /**
     * Sets the weight on the KL term that the workers' networks use from the next {@code fit} on (the hook travels to
     * the workers with each Spark job): {@link SparkAdvi} warms the KL up epoch by epoch this way.
     *
     * @param klWeight the weight, finite and &ge; 0 (1 for the ELBO)
     */
    public void setKlWeight(double klWeight) {
        this.klWeight = ArgumentChecks.nonNegativeFinite("klWeight", klWeight);
    }

    /** @return the weight on the KL term the workers use */
    public double klWeight() {
        return klWeight;
    }

    /** @return N, the global dataset size the workers divide the KL term by */
    public long datasetSize() {
        return datasetSize;
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        prepare(model);
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        prepare(model);
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
        // nothing to do after the update
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
        // nothing to do after the update
    }

    private void prepare(Model model) {
        if (model == prepared) {
            return;
        }
        prepared = model;
        BayesianNetworks.setDatasetSize(model, datasetSize);
        BayesianNetworks.setKlWeight(model, klWeight);
        if (kernelPolicy != null) {
            BayesianNetworks.setKernelPolicy(model, kernelPolicy);
        }
        LOG.debug("worker network: N = {}, KL weight {}", datasetSize, klWeight);
        TaskContext task = TaskContext.get();
        long stage = task != null ? task.stageId() : -1 - fallbackCount++;
        long partition = task != null ? task.partitionId() : 0;
        BayesianNetworks.setNoiseSeed(model, workerSeed(seed, stage, partition));
    }

    /** @return the noise seed of one worker in one stage: unrelated streams for distinct (stage, partition) */
    static long workerSeed(long seed, long stage, long partition) {
        return new SplittableRandom(new SplittableRandom(seed ^ 0x632BE59BD9B4E019L * (stage + 1)).nextLong()
                + 0x9E3779B97F4A7C15L * (partition + 1)).nextLong();
    }
}
