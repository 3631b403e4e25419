package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.active.Acquisition;
import io.github.dl4jbayes.active.ActiveLearning;
import io.github.dl4jbayes.plot.Plots;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code active} example's summary of one task: per method, the labels each seed needed to reach the target
 * accuracy and the final accuracy, and the mean learning curves (test accuracy and NLL over the seeds) as a PNG.
 */
final class ActiveReport {
    private ActiveReport() {
    }

    /**
     * Prints the summary and draws the curves.
     *
     * @param runs per method (in {@code methods}' order), one result per seed
     * @return the picture's path
     */
    static Path summary(String name, List<Acquisition> methods, List<List<ActiveLearning.Result>> runs, double target,
                        int budget, Path out) {
        int seeds = runs.get(0).size();
        System.out.printf(Locale.ROOT, "%s, labels needed to reach %.0f%% (per seed; - = not within %d) and the mean "
                + "final accuracy:%n", name, 100 * target, budget);
        List<String> names = new ArrayList<>();
        List<double[]> xs = new ArrayList<>();
        List<double[]> accuracy = new ArrayList<>();
        List<double[]> nll = new ArrayList<>();
        for (int m = 0; m < methods.size(); m++) {
            List<ActiveLearning.Result> results = runs.get(m);
            StringBuilder needed = new StringBuilder();
            for (ActiveLearning.Result r : results) {
                int n = r.labelsToReach(target);
                needed.append(needed.length() == 0 ? "" : ", ").append(n < 0 ? "-" : String.valueOf(n));
            }
            int rounds = results.get(0).rounds().size();
            double[] x = new double[rounds];
            double[] a = new double[rounds];
            double[] l = new double[rounds];
            for (int k = 0; k < rounds; k++) {
                x[k] = results.get(0).rounds().get(k).labelled();
                for (ActiveLearning.Result r : results) {
                    a[k] += 100 * r.rounds().get(k).accuracy() / results.size();
                    l[k] += r.rounds().get(k).nll() / results.size();
                }
            }
            System.out.printf(Locale.ROOT, "  %-16s %-40s final %.1f%%%n", methods.get(m), needed, a[rounds - 1]);
            names.add(methods.get(m).name());
            xs.add(x);
            accuracy.add(a);
            nll.add(l);
        }
        return Plots.saveSideBySide(List.of(
                Plots.curves(name + ": test accuracy, mean of " + seeds + " seeds", "labelled examples", "accuracy (%)",
                        names, xs, accuracy, false),
                Plots.curves(name + ": test NLL, mean of " + seeds + " seeds", "labelled examples", "NLL", names, xs,
                        nll, false)), out, "active_" + name);
    }
}
