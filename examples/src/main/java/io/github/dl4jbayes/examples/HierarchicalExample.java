package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.hierarchical.GroupedData;
import io.github.dl4jbayes.hierarchical.HierarchicalAdvi;
import io.github.dl4jbayes.hierarchical.HierarchicalNetwork;
import io.github.dl4jbayes.metrics.ClassificationMetrics;
import io.github.dl4jbayes.plot.Plots;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.training.Advi;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The hierarchical Bayesian neural network of "Hierarchical Bayesian Neural Networks with Informative Priors" (2018),
 * the sequel of the notebook: 18 groups, each 100 points of two moons (noise 0.3), standardized and rotated by its own
 * random angle (normal, sd 90 degrees), half of each held out. Three models of the same 2-5-5-1 tanh architecture:
 * one pooled Bayesian network that ignores the groups, 18 separate Bayesian networks, and the hierarchical network;
 * test accuracy and NLL over all held-out points, for several data seeds; the decision surfaces of every group per
 * model; the learned tau per layer.
 */
public final class HierarchicalExample {
    static final String OPTIONS = "Options: --out DIR (hierarchical-output) --groups G (18) --points N (100) "
            + "--noise S (0.3) --angle-sd DEG (90) --seeds K (5) --iterations I (5000) --lr R (0.01) "
            + "--ppc-samples P (200) --print-every K (0)";
    static final List<String> MODELS = List.of("pooled", "separate", "hierarchical");

    private HierarchicalExample() {
    }

    /** Per model: accuracy and NLL per data seed; the last seed's learned tau. */
    record Result(double[][] accuracy, double[][] nll, double[] tau, Path picture) {
    }

    static Result run(Options o) {
        System.setProperty("java.awt.headless", "true");
        Path out = Path.of(o.string("out", "hierarchical-output")).toAbsolutePath();
        int groups = o.integer("groups", 18);
        int points = o.integer("points", 100);
        double noise = o.number("noise", 0.3);
        double angleSd = o.number("angle-sd", 90);
        int seeds = o.integer("seeds", 5);
        int iterations = o.integer("iterations", 5000);
        double lr = o.number("lr", 0.01);
        int samples = o.integer("ppc-samples", 200);
        int printEvery = o.integer("print-every", 0);
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.printf(Locale.ROOT, "%d groups of %d moons points (noise %.2f), each rotated by N(0, %.0f deg), half "
                + "held out; 2-5-5-1 tanh, N(0, 1) priors, %d iterations; %d data seeds%n", groups, points, noise,
                angleSd, iterations, seeds);
        double[][] accuracy = new double[3][seeds];
        double[][] nll = new double[3][seeds];
        double[] tau = null;
        Path picture = null;
        for (int s = 0; s < seeds; s++) {
            GroupedData[] split = MoonsData.grouped(groups, points, noise, angleSd, 1000L * s);
            GroupedData train = split[0];
            GroupedData test = split[1];
            int n = train.size();
            // pooled: one network, the groups ignored
            MultiLayerNetwork pooled = NotebookNetwork.build(GaussianPrior.standardNormal(), true, lr, s);
            advi(n, iterations).fit(pooled, new DataSet(train.features(), train.labels()));
            // separate: one network per group, on its own data
            MultiLayerNetwork[] separate = new MultiLayerNetwork[groups];
            for (int g = 0; g < groups; g++) {
                DataSet own = train.ofGroup(g);
                separate[g] = NotebookNetwork.build(GaussianPrior.standardNormal(), true, lr, 100L * s + g);
                advi(own.numExamples(), iterations).fit(separate[g], own);
            }
            // hierarchical
            HierarchicalNetwork hierarchical = HierarchicalNetwork.create(
                    NotebookNetwork.build(GaussianPrior.standardNormal(), true, lr, s).getLayerWiseConfigurations(), groups);
            HierarchicalAdvi.builder().iterations(iterations).learningRate(lr).klAnnealingIterations(iterations / 5)
                    .printEvery(printEvery).seed(s).build().fit(hierarchical, train);
            tau = hierarchical.tau();
            MultiLayerNetwork[][] perGroup = new MultiLayerNetwork[3][groups];
            for (int g = 0; g < groups; g++) {
                perGroup[0][g] = pooled;
                perGroup[1][g] = separate[g];
                perGroup[2][g] = hierarchical.groupNetwork(g);
            }
            for (int m = 0; m < 3; m++) {
                ClassificationMetrics metrics = evaluate(perGroup[m], test, samples);
                accuracy[m][s] = metrics.accuracy();
                nll[m][s] = metrics.negativeLogLikelihood();
            }
            System.out.printf(Locale.ROOT, "seed %d: accuracy pooled %.1f%%, separate %.1f%%, hierarchical %.1f%%; NLL "
                            + "%.3f, %.3f, %.3f; tau %s%n", s, 100 * accuracy[0][s], 100 * accuracy[1][s],
                    100 * accuracy[2][s], nll[0][s], nll[1][s], nll[2][s], format(tau));
            if (s == 0) {
                picture = surfaces(perGroup, test, groups, samples, out);
            }
        }
        System.out.printf(Locale.ROOT, "%nMean over %d data seeds (sd):%n", seeds);
        for (int m = 0; m < 3; m++) {
            System.out.printf(Locale.ROOT, "  %-13s accuracy %.1f%% (%.1f), NLL %.3f (%.3f)%n", MODELS.get(m),
                    100 * Stats.mean(accuracy[m]), 100 * Stats.sd(accuracy[m]), Stats.mean(nll[m]), Stats.sd(nll[m]));
        }
        System.out.printf(Locale.ROOT, "Hierarchical margin: accuracy %+.1f points over pooled, %+.1f over separate; "
                        + "NLL %+.3f vs pooled, %+.3f vs separate%n",
                100 * (Stats.mean(accuracy[2]) - Stats.mean(accuracy[0])),
                100 * (Stats.mean(accuracy[2]) - Stats.mean(accuracy[1])),
                Stats.mean(nll[2]) - Stats.mean(nll[0]), Stats.mean(nll[2]) - Stats.mean(nll[1]));
        writeCsv(out.resolve("hierarchical.csv"), accuracy, nll);
        System.out.println("Picture and table written to " + out);
        return new Result(accuracy, nll, tau, picture);
    }

    private static Advi advi(int n, int iterations) {
        return Advi.builder().datasetSize(n).iterations(iterations).printEvery(0).klAnnealingIterations(iterations / 5)
                .build();
    }

    /** The posterior predictive of each group's model on that group's test points, pooled over the groups. */
    private static ClassificationMetrics evaluate(MultiLayerNetwork[] perGroup, GroupedData test, int samples) {
        List<INDArray> p = new ArrayList<>();
        List<INDArray> y = new ArrayList<>();
        for (int g = 0; g < perGroup.length; g++) {
            DataSet own = test.ofGroup(g);
            p.add(PosteriorPredictive.of(perGroup[g]).samples(samples).keepSamples(false).predict(own.getFeatures()).mean());
            y.add(own.getLabels());
        }
        return ClassificationMetrics.of(Nd4j.vstack(p), Nd4j.vstack(y));
    }

    /** One row per model: each group's predictive probability over [-3, 3]^2 (gray), its test points black / white. */
    private static Path surfaces(MultiLayerNetwork[][] perGroup, GroupedData test, int groups, int samples, Path out) {
        int side = 42;
        double[][] grid = new double[side * side][2];
        for (int i = 0; i < side; i++) {
            for (int j = 0; j < side; j++) {
                grid[i * side + j][0] = -3 + 6.0 * j / (side - 1);
                grid[i * side + j][1] = 3 - 6.0 * i / (side - 1);
            }
        }
        INDArray gridArray = Nd4j.createFromArray(grid).castTo(DataType.FLOAT);
        double[][] images = new double[3 * groups][];
        List<String> captions = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            for (int g = 0; g < groups; g++) {
                double[] p = PosteriorPredictive.of(perGroup[m][g]).samples(Math.min(samples, 100)).keepSamples(false)
                        .predict(gridArray).mean().castTo(DataType.DOUBLE).reshape(side * side).toDoubleVector();
                double[] image = new double[side * side];
                for (int k = 0; k < image.length; k++) {
                    image[k] = 0.2 + 0.6 * p[k];
                }
                DataSet own = test.ofGroup(g);
                double[][] x = own.getFeatures().castTo(DataType.DOUBLE).toDoubleMatrix();
                for (int r = 0; r < x.length; r++) {
                    int j = (int) Math.round((x[r][0] + 3) / 6 * (side - 1));
                    int i = (int) Math.round((3 - x[r][1]) / 6 * (side - 1));
                    double value = own.getLabels().getDouble(r, 0) > 0.5 ? 1.0 : 0.0;
                    for (int[] d : new int[][]{{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}}) {   // a small plus
                        int ii = i + d[0];
                        int jj = j + d[1];
                        if (ii >= 0 && ii < side && jj >= 0 && jj < side) {
                            image[ii * side + jj] = value;
                        }
                    }
                }
                images[m * groups + g] = image;
                captions.add("group " + g);
            }
        }
        List<String> rowTitles = new ArrayList<>();
        for (String model : MODELS) {
            rowTitles.add(model);
        }
        return Plots.save(Plots.imageGrid("P(y = 1) per group and model (gray), held-out points of class 1 white, "
                + "class 0 black", images, side, side, captions, groups, rowTitles), out, "hierarchical_surfaces");
    }

    private static String format(double[] values) {
        StringBuilder sb = new StringBuilder("[");
        for (double v : values) {
            sb.append(sb.length() == 1 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", v));
        }
        return sb.append(']').toString();
    }

    private static void writeCsv(Path file, double[][] accuracy, double[][] nll) {
        StringBuilder sb = new StringBuilder("model,seed,accuracy,nll\n");
        for (int m = 0; m < 3; m++) {
            for (int s = 0; s < accuracy[m].length; s++) {
                sb.append(String.format(Locale.ROOT, "%s,%d,%.4f,%.4f%n", MODELS.get(m), s, accuracy[m][s], nll[m][s]));
            }
        }
        try {
            Files.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
