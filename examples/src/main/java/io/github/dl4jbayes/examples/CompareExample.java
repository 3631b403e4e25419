package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.baselines.DeepEnsemble;
import io.github.dl4jbayes.baselines.LaplaceApproximation;
import io.github.dl4jbayes.baselines.McDropout;
import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.likelihoods.LossGaussianNll;
import io.github.dl4jbayes.metrics.Auroc;
import io.github.dl4jbayes.metrics.ClassificationMetrics;
import io.github.dl4jbayes.metrics.RegressionMetrics;
import io.github.dl4jbayes.plot.Plots;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.predict.PredictiveModel;
import io.github.dl4jbayes.predict.PredictiveSamples;
import io.github.dl4jbayes.predict.RegressionUncertainty;
import io.github.dl4jbayes.training.Advi;
import io.github.dl4jbayes.training.EarlyStopping;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.saver.InMemoryModelSaver;
import org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculator;
import org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition;
import org.deeplearning4j.earlystopping.termination.ScoreImprovementEpochTerminationCondition;
import org.deeplearning4j.earlystopping.trainer.EarlyStoppingTrainer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.SplitTestAndTrain;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.io.PrintWriter;
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
            + "(none) --rotation DEGREES (60) --rotation-limit N (2000) --laplace-prior "
            + "evidence|validation (evidence: the marginal likelihood's optimum; validation: the lowest validation NLL "
            + "of 10^-4..10^4)";

    static final List<String> METHODS = List.of("plain (MAP)", "Bayes by backprop", "MC dropout", "deep ensemble",
            "last-layer Laplace");

    /** The prior precisions {@code --laplace-prior validation} tries: 10^-4 to 10^4 in steps of 10^0.25. */
    static final double[] PRIOR_GRID = java.util.stream.IntStream.rangeClosed(-16, 16)
            .mapToDouble(i -> Math.pow(10, i / 4.0)).toArray();

    private CompareExample() {
    }

    /** How a problem's networks look: the plain one (with MC dropout's dropout when {@code drop > 0}) and the Bayesian one. */
    interface Architecture {
        MultiLayerConfiguration plain(long seed, double drop);

        MultiLayerNetwork bayesian(long seed);
    }

    /** Images only: held-out classes' test images (or null), the image size and the rotated test images' angle. */
    record Images(INDArray outOfDistribution, int height, int width, double rotation, int rotationLimit) {
    }

    /**
     * One data set split into training, validation and test parts, how its networks look and are trained: the plain
     * networks by DL4J's early stopping ({@code epochs}, {@code patience}), Bayes by backprop by {@code Advi} with
     * early stopping on the validation NLL every {@code adviEvery} steps.
     */
    record Problem(String name, DataSet train, DataSet validation, DataSet test, boolean regression,
                   double labelScale, Architecture architecture, int batch, int epochs, int patience,
                   int adviIterations, int adviEvery, int adviPatience, Images images) {
        List<String> columns() {
            List<String> c = new ArrayList<>(regression ? List.of("RMSE", "log-likelihood per point",
                    "90% coverage (%)") : List.of("accuracy (%)", "NLL", "ECE (10 bins)", "Brier"));
            if (images != null) {
                c.add(String.format(Locale.ROOT, "accuracy rotated %.0f deg (%%)", images.rotation()));
                c.add(String.format(Locale.ROOT, "NLL rotated %.0f deg", images.rotation()));
                c.add(String.format(Locale.ROOT, "ECE rotated %.0f deg", images.rotation()));
                if (images.outOfDistribution() != null) {
                    c.add("AUROC held-out classes (1 - max p)");
                }
            }
            return c;
        }
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
        int seeds = o.integer("seeds", table ? 5 : 1);
        String task = o.string("task", "classification");
        if (seeds < 1 || o.integer("members", 5) < 1 || o.integer("samples", 10) < 1) {
            throw new IllegalArgumentException("--seeds, --members and --samples must be >= 1");
        }
        if (!(o.number("drop", 0.1) > 0 && o.number("drop", 0.1) < 1)) {
            throw new IllegalArgumentException("--drop is MC dropout's dropped fraction, in (0, 1); got "
                    + o.number("drop", 0.1));
        }
        if (!task.equals("classification") && !task.equals("regression")) {
            throw new IllegalArgumentException("--task must be classification or regression, got " + task);
        }
        long firstSeed = o.integer("seed", 0);
        List<Score> scores = new ArrayList<>();
        List<Path> pictures = new ArrayList<>();
        Problem problem = null;
        for (long seed = firstSeed; seed < firstSeed + seeds; seed++) {
            problem = table ? tableProblem(o, seed) : images ? imageProblem(o, seed) : moonsProblem(o, seed);
            System.out.printf(Locale.ROOT, "%n== %s, seed %d: %d train / %d validation / %d test rows ==%n",
                    problem.name(), seed, problem.train().numExamples(), problem.validation().numExamples(),
                    problem.test().numExamples());
            Map<String, Fitted> fitted = fitAll(problem, o, seed);
            for (Map.Entry<String, Fitted> e : fitted.entrySet()) {
                Score s = score(problem, e.getKey(), e.getValue(), seed);
                scores.add(s);
                System.out.println(format(problem, s));
            }
            if (!table && !images && seed == firstSeed) {
                pictures.addAll(surfaces(problem, fitted, o.integer("grid", 60), out));
            }
        }
        writeCsv(problem, scores, out.resolve("compare.csv"));
        System.out.printf(Locale.ROOT, "%n%s over %d seed(s) (mean +- sd):%n%s", problem.name(), seeds,
                summary(problem, scores));
        System.out.println("Per-seed scores: " + out.resolve("compare.csv"));
        pictures.forEach(p -> System.out.println("Picture: " + p));
        return new Result(problem, scores, pictures);
    }

    static Problem moonsProblem(Options o, long seed) {
        MoonsData data = MoonsData.generate(1000, 0.2, seed);
        SplitTestAndTrain parts = data.train().splitTestAndTrain(0.8);   // 400 train, 100 validation
        return new Problem("Two moons", parts.getTrain(), parts.getTest(), data.test(), false, 1.0,
                dense(2, new int[]{32, 32}, Activation.TANH, 1, false, 0.01, o.number("l2", 0)), 50,
                o.integer("epochs", 500), o.integer("patience", 20), o.integer("iterations", 10_000), 250, 8, null);
    }

    static Problem tableProblem(Options o, long seed) throws IOException {
        Path file = Path.of(o.string("table", ""));
        boolean regression = "regression".equals(o.string("task", "classification"));
        DataSet all;
        if (regression) {
            List<String> header = Arrays.asList(CsvTables.firstLine(file));
            int target = o.has("target") ? header.indexOf(o.string("target", "")) : header.size() - 1;
            all = TabularRegressionExample.load(file, target, o.string("target", ""));
        } else {
            all = TabularClassificationExample.load(file, o.integer("label", CsvTables.firstLine(file).length - 1));
        }
        CsvTables.Split split = CsvTables.split(all, seed, regression);
        double scale = regression ? split.normalizer().getLabelStd().getDouble(0) : 1.0;
        return new Problem(file.getFileName().toString(), split.train(), split.validation(), split.test(), regression,
                scale, dense((int) all.getFeatures().size(1), new int[]{32}, Activation.RELU,
                (int) all.getLabels().size(1), regression, regression ? 0.003 : 0.01, o.number("l2", 0)), 64,
                o.integer("epochs", 500), o.integer("patience", 20), o.integer("iterations", 10_000), 250, 8, null);
    }

    /** Fashion-MNIST with the image issue's LeNet-5 (plain and Bayesian, as the {@code fashion} example builds them). */
    static Problem imageProblem(Options o, long seed) throws IOException {
        FashionMnist data = FashionMnist.load(Path.of(o.string("data", "")),
                FashionMnist.parseHoldout(o.string("holdout", "none")), o.integer("limit", 0),
                o.integer("test-limit", 0));
        DataSet[] split = FashionExample.validationSplit(data.train(), o.integer("validation", -1), seed);
        int batch = o.integer("batch", 256);
        int epochs = o.integer("epochs", 10);
        int perEpoch = (split[0].numExamples() + batch - 1) / batch;
        double lr = o.number("lr", 1e-3);
        Architecture lenet = new Architecture() {
            @Override
            public MultiLayerConfiguration plain(long s, double drop) {
                return FashionExample.lenet5Plain(data.height(), data.width(), data.classes(), 1000 + s, lr, 1 - drop);
            }

            @Override
            public MultiLayerNetwork bayesian(long s) {
                MultiLayerNetwork net = new MultiLayerNetwork(FashionExample.lenet5Bayesian(data.height(),
                        data.width(), data.classes(), s, lr));
                net.init();
                return net;
            }
        };
        return new Problem("Fashion-MNIST (LeNet-5)", split[0], split[1], data.test(), false, 1.0, lenet, batch,
                epochs, o.integer("patience", 3), o.integer("iterations", epochs * perEpoch), perEpoch,
                o.integer("patience", 3), new Images(data.outOfDistribution(), data.height(), data.width(),
                o.number("rotation", 60), o.integer("rotation-limit", 2000)));
    }

    /**
     * Dense networks: {@code hidden} layers of {@code activation}; the output by the task (sigmoid with XENT for one
     * class column, softmax with MCXENT for several, identity with MSE for regression; the Bayesian network's
     * regression output learns one noise level). DL4J's dropout, for MC dropout, on the inputs of every layer after
     * the first. The plain networks get {@code 1000 + seed}: ND4J 1.0.0-M2.1 ignores a seed of 0, whose runs would
     * not repeat.
     */
    static Architecture dense(int inputs, int[] hidden, Activation activation, int outputs, boolean regression,
                              double learningRate, double l2) {
        return new Architecture() {
            @Override
            public MultiLayerConfiguration plain(long seed, double drop) {
                NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(1000 + seed)
                        .dataType(DataType.FLOAT).updater(new Adam(learningRate)).l2(l2).list();
                int in = inputs;
                for (int i = 0; i < hidden.length; i++) {
                    DenseLayer.Builder layer = new DenseLayer.Builder().nIn(in).nOut(hidden[i]).activation(activation);
                    if (drop > 0 && i > 0) {
                        layer.dropOut(1 - drop);      // DL4J's argument is the probability of keeping an activation
                    }
                    list.layer(layer.build());
                    in = hidden[i];
                }
                OutputLayer.Builder output = regression
                        ? new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                        : outputs == 1 ? new OutputLayer.Builder(LossFunctions.LossFunction.XENT)
                        .activation(Activation.SIGMOID)
                        : new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX);
                if (drop > 0) {
                    output.dropOut(1 - drop);
                }
                return list.layer(output.nIn(in).nOut(outputs).build()).build();
            }

            @Override
            public MultiLayerNetwork bayesian(long seed) {
                NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(seed)
                        .dataType(DataType.FLOAT).updater(new Adam(learningRate)).list();
                int in = inputs;
                for (int h : hidden) {
                    list.layer(new BayesianDenseLayer.Builder().nIn(in).nOut(h).activation(activation).build());
                    in = h;
                }
                BayesianOutputLayer.Builder output = regression
                        ? new BayesianOutputLayer.Builder(new LossGaussianNll(1e-3)).activation(Activation.IDENTITY)
                        .learnedNoise(1.0)
                        : outputs == 1 ? new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT)
                        .activation(Activation.SIGMOID)
                        : new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX);
                MultiLayerNetwork net = new MultiLayerNetwork(list.layer(output.nIn(in).nOut(outputs).build())
                        .build());
                net.init();
                return net;
            }
        };
    }

    /** A method's predictive, its training time, and (regression) the noise it predicts with. */
    record Fitted(PredictiveModel model, double trainSeconds, MultiLayerNetwork bayesian, double noiseStd) {
    }

    static Map<String, Fitted> fitAll(Problem p, Options o, long seed) {
        int samples = o.integer("samples", p.images() != null ? 10 : 100);
        int members = o.integer("members", 5);
        double drop = o.number("drop", 0.1);
        Map<String, Fitted> fitted = new LinkedHashMap<>();

        long start = System.nanoTime();
        MultiLayerNetwork map = earlyStopped(new MultiLayerNetwork(p.architecture().plain(seed, 0)), p);
        double mapSeconds = seconds(start);
        fitted.put(METHODS.get(0), plainFitted(p, x -> PredictiveSamples.pointEstimate(map.output(x)), mapSeconds));

        start = System.nanoTime();
        MultiLayerNetwork bayes = p.architecture().bayesian(seed);
        int iterations = p.adviIterations();
        Advi.builder().datasetSize(p.train().numExamples()).iterations(iterations)
                .printEvery(Math.max(1, Math.min(iterations / 5, p.adviEvery())))
                .earlyStopping(EarlyStopping.onValidationNll(p.validation()).every(p.adviEvery())
                        .patience(p.adviPatience())).build()
                .fit(bayes, p.train(), p.batch());
        fitted.put(METHODS.get(1), new Fitted(PosteriorPredictive.of(bayes).samples(samples), seconds(start), bayes,
                Double.NaN));

        start = System.nanoTime();
        MultiLayerNetwork dropout = earlyStopped(new MultiLayerNetwork(p.architecture().plain(seed, drop)), p);
        fitted.put(METHODS.get(2), plainFitted(p, McDropout.of(dropout).samples(samples).seed(seed),
                seconds(start)));

        DeepEnsemble ensemble = DeepEnsemble.train(p.architecture().plain(seed, 0), members, net -> net.setParams(
                earlyStopped(net, p).params()));
        fitted.put(METHODS.get(3), plainFitted(p, ensemble, Arrays.stream(ensemble.trainingSeconds()).sum()));

        LaplaceApproximation.Fitter fitter = LaplaceApproximation.lastLayer(map);
        if ("validation".equals(o.string("laplace-prior", "evidence"))) {
            fitter.priorPrecisionByValidation(p.validation(), PRIOR_GRID);
        }
        LaplaceApproximation laplace = fitter.fit(p.train()).samples(samples).seed(seed);
        System.out.printf(Locale.ROOT, "Last-layer Laplace: prior precision %.4g, fitted in %.3f s (%.1f%% of the "
                        + "plain network's training)%n", laplace.priorPrecision(), laplace.fitSeconds(),
                100 * laplace.fitSeconds() / mapSeconds);
        fitted.put(METHODS.get(4), plainFitted(p, laplace, mapSeconds + laplace.fitSeconds()));
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

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /** DL4J's early stopping on the validation loss: at most the problem's epochs, its patience without improvement. */
    static MultiLayerNetwork earlyStopped(MultiLayerNetwork net, Problem p) {
        if (net.params() == null) {
            net.init();
        }
        EarlyStoppingConfiguration<MultiLayerNetwork> conf = new EarlyStoppingConfiguration.Builder<MultiLayerNetwork>()
                .epochTerminationConditions(new MaxEpochsTerminationCondition(p.epochs()),
                        new ScoreImprovementEpochTerminationCondition(p.patience()))
                .scoreCalculator(new DataSetLossCalculator(Minibatches.of(p.validation(), 256), true))
                .modelSaver(new InMemoryModelSaver<>()).build();
        EarlyStoppingResult<MultiLayerNetwork> result = new EarlyStoppingTrainer(conf, net,
                Minibatches.of(p.train(), p.batch())).fit();
        System.out.printf(Locale.ROOT, "  plain network: best epoch %d of %d (%s)%n", result.getBestModelEpoch(),
                result.getTotalEpochs(), result.getTerminationDetails());
        return result.getBestModel();
    }

    static Score score(Problem p, String method, Fitted f, long seed) {
        long start = System.nanoTime();
        PredictiveSamples predictive = predictInChunks(f.model(), p.test().getFeatures());
        double predictSeconds = seconds(start);
        if (p.regression()) {
            RegressionUncertainty u = f.bayesian() != null ? RegressionUncertainty.of(f.bayesian(), predictive)
                    : RegressionUncertainty.ofMeans(predictive, f.noiseStd());
            RegressionMetrics m = RegressionMetrics.of(u, p.test().getLabels());
            // back to the target's units: RMSE times the target's std, the log-density minus log(std)
            return new Score(method, seed, new double[]{m.rmse() * p.labelScale(),
                    m.meanLogLikelihood() - Math.log(p.labelScale()), 100 * m.coverage(0.9)}, f.trainSeconds(),
                    predictSeconds);
        }
        ClassificationMetrics m = ClassificationMetrics.of(predictive.mean(), p.test().getLabels());
        List<Double> values = new ArrayList<>(List.of(100 * m.accuracy(), m.negativeLogLikelihood(),
                m.expectedCalibrationError(10), m.brierScore()));
        Images images = p.images();
        if (images != null) {
            long rows = Math.min(images.rotationLimit(), p.test().numExamples());
            INDArray y = p.test().getLabels().get(NDArrayIndex.interval(0, rows), NDArrayIndex.all());
            INDArray rotated = ImageRotation.rotate(p.test().getFeatures().get(NDArrayIndex.interval(0, rows),
                    NDArrayIndex.all()), images.height(), images.width(), images.rotation());
            ClassificationMetrics r = ClassificationMetrics.of(predictInChunks(f.model(), rotated).mean(), y);
            values.addAll(List.of(100 * r.accuracy(), r.negativeLogLikelihood(), r.expectedCalibrationError(10)));
            if (images.outOfDistribution() != null) {
                values.add(Auroc.of(oneMinusMax(predictive.mean()),
                        oneMinusMax(predictInChunks(f.model(), images.outOfDistribution()).mean())));
            }
        }
        return new Score(method, seed, values.stream().mapToDouble(Double::doubleValue).toArray(), f.trainSeconds(),
                predictSeconds);
    }

    /** Rows per prediction: a LeNet-5's activations of 10,000 images at once would take gigabytes. */
    static final int CHUNK = 1000;

    private static double[] oneMinusMax(INDArray probabilities) {
        return probabilities.max(1).rsubi(1.0).castTo(DataType.DOUBLE).toDoubleVector();
    }

    /** The predictive of {@code x}, {@value #CHUNK} rows at a time. */
    static PredictiveSamples predictInChunks(PredictiveModel model, INDArray x) {
        if (x.size(0) <= CHUNK) {
            return model.predict(x);
        }
        List<PredictiveSamples> parts = new ArrayList<>();
        for (long from = 0; from < x.size(0); from += CHUNK) {
            parts.add(model.predict(x.get(NDArrayIndex.interval(from, Math.min(from + CHUNK, x.size(0))),
                    NDArrayIndex.all())));
        }
        return PredictiveSamples.concatenate(parts);
    }

    private static String format(Problem p, Score s) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-20s", s.method()));
        List<String> columns = p.columns();
        for (int i = 0; i < columns.size(); i++) {
            b.append(String.format(Locale.ROOT, "  %s %s", columns.get(i), decimals(columns.get(i), s.values()[i])));
        }
        return b.append(String.format(Locale.ROOT, "  train %.1f s  predict %.3f s", s.trainSeconds(),
                s.predictSeconds())).toString();
    }

    /** Percentages and RMSE with 2 decimals, log-likelihoods with 3, the rest with 4. */
    private static String decimals(String column, double value) {
        String format = column.contains("%") || column.equals("RMSE") ? "%.2f"
                : column.startsWith("log-likelihood") ? "%.3f" : "%.4f";
        return String.format(Locale.ROOT, format, value);
    }

    /** @return a Markdown table: per method, mean +- sd over the seeds of every score */
    static String summary(Problem p, List<Score> scores) {
        List<String> columns = p.columns();
        StringBuilder b = new StringBuilder("| method | " + String.join(" | ", columns) + " | train s | predict s |\n|"
                + "---|".repeat(columns.size() + 3) + "\n");
        for (String method : METHODS) {
            List<Score> mine = scores.stream().filter(s -> s.method().equals(method)).toList();
            b.append("| ").append(method);
            for (int i = 0; i < columns.size(); i++) {
                int column = i;
                b.append(" | ").append(meanSd(mine, s -> s.values()[column], columns.get(i)));
            }
            b.append(" | ").append(meanSd(mine, Score::trainSeconds, "%.1f"))
                    .append(" | ").append(meanSd(mine, Score::predictSeconds, "%.3f")).append(" |\n");
        }
        return b.toString();
    }

    /** @return "mean +- sd" over the seeds (the mean alone for one seed), with the column's decimals */
    private static String meanSd(List<Score> scores, java.util.function.ToDoubleFunction<Score> value, String column) {
        double[] v = scores.stream().mapToDouble(value).toArray();
        double mean = Arrays.stream(v).average().orElse(Double.NaN);
        String text = column.startsWith("%") ? String.format(Locale.ROOT, column, mean) : decimals(column, mean);
        if (v.length > 1) {
            double sd = Math.sqrt(Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (v.length - 1));
            text += " +- " + (column.startsWith("%") ? String.format(Locale.ROOT, column, sd) : decimals(column, sd));
        }
        return text;
    }

    private static void writeCsv(Problem p, List<Score> scores, Path file) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("method,seed," + String.join(",", p.columns().stream().map(c -> '"' + c + '"').toList())
                    + ",train_s,predict_s");
            for (Score s : scores) {
                w.printf(Locale.ROOT, "%s,%d,%s,%.4f,%.4f%n", s.method(), s.seed(), String.join(",",
                                Arrays.stream(s.values()).mapToObj(v -> String.format(Locale.ROOT, "%.6g", v)).toList()),
                        s.trainSeconds(), s.predictSeconds());
            }
        }
    }

    /** The moons' predictive mean and its spread over the draws, four methods side by side. */
    private static List<Path> surfaces(Problem p, Map<String, Fitted> fitted, int side, Path out) {
        double[][] grid = new double[side * side][2];
        for (int i = 0; i < side; i++) {
            for (int j = 0; j < side; j++) {
                grid[i * side + j][0] = -3 + 6.0 * j / (side - 1);
                grid[i * side + j][1] = -3 + 6.0 * i / (side - 1);
            }
        }
        INDArray x = Nd4j.create(grid).castTo(DataType.FLOAT);
        double[][] points = p.test().getFeatures().castTo(DataType.DOUBLE).toDoubleMatrix();
        List<org.knowm.xchart.XYChart> means = new ArrayList<>();
        List<org.knowm.xchart.XYChart> spreads = new ArrayList<>();
        for (String method : METHODS.subList(1, METHODS.size())) {
            PredictiveModel model = fitted.get(method).model();
            PredictiveSamples s = model.predict(x);
            double[] classes = model.predict(p.test().getFeatures()).mean().gt(0.5).castTo(DataType.DOUBLE)
                    .reshape(points.length).toDoubleVector();          // the test points coloured by this method
            double[] mean = s.mean().castTo(DataType.DOUBLE).reshape(grid.length).toDoubleVector();
            double[] sd = s.std().castTo(DataType.DOUBLE).reshape(grid.length).toDoubleVector();
            means.add(Plots.surface(method + ": P(y = 1)", "p", grid, mean, side, 0, 1, 10, points, classes));
            spreads.add(Plots.surface(method + ": sd of P(y = 1)", "sd", grid, sd, side, 0, 0.5, 10, points,
                    classes));
        }
        return List.of(Plots.saveSideBySide(means, out, "compare_mean"),
                Plots.saveSideBySide(spreads, out, "compare_uncertainty"));
    }
}
