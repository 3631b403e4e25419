package io.github.dl4jbayes.training;

import io.github.dl4jbayes.internal.ArgumentChecks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The ELBO trace of a fit: one {@code (iteration, ELBO)} pair per optimizer step, where ELBO is the
 * single-sample (minibatch-scaled) estimate of the evidence lower bound of the whole dataset,
 * {@code -(N * score)} with {@code score} the network's negative ELBO per example. Like PyMC's {@code hist},
 * but with the sign of the ELBO itself (higher is better).
 */
public final class ElboHistory {
    private long[] iterations = new long[1024];
    private double[] elbos = new double[1024];
    private int size;

    /** Appends one point. */
    public synchronized void add(long iteration, double elbo) {
        if (size == iterations.length) {
            iterations = Arrays.copyOf(iterations, size * 2);
            elbos = Arrays.copyOf(elbos, size * 2);
        }
        iterations[size] = iteration;
        elbos[size] = elbo;
        size++;
    }

    /** @return the number of recorded steps */
    public synchronized int size() {
        return size;
    }

    /** @return the iteration numbers (1-based optimizer step counts of the network) */
    public synchronized long[] iterations() {
        return Arrays.copyOf(iterations, size);
    }

    /** @return the ELBO estimates, one per recorded step */
    public synchronized double[] elbos() {
        return Arrays.copyOf(elbos, size);
    }

    /** @return the last recorded ELBO estimate */
    public synchronized double last() {
        if (size == 0) {
            throw new IllegalStateException("The ELBO history is empty");
        }
        return elbos[size - 1];
    }

    /**
     * @param window the number of last steps to average (&gt; 0)
     * @return the mean ELBO over the last {@code window} steps (fewer if fewer were recorded)
     */
    public synchronized double meanOfLast(int window) {
        ArgumentChecks.positive("window", window);
        if (size == 0) {
            throw new IllegalStateException("The ELBO history is empty");
        }
        int from = Math.max(0, size - window);
        double sum = 0;
        for (int i = from; i < size; i++) {
            sum += elbos[i];
        }
        return sum / (size - from);
    }

    /** Writes the history as CSV with the header {@code iteration,elbo}. */
    public synchronized void writeCsv(Path file) {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("iteration,elbo\n");
            for (int i = 0; i < size; i++) {
                out.write(iterations[i] + "," + String.format(Locale.ROOT, "%.6f", elbos[i]) + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the ELBO history to " + file, e);
        }
    }
}
