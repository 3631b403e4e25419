package io.github.dl4jbayes.training;

import io.github.dl4jbayes.internal.ArgumentChecks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The bookkeeping every training loop of the library shares after each optimizer step: the ELBO appended to an
 * {@link ElboHistory}, training stopped with a {@link DivergenceException} when it is NaN or infinite, and a progress
 * line every {@code printEvery} steps and at the run's last step ({@link #progressLine}). {@link ElboListener} uses
 * it for DL4J's steps; a loop of your own (or {@code HierarchicalAdvi}) calls {@link #record} itself.
 *
 * <pre>{@code
 * ElboProgress progress = new ElboProgress(1000, new ElboHistory(), "Lower the learning rate.").start(10_000);
 * for (long step = 1; step <= 10_000; step++) {
 *     double elbo = ...;                   // this step's ELBO estimate
 *     progress.record(step, elbo);         // throws DivergenceException on NaN / Inf
 * }
 * }</pre>
 */
public final class ElboProgress {
    private static final Logger log = LoggerFactory.getLogger(ElboProgress.class);

    private final int printEvery;
    private final ElboHistory history;
    private final String advice;
    private Supplier<String> suffix = () -> "";
    private long expected;
    private long stepsThisRun;
    /** Progress since the last line: the ELBO summed, the steps, and when the window began. */
    private double windowSum;
    private long windowSteps;
    private long windowStart = System.nanoTime();

    /**
     * @param printEvery a progress line every this many steps; 0 for none
     * @param history    the trace to append to
     * @param advice     what the divergence error advises (a sentence), e.g. "Lower the learning rate."
     */
    public ElboProgress(int printEvery, ElboHistory history, String advice) {
        ArgumentChecks.nonNegative("printEvery", printEvery);
        this.printEvery = printEvery;
        this.history = Objects.requireNonNull(history, "history");
        this.advice = Objects.requireNonNull(advice, "advice");
    }

    /**
     * @param suffix what to append to each progress line (e.g. a hierarchical network's spreads), asked for only when
     *               a line is written
     * @return this
     */
    public ElboProgress lineSuffix(Supplier<String> suffix) {
        this.suffix = Objects.requireNonNull(suffix, "suffix");
        return this;
    }

    /**
     * Starts a run: the steps counted from 0 and a fresh window.
     *
     * @param expectedSteps the run's number of steps, for the percentage and the time left; 0 if unknown
     * @return this
     */
    public ElboProgress start(long expectedSteps) {
        ArgumentChecks.nonNegative("expectedSteps", expectedSteps);
        this.expected = expectedSteps;
        this.stepsThisRun = 0;
        this.windowSum = 0;
        this.windowSteps = 0;
        this.windowStart = System.nanoTime();
        return this;
    }

    /** @return the trace */
    public ElboHistory history() {
        return history;
    }

    /**
     * Records the ELBO after optimizer step {@code iteration} (the network's own step count, from 1).
     *
     * @throws DivergenceException if {@code elbo} is NaN or infinite, naming the step and the value; nothing is
     *                             recorded then
     */
    public void record(long iteration, double elbo) {
        if (!Double.isFinite(elbo)) {
            throw new DivergenceException("Training diverged at iteration " + iteration + ": the ELBO is " + elbo
                    + ". " + advice);
        }
        history.add(iteration, elbo);
        stepsThisRun++;
        windowSum += elbo;
        windowSteps++;
        if (printEvery > 0 && (stepsThisRun % printEvery == 0 || stepsThisRun == expected)) {
            log.info(progressLine(stepsThisRun, expected, elbo, windowSum / windowSteps, windowSteps,
                    (System.nanoTime() - windowStart) / 1e9) + suffix.get());
            windowSum = 0;
            windowSteps = 0;
            windowStart = System.nanoTime();
        }
    }

    /**
     * The progress line, with what PyMC's progress bar shows: {@code Iteration 5000 [50%]: ELBO = -96.31 (mean of
     * the last 1000: -98.12), 7,100 it/s, 0.7 s left}. The single-draw ELBO is noisy; the window's mean is the trend.
     *
     * @param step        the steps of the run so far
     * @param expected    the run's expected steps, or 0 if unknown (no percentage, no time left)
     * @param elbo        the last step's ELBO
     * @param windowMean  the mean ELBO of the window's steps
     * @param windowSteps the number of steps in the window
     * @param seconds     the time the window's steps took
     * @return the line
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
}
