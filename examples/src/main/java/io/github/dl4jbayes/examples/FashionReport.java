package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.examples.EpochTraining.Training;
import io.github.dl4jbayes.metrics.ClassificationMetrics;
import io.github.dl4jbayes.training.ElboHistory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The {@code fashion} example's scores of one network, and the lines it prints. */
final class FashionReport {
    private FashionReport() {
    }

    /**
     * Scores of one network on the in-distribution test set.
     *
     * @param aurocMaxProbability AUROC of {@code 1 - max probability} for held-out vs in-distribution images (NaN
     *                            without held-out classes)
     * @param epochSeconds        wall time of each training epoch (training only, not the evaluation)
     * @param peakResidentMb      the process's peak resident memory (VmHWM) after each epoch, MB (-1 off Linux)
     * @param bestEpoch           the epoch whose parameters were kept (best validation NLL), from 1
     */
    record NetScores(double accuracy, double nll, double brier, double ece, double aurocMaxProbability,
                     double[] epochSeconds, long[] peakResidentMb, int bestEpoch) {
    }

    static String elboLine(ElboHistory elbo, int batchesPerEpoch, int n) {
        double meanElbo = elbo.meanOfLast(batchesPerEpoch);
        return String.format(Locale.ROOT, "ELBO %.1f (%.4f per example, mean over the epoch)", meanElbo,
                meanElbo / n);
    }

    static NetScores scores(ClassificationMetrics m, double aurocMaxProbability, Training t) {
        return new NetScores(m.accuracy(), m.negativeLogLikelihood(), m.brierScore(), m.expectedCalibrationError(10),
                aurocMaxProbability, t.epochSeconds(), t.peakResidentMb(), t.bestEpoch() + 1);
    }

    static void printRow(String name, NetScores s, double aurocMi) {
        boolean trained = s.epochSeconds().length > 0;              // a plain CNN read with --plain-network is not
        System.out.printf(Locale.ROOT, "%-14s %8.2f%% %8.4f %8.4f %8.4f %16s %10s %12s %7s %11s%n", name,
                100 * s.accuracy(), s.nll(), s.brier(), s.ece(), orDash(s.aurocMaxProbability()), orDash(aurocMi),
                trained ? String.format(Locale.ROOT, "%.1f", Stats.mean(s.epochSeconds())) : "-",
                trained ? s.bestEpoch() + "/" + s.epochSeconds().length : "read",
                trained ? Long.toString(Arrays.stream(s.peakResidentMb()).max().orElse(-1)) : "-");
    }

    /** Prints the table of the run's networks, the mutual information in and out, the peak memory and the pictures. */
    static void printSummary(FashionExample.Result r, Path out) {
        System.out.printf(Locale.ROOT, "%n%-14s %9s %8s %8s %8s %16s %10s %12s %7s %11s%n", "", "accuracy", "NLL",
                "Brier", "ECE", "AUROC(1-max p)", "AUROC(MI)", "s per epoch", "epochs", "peak RSS MB");
        printRow("plain CNN", r.plain(), Double.NaN);
        printRow("Bayesian CNN", r.bayesian(), r.aurocMutualInformation());
        if (r.converted() != null) {
            printRow("converted CNN", r.converted(), Double.NaN);
        }
        if (!Double.isNaN(r.meanMiOut())) {
            System.out.printf(Locale.ROOT, "Mean mutual information: %.4f nats on test images of the training classes, "
                    + "%.4f on the held-out classes%n", r.meanMiIn(), r.meanMiOut());
        } else {
            System.out.println("No held-out classes (--holdout none, the default): no out-of-distribution section.");
        }
        System.out.printf(Locale.ROOT, "Peak resident memory of this run: %d MB%n", ResidentMemory.peakMb());
        System.out.println("Pictures written to " + out);
        for (Path p : r.pictures()) {
            System.out.println("  " + p.getFileName());
        }
    }

    private static String orDash(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    static String names(int[] classes) {
        List<String> list = new ArrayList<>();
        for (int c : classes) {
            list.add(c + " " + FashionMnist.CLASS_NAMES.get(c));
        }
        return list.isEmpty() ? "(none)" : "(" + String.join(", ", list) + ")";
    }
}
