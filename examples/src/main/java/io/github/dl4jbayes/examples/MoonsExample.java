package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.plot.Plots;
import io.github.dl4jbayes.metrics.ClassificationMetrics;
import io.github.dl4jbayes.predict.PosteriorDraws;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.predict.PosteriorSummary;
import io.github.dl4jbayes.predict.PredictiveSamples;
import io.github.dl4jbayes.training.Advi;
import io.github.dl4jbayes.training.ElboHistory;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The PyMC3 "Bayesian Deep Learning" notebook (2016), cell by cell, on dl4j-bayes: two moons, a Bayesian 2-5-5-1
 * tanh network with Normal(0, 1) priors, full-batch and minibatch ADVI, draws from the variational posterior, the
 * posterior predictive on the test set and over a grid, and the notebook's pictures.
 */
public final class MoonsExample {
    static final String OPTIONS = "Options: --out DIR (moons-output) --iterations N (10000) --minibatch-iterations N "
            + "(10000) --batch B (50) --lr R (0.01) --seed S (0) --bias --data FILE.csv|notebook --draws D (5000) "
            + "--ppc-samples P (500) --grid G (100) --print-every K (1000) --kl-warmup W (2000) "
            + TrainingUi.OPTION;

    private MoonsExample() {
    }

    /** Results worth checking, returned for tests. */
    record Result(double fullBatchAccuracy, double minibatchAccuracy, double fullBatchSeconds,
                  double minibatchSeconds, List<Path> pictures) {
    }

    public static void main(String[] args) throws Exception {
        run(Options.parse(args));
    }

    static Result run(Options o) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path out = Path.of(o.string("out", "moons-output")).toAbsolutePath();
        Files.createDirectories(out);
        int iterations = o.integer("iterations", 10_000);
        int minibatchIterations = o.integer("minibatch-iterations", iterations);
        int batchSize = o.integer("batch", 50);
        double learningRate = o.number("lr", 0.01);
        long seed = o.integer("seed", 0);
        boolean bias = o.flag("bias");
        int draws = o.integer("draws", 5000);
        int ppcSamples = o.integer("ppc-samples", 500);
        int gridSide = o.integer("grid", 100);
        int printEvery = o.integer("print-every", 1000);
        int klWarmup = o.integer("kl-warmup", 2000);

        // Cell: data
        String source = o.string("data", "generated");
        MoonsData data = MoonsData.load(source, seed);
        DataSet train = data.train();
        DataSet test = data.test();
        int n = train.numExamples();
        System.out.printf(Locale.ROOT, "Two moons (%s): %d train, %d test points%n", source, n, test.numExamples());
        List<Path> pictures = new ArrayList<>();
        pictures.add(Plots.save(Plots.scatter("Two moons (training data)", rows(train.getFeatures()),
                column(train.getLabels())), out, "data"));

        // Cell: model + full-batch ADVI, then the posterior predictive on the test set
        System.out.printf(Locale.ROOT, "%nFull-batch ADVI: %d iterations, Adam(%s)%n", iterations, learningRate);
        MultiLayerNetwork net = NotebookNetwork.build(true, bias, learningRate, seed);
        TrainingUi.attachIfAsked(o, net);
        Run full = fitAndEvaluate("Full-batch ADVI", net, iterations, advi -> advi.fit(net, train), test, ppcSamples,
                out.resolve("elbo_fullbatch.csv"), n, printEvery, klWarmup);

        // Cell: minibatch ADVI (the likelihood scaled by N / batch through datasetSize)
        System.out.printf(Locale.ROOT, "%nMinibatch ADVI: %d iterations, batches of %d, N = %d%n", minibatchIterations,
                batchSize, n);
        MultiLayerNetwork miniNet = NotebookNetwork.build(true, bias, learningRate, seed + 1);
        TrainingUi.attachIfAsked(o, miniNet);                 // a second session in the UI
        // minibatches of the training data, reshuffled before every pass (from the network's seed)
        Run mini = fitAndEvaluate("Minibatch ADVI", miniNet, minibatchIterations,
                advi -> advi.fit(miniNet, train, batchSize),
                test, ppcSamples, out.resolve("elbo_minibatch.csv"), n, printEvery, klWarmup);
        ElboHistory fullElbo = full.elbo();
        ElboHistory miniElbo = mini.elbo();
        double fullAccuracy = full.accuracy();
        double miniAccuracy = mini.accuracy();
        double fullSeconds = full.seconds();
        double miniSeconds = mini.seconds();

        pictures.add(Plots.save(Plots.elbo("ELBO during ADVI", List.of("full batch", "minibatches of " + batchSize),
                List.of(fullElbo.iterations(), miniElbo.iterations()), List.of(fullElbo.elbos(), miniElbo.elbos())),
                out, "elbo"));

        pictures.add(Plots.save(Plots.reliabilityDiagram("Reliability of the full-batch posterior predictive (test set)",
                full.metrics().reliability(10), full.metrics().expectedCalibrationError(10)), out, "reliability"));

        // Cell: draws from the variational posterior (sample_vp), their summary and the weights' traces
        PosteriorDraws trace = PosteriorDraws.sample(net, draws, seed);
        PosteriorSummary summary = PosteriorSummary.of(trace, 0.94);
        summary.writeCsv(out.resolve("weights_summary.csv"));
        System.out.printf(Locale.ROOT, "%nPosterior of the weights (%d draws, 94%% HDI):%n%s", draws, summary.toTable());
        List<String> names = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        long[][] picks = {{0, 0}, {1, 2}, {3, 4}};
        String[] layers = {"0_W", "1_W", "2_W"};
        for (int l = 0; l < layers.length; l++) {
            long[] index = l == 2 ? new long[]{picks[l][0] % NotebookNetwork.HIDDEN, 0} : picks[l];
            names.add(String.format(Locale.ROOT, "%s[%d,%d]", layers[l], index[0], index[1]));
            values.add(trace.trace(layers[l], index));
        }
        pictures.add(Plots.save(Plots.traces("Posterior draws of three weights (" + draws + " draws)", names, values),
                out, "weights_trace"));
        pictures.add(Plots.save(Plots.histograms("Posterior of three weights", names, values, 40), out,
                "weights_hist"));

        // Cell: the predictive surface and its uncertainty over a grid on [-3, 3]^2
        double[][] grid = grid(gridSide, -3, 3);
        long start = System.nanoTime();
        PredictiveSamples surface = PosteriorPredictive.of(net).samples(ppcSamples).keepSamples(false)
                .predict(Nd4j.create(grid).castTo(DataType.FLOAT));
        double gridSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%nPosterior predictive on a %dx%d grid, %d samples: %.2f s%n", gridSide,
                gridSide, ppcSamples, gridSeconds);
        double[][] testPoints = rows(test.getFeatures());
        // the test points coloured by the class the full-batch predictive (already computed) gives them
        double[] predictedTest = column(full.testProbability().gt(0.5).castTo(DataType.DOUBLE));
        double[] meanSurface = column(surface.mean());
        double[] epistemicSurface = column(surface.std());
        double[] outcomeSurface = column(surface.bernoulliStd());
        pictures.add(Plots.save(Plots.surface("Posterior predictive mean P(y = 1)", "p", grid, meanSurface, gridSide,
                0, 1, 10, testPoints, predictedTest), out, "predictive_mean"));
        // Two uncertainties side by side: the notebook's ppc['out'].std(axis=0), the spread of the predicted 0/1
        // outcome (total: noise plus model), and the spread of the probability over the posterior (model only).
        double maxEpistemic = 0;
        for (double v : epistemicSurface) {
            maxEpistemic = Math.max(maxEpistemic, v);
        }
        pictures.add(Plots.saveSideBySide(List.of(
                Plots.surface("Notebook's uncertainty: sd of the outcome, sqrt(p (1 - p)) (total)", "sd", grid,
                        outcomeSurface, gridSide, 0, 0.5, 10, testPoints, predictedTest),
                Plots.surface("Epistemic: sd of P(y = 1) over the posterior (model)", "sd", grid, epistemicSurface,
                        gridSide, 0, Math.max(0.05, Math.ceil(maxEpistemic * 20) / 20), 10, testPoints,
                        predictedTest)), out, "predictive_std"));

        System.out.printf(Locale.ROOT, "%nSummary: full batch %.1f%% in %.1f s, minibatch %.1f%% in %.1f s%n",
                100 * fullAccuracy, fullSeconds, 100 * miniAccuracy, miniSeconds);
        System.out.println("Pictures written to " + out);
        for (Path p : pictures) {
            System.out.println("  " + p.getFileName());
        }
        TrainingUi.waitIfAttached(o);
        return new Result(fullAccuracy, miniAccuracy, fullSeconds, miniSeconds, pictures);
    }

    private record Run(ElboHistory elbo, double seconds, double accuracy, ClassificationMetrics metrics,
                       INDArray testProbability) {
    }

    /** Fits with ADVI, times it, writes the ELBO trace, and prints the posterior predictive's test accuracy. */
    private static Run fitAndEvaluate(String label, MultiLayerNetwork net, int iterations,
                                      java.util.function.Function<Advi, ElboHistory> fit, DataSet test, int ppcSamples,
                                      Path csv, int datasetSize, int printEvery, int klWarmup) {
        Advi advi = Advi.builder().datasetSize(datasetSize).iterations(iterations).printEvery(printEvery)
                .klAnnealingIterations(Math.min(klWarmup, iterations)).build();
        long start = System.nanoTime();
        ElboHistory elbo = fit.apply(advi);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%s: %.1f s (%.3f ms per iteration)%n", label, seconds, 1000 * seconds / iterations);
        elbo.writeCsv(csv);
        INDArray probability = PosteriorPredictive.of(net).samples(ppcSamples).keepSamples(false)
                .predict(test.getFeatures()).mean();
        ClassificationMetrics metrics = ClassificationMetrics.of(probability, test.getLabels());
        System.out.printf(Locale.ROOT, "Accuracy = %.1f%%%n", 100 * metrics.accuracy());
        System.out.printf(Locale.ROOT, "Test NLL = %.4f, Brier = %.4f, ECE (10 bins) = %.4f%n",
                metrics.negativeLogLikelihood(), metrics.brierScore(), metrics.expectedCalibrationError(10));
        return new Run(elbo, seconds, metrics.accuracy(), metrics, probability);
    }

    private static double[][] grid(int side, double low, double high) {
        double[][] g = new double[side * side][2];
        for (int i = 0; i < side; i++) {
            for (int j = 0; j < side; j++) {
                g[i * side + j][0] = low + (high - low) * j / (side - 1);
                g[i * side + j][1] = low + (high - low) * i / (side - 1);
            }
        }
        return g;
    }

    private static double[][] rows(INDArray features) {
        return features.castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    private static double[] column(INDArray values) {
        return values.castTo(DataType.DOUBLE).reshape(values.length()).toDoubleVector();
    }
}
