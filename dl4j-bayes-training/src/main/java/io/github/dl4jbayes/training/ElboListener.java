package io.github.dl4jbayes.training;

import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.internal.NetworkAdapter;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * Records the ELBO after every optimizer step of a Bayesian {@code MultiLayerNetwork} or {@code ComputationGraph},
 * logs progress every
 * {@code printEvery} steps ({@code Iteration 5000 [10%]: ELBO = -185.65 (mean of the last 1000: -190.02), 7,100 it/s,
 * 6.3 s left}), and stops training with a
 * {@link DivergenceException} when the ELBO becomes NaN or infinite: {@link ElboProgress}'s bookkeeping after each of
 * DL4J's steps.
 *
 * <p>The ELBO is {@code -(N * score + (1 - klWeight) * KL)}: the network's score is the negative ELBO per
 * example with the KL weighted by {@code klWeight} (per example of the minibatch B times that with DL4J's
 * {@code miniBatch(false)}), so during KL annealing the unweighted KL is added back and the trace stays the ELBO
 * itself. The annealing correction uses the KL after the step's update, the score the parameters before it.
 *
 * <pre>{@code
 * ElboListener elbo = new ElboListener(1000).expectedIterations(50_000);
 * net.addListeners(elbo);
 * ...
 * elbo.history().writeCsv(Path.of("elbo.csv"));
 * }</pre>
 */
public class ElboListener extends BaseTrainingListener {
    private final ElboProgress progress;

    /**
     * @param printEvery log a progress line every this many steps; 0 for no progress lines
     */
    public ElboListener(int printEvery) {
        this(printEvery, new ElboHistory());
    }

    /**
     * @param printEvery log a progress line every this many steps; 0 for no progress lines
     * @param history    the history to append to (to continue a trace across fits)
     */
    public ElboListener(int printEvery, ElboHistory history) {
        this.progress = new ElboProgress(printEvery, history, "Lower the learning rate, raise the number of "
                + "Monte-Carlo samples, or check the data for NaN/Inf.");
    }

    /**
     * Declares how many steps the current run will take, so that progress lines show a percentage, and restarts
     * the step count of the run.
     *
     * @param iterations the number of optimizer steps of this run (&gt; 0), or 0 if unknown
     * @return this listener
     */
    public ElboListener expectedIterations(long iterations) {
        progress.start(iterations);
        return this;
    }

    /** @return the recorded ELBO trace */
    public ElboHistory history() {
        return progress.history();
    }

    /** Writes the recorded trace as CSV ({@code iteration,elbo}); see {@link ElboHistory#writeCsv(java.nio.file.Path)}. */
    public void writeCsv(java.nio.file.Path file) {
        progress.history().writeCsv(file);
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        progress.record(iteration + 1L, elbo(NetworkAdapter.of(model), model.score()));
    }

    /**
     * @param model a network with Bayesian layers, after a training step
     * @return the ELBO that step's score stands for (the whole training set's, with the KL at full weight even
     * during a warm-up): what {@link #history()} records
     */
    public static double elbo(Model model) {
        return elbo(NetworkAdapter.of(model), model.score());
    }

    static double elbo(NetworkAdapter net, double score) {
        Model model = net.model();
        if (!BayesianNetworks.isBayesian(model)) {
            throw new IllegalArgumentException("ElboListener needs a network with Bayesian layers");
        }
        long n = BayesianNetworks.getDatasetSize(model);
        double klWeight = BayesianNetworks.getKlWeight(model);
        // miniBatch(true): score = -ELBO / N; miniBatch(false): score = -ELBO * B / N (the loss is a sum over the batch)
        double perExample = net.miniBatch() ? score : score / Math.max(1, net.batchSize());
        double elbo = -n * perExample;
        if (klWeight != 1.0) {
            // the KL the score holds (that step's, before its update): computing it again cost a large network a
            // third of a step during the warm-up
            elbo -= (1.0 - klWeight) * BayesianNetworks.klDivergenceOfLastScore(model);
        }
        return elbo;
    }
}
