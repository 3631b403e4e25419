package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.layers.BayesianLayer;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.MeanFieldLayout;
import io.github.dl4jbayes.layers.Pruning;
import io.github.dl4jbayes.metrics.ClassificationMetrics;
import io.github.dl4jbayes.plot.Plots;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.priors.LaplacePrior;
import io.github.dl4jbayes.priors.LearnedScalePrior;
import io.github.dl4jbayes.priors.Prior;
import io.github.dl4jbayes.priors.ScaleMixturePrior;
import io.github.dl4jbayes.training.Advi;
import io.github.dl4jbayes.training.ElboHistory;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Priors as a modelling tool, on the notebook's seed network (2-5-5-1 tanh, no biases) and the two-moons data: the
 * same ADVI fit under a Gaussian N(0, 1) prior, Blundell's scale mixture, a Laplace prior of the same variance and a
 * learned prior scale; accuracy, NLL, ELBO and the weight means of each in one picture; then each trained network
 * pruned by signal-to-noise ratio from 0 to 95 % of its weights, accuracy and NLL against the fraction pruned.
 */
public final class PriorsExample {
    static final String OPTIONS = "Options: --out DIR (priors-output) --iterations N (10000) --lr R (0.01) --seed S (0) "
            + "--data FILE.csv|notebook --ppc-samples P (500) --print-every K (0) --kl-warmup W (2000)";
    private static final double[] FRACTIONS = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95};

    private PriorsExample() {
    }

    /** One prior's fit. */
    record Fit(String name, Prior prior, double accuracy, double nll, double elbo, double seconds, double[] weightMeans,
               double[] pruneAccuracy, double[] pruneNll) {
    }

    /** What the example measured, for tests. */
    record Result(List<Fit> fits, List<Path> pictures) {
    }

    static Result run(Options o) {
        System.setProperty("java.awt.headless", "true");
        Path out = Path.of(o.string("out", "priors-output")).toAbsolutePath();
        int iterations = o.integer("iterations", 10_000);
        double learningRate = o.number("lr", 0.01);
        long seed = o.integer("seed", 0);
        int ppcSamples = o.integer("ppc-samples", 500);
        int printEvery = o.integer("print-every", 0);
        int klWarmup = o.integer("kl-warmup", 2000);
        String source = o.string("data", "generated");
        MoonsData data = MoonsData.load(source, seed);
        DataSet train = data.train();
        DataSet test = data.test();
        int n = train.numExamples();
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        List<String> names = List.of("Gaussian N(0, 1)", "scale mixture (1/2, 1, e^-6)", "Laplace(0, 0.71)",
                "learned scale (per layer)");
        List<Prior> priors = List.of(GaussianPrior.standardNormal(), new ScaleMixturePrior(0.5, 1.0, Math.exp(-6)),
                new LaplacePrior(0, Math.sqrt(0.5)), LearnedScalePrior.perLayer());
        System.out.printf(Locale.ROOT, "Two moons (%s): %d train, %d test points; the 2-5-5-1 seed network, %d ADVI "
                + "iterations each%n%n", source, n, test.numExamples(), iterations);
        System.out.printf(Locale.ROOT, "%-30s %9s %8s %9s %8s%n", "prior", "accuracy", "NLL", "ELBO", "seconds");
        List<Fit> fits = new ArrayList<>();
        List<ElboHistory> histories = new ArrayList<>();
        for (int k = 0; k < priors.size(); k++) {
            MultiLayerNetwork net = NotebookNetwork.build(priors.get(k), false, learningRate, seed);
            Advi advi = Advi.builder().datasetSize(n).iterations(iterations).printEvery(printEvery)
                    .klAnnealingIterations(Math.min(klWarmup, iterations)).build();
            long start = System.nanoTime();
            ElboHistory elbo = advi.fit(net, train);
            double seconds = (System.nanoTime() - start) / 1e9;
            histories.add(elbo);
            ClassificationMetrics m = evaluate(net, test, ppcSamples);
            double finalElbo = elbo.meanOfLast(Math.max(1, iterations / 10));
            double[] pruneAccuracy = new double[FRACTIONS.length];
            double[] pruneNll = new double[FRACTIONS.length];
            for (int f = 0; f < FRACTIONS.length; f++) {
                MultiLayerNetwork pruned = net.clone();
                pruneFraction(pruned, FRACTIONS[f]);
                ClassificationMetrics pm = evaluate(pruned, test, ppcSamples);
                pruneAccuracy[f] = pm.accuracy();
                pruneNll[f] = pm.negativeLogLikelihood();
            }
            Fit fit = new Fit(names.get(k), priors.get(k), m.accuracy(), m.negativeLogLikelihood(), finalElbo, seconds,
                    weightMeans(net), pruneAccuracy, pruneNll);
            fits.add(fit);
            System.out.printf(Locale.ROOT, "%-30s %8.1f%% %8.4f %9.2f %8.1f%n", fit.name(), 100 * fit.accuracy(),
                    fit.nll(), fit.elbo(), fit.seconds());
            if (priors.get(k) instanceof LearnedScalePrior) {
                BayesianNetworks.learnedPriorScales(net).forEach((layer, s) -> System.out.printf(Locale.ROOT,
                        "    learned prior std of layer %d: %.3f%n", layer, s[0]));
            }
        }

        System.out.printf(Locale.ROOT, "%nPruning by signal-to-noise ratio |mu| / sigma: accuracy (NLL) of the "
                + "posterior predictive%n%-10s", "pruned");
        for (Fit fit : fits) {
            System.out.printf(Locale.ROOT, " %-30s", fit.name());
        }
        System.out.println();
        for (int f = 0; f < FRACTIONS.length; f++) {
            System.out.printf(Locale.ROOT, "%8.0f%% ", 100 * FRACTIONS[f]);
            for (Fit fit : fits) {
                System.out.printf(Locale.ROOT, "  %5.1f%% (%.3f)%18s", 100 * fit.pruneAccuracy()[f], fit.pruneNll()[f], "");
            }
            System.out.println();
        }

        List<Path> pictures = new ArrayList<>();
        List<String> legend = new ArrayList<>();
        List<double[]> means = new ArrayList<>();
        for (Fit fit : fits) {
            legend.add(String.format(Locale.ROOT, "%s: %.1f%%, NLL %.3f, ELBO %.1f", fit.name(), 100 * fit.accuracy(),
                    fit.nll(), fit.elbo()));
            means.add(fit.weightMeans());
        }
        List<long[]> iterationsList = new ArrayList<>();
        List<double[]> elbos = new ArrayList<>();
        for (ElboHistory h : histories) {
            iterationsList.add(h.iterations());
            elbos.add(h.elbos());
        }
        pictures.add(Plots.saveSideBySide(List.of(
                Plots.histograms("Weight means per prior (legend: accuracy, NLL, ELBO)",
                        "weight mean", "fraction of the weights", legend, means, 30, true),
                Plots.elbo("ELBO during ADVI, per prior", names, iterationsList, elbos)), out, "priors"));
        List<double[]> xs = new ArrayList<>();
        List<double[]> accuracies = new ArrayList<>();
        List<double[]> nlls = new ArrayList<>();
        for (Fit fit : fits) {
            xs.add(Arrays.stream(FRACTIONS).map(f -> 100 * f).toArray());
            accuracies.add(Arrays.stream(fit.pruneAccuracy()).map(a -> 100 * a).toArray());
            nlls.add(fit.pruneNll());
        }
        pictures.add(Plots.saveSideBySide(List.of(
                Plots.curves("Test accuracy after pruning by |mu| / sigma", "% of weights pruned", "accuracy (%)", names,
                        xs, accuracies, false),
                Plots.curves("Test NLL after pruning by |mu| / sigma", "% of weights pruned", "NLL", names, xs, nlls,
                        false)), out, "pruning"));
        writeCsv(out.resolve("priors.csv"), fits);
        System.out.println("\nPictures and tables written to " + out);
        for (Path p : pictures) {
            System.out.println("  " + p.getFileName());
        }
        return new Result(fits, pictures);
    }

    /** Prunes the {@code fraction} of the network's weights with the lowest signal-to-noise ratio. */
    static void pruneFraction(MultiLayerNetwork net, double fraction) {
        double[] snr = Pruning.signalToNoiseRatios(net);
        int k = (int) Math.round(fraction * snr.length);
        if (k == 0) {
            return;
        }
        double threshold = k >= snr.length ? 2 * snr[snr.length - 1] + 1 : 0.5 * (snr[k - 1] + snr[k]);
        Pruning.prune(net, threshold);
    }

    private static ClassificationMetrics evaluate(MultiLayerNetwork net, DataSet test, int samples) {
        INDArray p = PosteriorPredictive.of(net).samples(samples).keepSamples(false).predict(test.getFeatures()).mean();
        return ClassificationMetrics.of(p, test.getLabels());
    }

    private static double[] weightMeans(MultiLayerNetwork net) {
        List<Double> values = new ArrayList<>();
        for (BayesianLayer layer : BayesianNetworks.bayesianLayers(net)) {
            INDArray w = ((Layer) layer).getParam(MeanFieldLayout.WEIGHT_MU);
            for (double v : w.castTo(DataType.DOUBLE).dup().reshape(w.length()).toDoubleVector()) {
                values.add(v);
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void writeCsv(Path file, List<Fit> fits) {
        StringBuilder sb = new StringBuilder("prior,accuracy,nll,elbo,seconds");
        for (double f : FRACTIONS) {
            sb.append(String.format(Locale.ROOT, ",accuracy_pruned_%.0f,nll_pruned_%.0f", 100 * f, 100 * f));
        }
        sb.append('\n');
        for (Fit fit : fits) {
            sb.append(String.format(Locale.ROOT, "\"%s\",%.4f,%.4f,%.3f,%.2f", fit.name(), fit.accuracy(), fit.nll(),
                    fit.elbo(), fit.seconds()));
            for (int f = 0; f < FRACTIONS.length; f++) {
                sb.append(String.format(Locale.ROOT, ",%.4f,%.4f", fit.pruneAccuracy()[f], fit.pruneNll()[f]));
            }
            sb.append('\n');
        }
        try {
            Files.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
