package io.github.dl4jbayes.training;

import io.github.dl4jbayes.layers.BayesianNetworks;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Records the ELBO after every optimizer step of a Bayesian {@link MultiLayerNetwork}, logs progress every
 * {@code printEvery} steps ({@code Iteration 5000 [10%]: ELBO = -185.65}), and stops training with a
 * {@link DivergenceException} when the ELBO becomes NaN or infinite.
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
    private static final Logger log = LoggerFactory.getLogger(ElboListener.class);

    private final int printEvery;
    private final ElboHistory history;
    private long expectedIterations;
    private long stepsThisRun;

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
        if (printEvery < 0) {
            throw new IllegalArgumentException("printEvery must be >= 0, got " + printEvery);
        }
        this.printEvery = printEvery;
        this.history = history;
    }

    /**
     * Declares how many steps the current run will take, so that progress lines show a percentage, and restarts
     * the step count of the run.
     *
     * @param iterations the number of optimizer steps of this run (&gt; 0), or 0 if unknown
     * @return this listener
     */
    public ElboListener expectedIterations(long iterations) {
        if (iterations < 0) {
            throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
        }
        this.expectedIterations = iterations;
        this.stepsThisRun = 0;
        return this;
    }

    /** @return the recorded ELBO trace */
    public ElboHistory history() {
        return history;
    }

    /** Writes the recorded trace as CSV ({@code iteration,elbo}); see {@link ElboHistory#writeCsv(java.nio.file.Path)}. */
    public void writeCsv(java.nio.file.Path file) {
        history.writeCsv(file);
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        if (!(model instanceof MultiLayerNetwork)) {
            throw new IllegalArgumentException("ElboListener supports MultiLayerNetwork, got " + model.getClass().getName());
        }
        MultiLayerNetwork net = (MultiLayerNetwork) model;
        double score = net.score();
        long step = iteration + 1L;
        if (!Double.isFinite(score)) {
            throw new DivergenceException("Training diverged at iteration " + step + ": the ELBO is " + (-score)
                    + " (the score, the negative ELBO per example, is " + score + "). "
                    + "Lower the learning rate, raise the number of Monte-Carlo samples, or check the data for NaN/Inf.");
        }
        double elbo = elbo(net, score);
        history.add(step, elbo);
        stepsThisRun++;
        if (printEvery > 0 && stepsThisRun % printEvery == 0) {
            if (expectedIterations > 0) {
                log.info(String.format(Locale.ROOT, "Iteration %d [%d%%]: ELBO = %.2f", stepsThisRun,
                        100 * stepsThisRun / expectedIterations, elbo));
            } else {
                log.info(String.format(Locale.ROOT, "Iteration %d: ELBO = %.2f", stepsThisRun, elbo));
            }
        }
    }

    /**
     * @param net   a network with Bayesian layers and the dataset size set
     * @param score the network's score (negative ELBO per example, KL weighted)
     * @return the ELBO of the whole dataset (minibatch-scaled estimate)
     */
    static double elbo(MultiLayerNetwork net, double score) {
        if (!BayesianNetworks.isBayesian(net)) {
            throw new IllegalArgumentException("ElboListener needs a network with Bayesian layers");
        }
        long n = BayesianNetworks.getDatasetSize(net);
        double klWeight = BayesianNetworks.getKlWeight(net);
        // miniBatch(true): score = -ELBO / N; miniBatch(false): score = -ELBO * B / N (the loss is a sum over the batch)
        double perExample = net.getLayerWiseConfigurations().getConf(0).isMiniBatch() ? score
                : score / Math.max(1, net.batchSize());
        double elbo = -n * perExample;
        if (klWeight != 1.0) {
            elbo -= (1.0 - klWeight) * BayesianNetworks.klDivergence(net);
        }
        return elbo;
    }
}
