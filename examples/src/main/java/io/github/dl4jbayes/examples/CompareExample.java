package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.examples.CompareProblems.Problem;
import io.github.dl4jbayes.baselines.DeepEnsemble;
import io.github.dl4jbayes.baselines.LaplaceApproximation;
import io.github.dl4jbayes.baselines.McDropout;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.predict.PredictiveModel;
import io.github.dl4jbayes.predict.PredictiveSamples;
import io.github.dl4jbayes.training.Advi;
import io.github.dl4jbayes.training.EarlyStopping;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.listener.EarlyStoppingListener;
import org.deeplearning4j.earlystopping.saver.InMemoryModelSaver;
import org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculator;
import org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition;
import org.deeplearning4j.earlystopping.termination.ScoreImprovementEpochTerminationCondition;
import org.deeplearning4j.earlystopping.trainer.EarlyStoppingTrainer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Five ways to get uncertainty from one architecture, on the same splits and seeds: the plain network (its point
 * estimate), Bayes by backprop (the library's Bayesian layers, ADVI), MC dropout, a deep ensemble and a last-layer
 * Laplace approximation of the plain network. The notebook's moons by default (with the surfaces side by side), or a
 * CSV table ({@code --table}) as the tabular examples read it. All behind one {@link PredictiveModel}, scored by the
 * same metrics.
 */
final class CompareExample {
    static final String OPTIONS = "Options: --out DIR (compare-output) --table FILE.csv or --data DIR (Fashion-MNIST; "
            + "default: the notebook's moons) --task classification|regression (classification) --label INDEX | "
            + "--target NAME (last column) --seeds N (moons and images 1, tables 5) --seed S (0, the first seed) "
            + "--members K (5) --samples P (100; images 10) --epochs E (500; images 10: the plain networks' most, "
            + "early-stopped) --patience P (20; images 3 epochs) --drop R (0.1, MC dropout's dropped fraction) "
            + "--iterations N (10000, ADVI, early-stopped; images: epochs x batches) --grid G (60) --l2 L (0: the "
            + "plain networks' L2) images: --limit N (all training images) --test-limit N (all) --holdout 5,8|none "
            + "(none) --rotation DEGREES (60) --rotation-limit N (2000) --prior learned|normal (learned: the "
            + "Bayesian LeNet-5's prior, as fashion's) --posterior-std S|C,D (softplus(-7)) --laplace-prior "
            + "evidence|validation (evidence: the marginal likelihood's optimum; validation: the lowest validation NLL "
            + "of 10^-4..10^4) --methods plain,bayes,dropout,ensemble,laplace (all; the plain network is trained "
            + "for laplace either way)";

    static final List<String> METHODS = List.of("plain (MAP)", "Bayes by backprop", "MC dropout", "deep ensemble",
            "last-layer Laplace");

    /** The names {@code --methods} takes, in {@link #METHODS}' order. */
    static final List<String> METHOD_KEYS = List.of("plain", "bayes", "dropout", "ensemble", "laplace");

    /** The prior precisions {@code --laplace-prior validation} tries: 10^-4 to 10^4 in steps of 10^0.25. */
    static final double[] PRIOR_GRID = java.util.stream.IntStream.rangeClosed(-16, 16)
            .mapToDouble(i -> Math.pow(10, i / 4.0)).toArray();

    private CompareExample() {
    }

    /**
     * One method's scores on one seed, in {@link Problem#columns()}'s order (classification: accuracy, NLL, ECE with
     * 10 bins, Brier, then the rotated images' and held-out classes' scores; regression, in the target's units:
     * RMSE, log-likelihood per point, 90% coverage).
     */
    record Score(String method, long seed, double[] values, double trainSeconds, double predictSeconds) {
    }

    /** Every score, in method order per seed. */
    record Result(Problem problem, List<Score> scores, List<Path> pictures) {
    }

    public static void main(String[] args) throws Exception {
        run(Options.parse(args));
    }

    static Result run(Options o) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path out = Path.of(o.string("out", "compare-output")).toAbsolutePath();
        Files.createDirectories(out);
        boolean table = o.has("table");
        boolean images = o.has("data");
        if (table && images) {
            throw new IllegalArgumentException("--table and --data: compare one data set at a time");
        }
        int seeds = o.positiveInteger("seeds", table ? 5 : 1);
        o.positiveInteger("members", 5);
        o.positiveInteger("samples", 10);
        String task = o.string("task", "classification");
        if (!(o.number("drop", 0.1) > 0 && o.number("drop", 0.1) < 1)) {
            throw new IllegalArgumentException("--drop is MC dropout's dropped fraction, in (0, 1); got "
                    + o.number("drop", 0.1));
        }
        if (!task.equals("classification") && !task.equals("regression")) {
            throw new IllegalArgumentException("--task must be classification or regression, got " + task);
        }
        methods(o);
        long firstSeed = o.integer("seed", 0);
        List<Score> scores = new ArrayList<>();
        List<Path> pictures = new ArrayList<>();
        Problem problem = null;
        for (long seed = firstSeed; seed < firstSeed + seeds; seed++) {
            problem = table ? CompareProblems.tableProblem(o, seed) : images ? CompareProblems.imageProblem(o, seed)
                    : CompareProblems.moonsProblem(o, seed);
            System.out.printf(Locale.ROOT, "%n== %s, seed %d: %d train / %d validation / %d test rows ==%n",
                    problem.name(), seed, problem.train().numExamples(), problem.validation().numExamples(),
                    problem.test().numExamples());
            Map<String, Fitted> fitted = fitAll(problem, o, seed);
            for (Map.Entry<String, Fitted> e : fitted.entrySet()) {
                Score s = CompareReport.score(problem, e.getKey(), e.getValue(), seed);
                scores.add(s);
                System.out.println(CompareReport.format(problem, s));
            }
            boolean sampled = fitted.keySet().stream().anyMatch(m -> !m.equals(METHODS.get(0)));
            if (!table && !images && seed == firstSeed && sampled) {
                pictures.addAll(CompareReport.surfaces(problem, fitted, o.integer("grid", 60), out));
            }
        }
        CompareReport.writeCsv(problem, scores, out.resolve("compare.csv"));
        System.out.printf(Locale.ROOT, "%n%s over %d seed(s) (mean +- sd):%n%s", problem.name(), seeds,
                CompareReport.summary(problem, scores));
        System.out.println("Per-seed scores: " + out.resolve("compare.csv"));
        pictures.forEach(p -> System.out.println("Picture: " + p));
        return new Result(problem, scores, pictures);
    }


    /** A method's predictive, its training time, and (regression) the noise it predicts with. */
    record Fitted(PredictiveModel model, double trainSeconds, MultiLayerNetwork bayesian, double noiseStd) {
    }

    /**
     * @return the methods {@code --methods} names (default all), as {@link #METHODS}' names, in that order
     * @throws IllegalArgumentException naming a method that is not one of {@link #METHOD_KEYS}
     */
    static List<String> methods(Options o) {
        List<String> keys = new ArrayList<>();
        for (String key : o.string("methods", String.join(",", METHOD_KEYS)).split(",", -1)) {
            if (!METHOD_KEYS.contains(key.trim())) {
                throw new IllegalArgumentException("--methods takes " + String.join(", ", METHOD_KEYS)
                        + " (comma-separated), got '" + key.trim() + "'");
            }
            keys.add(key.trim());
        }
        return METHOD_KEYS.stream().filter(keys::contains).map(k -> METHODS.get(METHOD_KEYS.indexOf(k))).toList();
    }

    static Map<String, Fitted> fitAll(Problem p, Options o, long seed) {
        int samples = o.integer("samples", p.images() != null ? 10 : 100);
        int members = o.integer("members", 5);
        double drop = o.number("drop", 0.1);
        List<String> methods = methods(o);
        Map<String, Fitted> fitted = new LinkedHashMap<>();

        MultiLayerNetwork map = null;
        double mapSeconds = 0;
        if (methods.contains(METHODS.get(0)) || methods.contains(METHODS.get(4))) {      // Laplace needs the plain one
            long start = System.nanoTime();
            map = earlyStopped(new MultiLayerNetwork(p.architecture().plain(seed, 0)), p, "plain network");
            mapSeconds = seconds(start);
        }
        if (methods.contains(METHODS.get(0))) {
            MultiLayerNetwork plain = map;
            fitted.put(METHODS.get(0), plainFitted(p, x -> PredictiveSamples.pointEstimate(plain.output(x)),
                    mapSeconds));
        }
        if (methods.contains(METHODS.get(1))) {
            long start = System.nanoTime();
            MultiLayerNetwork bayes = p.architecture().bayesian(seed);
            int iterations = p.adviIterations();
            Advi.builder().datasetSize(p.train().numExamples()).iterations(iterations)
                    .printEvery(Math.max(1, Math.min(iterations / 5, p.adviEvery())))
                    .earlyStopping(EarlyStopping.onValidationNll(p.validation()).every(p.adviEvery())
                            .patience(p.adviPatience())).build()
                    .fit(bayes, p.train(), p.batch());
            fitted.put(METHODS.get(1), new Fitted(PosteriorPredictive.of(bayes).samples(samples), seconds(start),
                    bayes, Double.NaN));
        }
        if (methods.contains(METHODS.get(2))) {
            long start = System.nanoTime();
            MultiLayerNetwork dropout = earlyStopped(new MultiLayerNetwork(p.architecture().plain(seed, drop)), p,
                    "MC dropout network");
            fitted.put(METHODS.get(2), plainFitted(p, McDropout.of(dropout).samples(samples).seed(seed),
                    seconds(start)));
        }
        if (methods.contains(METHODS.get(3))) {
            int[] member = {0};
            DeepEnsemble ensemble = DeepEnsemble.train(p.architecture().plain(seed, 0), members, net -> net.setParams(
                    earlyStopped(net, p, "ensemble member " + ++member[0] + " of " + members).params()));
            fitted.put(METHODS.get(3), plainFitted(p, ensemble, Arrays.stream(ensemble.trainingSeconds()).sum()));
        }
        if (methods.contains(METHODS.get(4))) {
            LaplaceApproximation.Fitter fitter = LaplaceApproximation.lastLayer(map);
            if ("validation".equals(o.string("laplace-prior", "evidence"))) {
                fitter.priorPrecisionByValidation(p.validation(), PRIOR_GRID);
            }
            LaplaceApproximation laplace = fitter.fit(p.train()).samples(samples).seed(seed);
            System.out.printf(Locale.ROOT, "Last-layer Laplace: prior precision %.4g, fitted in %.3f s (%.1f%% of "
                            + "the plain network's training)%n", laplace.priorPrecision(), laplace.fitSeconds(),
                    100 * laplace.fitSeconds() / mapSeconds);
            fitted.put(METHODS.get(4), plainFitted(p, laplace, mapSeconds + laplace.fitSeconds()));
        }
        return fitted;
    }

    /**
     * A predictive of plain networks; for regression with the noise the plain networks do not model: the root mean
     * squared residual of its predictive mean on the validation part (the same rule for every plain method).
     */
    private static Fitted plainFitted(Problem p, PredictiveModel model, double trainSeconds) {
        double noise = Double.NaN;
        if (p.regression()) {
            INDArray residual = model.predict(p.validation().getFeatures()).mean().castTo(DataType.DOUBLE)
                    .sub(p.validation().getLabels().castTo(DataType.DOUBLE));
            noise = Math.sqrt(residual.mul(residual).meanNumber().doubleValue());
        }
        return new Fitted(model, trainSeconds, null, noise);
    }

    static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * DL4J's early stopping on the validation loss: at most the problem's epochs, its patience without improvement.
     *
     * @param name names the network in the progress lines ("plain network", "ensemble member 2 of 5")
     */
    static MultiLayerNetwork earlyStopped(MultiLayerNetwork net, Problem p, String name) {
        if (net.params() == null) {
            net.init();
        }
        EarlyStoppingConfiguration<MultiLayerNetwork> conf = new EarlyStoppingConfiguration.Builder<MultiLayerNetwork>()
                .epochTerminationConditions(new MaxEpochsTerminationCondition(p.epochs()),
                        new ScoreImprovementEpochTerminationCondition(p.patience()))
                .scoreCalculator(new DataSetLossCalculator(Minibatches.of(p.validation(), 256), true))
                .modelSaver(new InMemoryModelSaver<>()).build();
        EarlyStoppingResult<MultiLayerNetwork> result = new EarlyStoppingTrainer(conf, net,
                Minibatches.of(p.train(), p.batch()), new EpochProgress(name)).fit();
        System.out.printf(Locale.ROOT, "  %s: best epoch %d of %d (%s)%n", name,                // DL4J counts from 0
                result.getBestModelEpoch() + 1, result.getTotalEpochs(), result.getTerminationDetails());
        return result.getBestModel();
    }

    /**
     * Prints an epoch's validation loss when at least {@value #PROGRESS_SECONDS} s have passed since the last line:
     * every epoch of an image network, nothing for the moons' fraction-of-a-second epochs.
     */
    private static final class EpochProgress implements EarlyStoppingListener<MultiLayerNetwork> {
        private static final double PROGRESS_SECONDS = 10;
        private final String name;
        private long start;
        private long last;

        EpochProgress(String name) {
            this.name = name;
        }

        @Override
        public void onStart(EarlyStoppingConfiguration<MultiLayerNetwork> conf, MultiLayerNetwork net) {
            start = System.nanoTime();
            last = start;
        }

        @Override
        public void onEpoch(int epoch, double score, EarlyStoppingConfiguration<MultiLayerNetwork> conf,
                            MultiLayerNetwork net) {
            if (seconds(last) >= PROGRESS_SECONDS) {
                System.out.printf(Locale.ROOT, "  %s: epoch %d, validation loss %.4f, %.0f s so far%n", name,
                        epoch + 1, score, seconds(start));
                last = System.nanoTime();
            }
        }

        @Override
        public void onCompletion(EarlyStoppingResult<MultiLayerNetwork> result) {
            // the caller prints the best epoch
        }
    }
}
