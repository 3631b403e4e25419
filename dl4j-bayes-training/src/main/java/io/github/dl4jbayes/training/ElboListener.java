package io.github.dl4jbayes.training;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.NetworkAdapter;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Records the ELBO after every optimizer step of a Bayesian {@code MultiLayerNetwork} or {@code ComputationGraph},
 * logs progress every
 * {@code printEvery} steps ({@code Iteration 5000 [10%]: ELBO = -185.65 (mean of the last 1000: -190.02), 7,100 it/s,
 * 6.3 s left}), and stops training with a
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
    /** Progress since the last line: the ELBO summed, the steps, and when the window began. */
    private double windowSum;
    private long windowSteps;
    private long windowStart = System.nanoTime();

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
        ArgumentChecks.nonNegative("printEvery", printEvery);
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
        ArgumentChecks.nonNegative("iterations", iterations);
        this.expectedIterations = iterations;
        this.stepsThisRun = 0;
        this.windowSum = 0;
        this.windowSteps = 0;
        this.windowStart = System.nanoTime();
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
        NetworkAdapter net = NetworkAdapter.of(model);
        double score = model.score();
        long step = iteration + 1L;
        if (!Double.isFinite(score)) {
            throw new DivergenceException("Training diverged at iteration " + step + ": the ELBO is " + (-score)
                    + " (the score, the negative ELBO per example, is " + score + "). "
                    + "Lower the learning rate, raise the number of Monte-Carlo samples, or check the data for NaN/Inf.");
        }
        double elbo = elbo(net, score);
        history.add(step, elbo);
        stepsThisRun++;
        windowSum += elbo;
        windowSteps++;
        if (printEvery > 0 && stepsThisRun % printEvery == 0) {
            log.info(progressLine(stepsThisRun, expectedIterations, elbo, windowSum / windowSteps, windowSteps,
                    (System.nanoTime() - windowStart) / 1e9));
            windowSum = 0;
            windowSteps = 0;
            windowStart = System.nanoTime();
        }
    }

    /**
     * The progress line, with what PyMC's progress bar shows: {@code Iteration 5000 [50%]: ELBO = -96.31 (mean of
     * the last 1000: -98.12), 7,100 it/s, 0.7 s left}. The single-draw ELBO is noisy; the window's mean is the trend.
     *
     * @param expected the run's expected steps, or 0 if unknown (no percentage, no time left)
     * @param seconds  the time the window's {@code windowSteps} steps took
     */
    public static String progressLine(long step, long expected, double elbo, double windowMean, long windowSteps,
                               double seconds) {
        double rate = seconds > 0 ? windowSteps / seconds : Double.POSITIVE_INFINITY;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "Iteration %d", step));
        if (expected > 0) {
            line.append(String.format(Locale.ROOT, " [%d%%]", 100 * step / expected));
        }
        line.append(String.format(Locale.ROOT, ": ELBO = %.2f (mean of the last %d: %.2f), %,.0f it/s", elbo,
                windowSteps, windowMean, rate));
        if (expected > step && Double.isFinite(rate)) {
            line.append(String.format(Locale.ROOT, ", %s left", duration((expected - step) / rate)));
        }
        return line.toString();
    }

    private static String duration(double seconds) {
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        long s = Math.round(seconds);
        return s < 3600 ? String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60)
                : String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }

    /**
     * @param net   a network with Bayesian layers and the dataset size set
     * @param score the network's score (negative ELBO per example, KL weighted)
     * @return the ELBO of the whole dataset (minibatch-scaled estimate)
     */
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
