package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.examples.EpochTraining.Training;
import io.github.dl4jbayes.examples.FashionNetworks.Model;
import io.github.dl4jbayes.examples.FashionReport.NetScores;
import io.github.dl4jbayes.examples.ImagePredictions.Predictive;
import io.github.dl4jbayes.examples.ImagePredictions.RotationScores;
import io.github.dl4jbayes.metrics.Auroc;
import io.github.dl4jbayes.metrics.ClassificationMetrics;
import io.github.dl4jbayes.plot.Plots;
import io.github.dl4jbayes.training.Advi;
import io.github.dl4jbayes.training.ElboHistory;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static io.github.dl4jbayes.examples.EpochTraining.fitPlain;
import static io.github.dl4jbayes.examples.EpochTraining.onShuffledBatches;
import static io.github.dl4jbayes.examples.EpochTraining.train;
import static io.github.dl4jbayes.examples.FashionReport.elboLine;
import static io.github.dl4jbayes.examples.FashionReport.names;
import static io.github.dl4jbayes.examples.FashionReport.scores;
import static io.github.dl4jbayes.examples.ImagePredictions.oneMinusMax;
import static io.github.dl4jbayes.examples.ImagePredictions.predictBayes;
import static io.github.dl4jbayes.examples.ImagePredictions.predictPlain;
import static io.github.dl4jbayes.examples.ImagePredictions.predictiveMean;

/**
 * Fashion-MNIST, all ten classes by default: a plain DL4J CNN and a Bayesian one of the same architecture
 * ({@code --model small}, two convolutions, or {@code --model lenet5}, the published mean-field LeNet-5 recipe), both
 * early-stopped on a validation split, compared on accuracy, NLL, Brier score and calibration (ECE, reliability
 * diagrams); on test images rotated by 0 to 180 degrees (accuracy, NLL, ECE: uncertainty under shift); with
 * {@code --holdout}, on telling held-out classes' test images from the rest (AUROC of the mutual information, Bayesian
 * only, and of 1 - max probability, both); with {@code --convert-epochs}, the plain CNN made Bayesian
 * ({@link InformedPriors}, MOPED) and fine-tuned; every run saves its plain CNN ({@code plain_cnn.zip}), which
 * {@code --plain-network} reads back instead of training one. Each epoch prints its time and the process's resident
 * memory.
 * Pictures: reliability diagrams, the ELBO, NLL and ECE against the rotation, histograms of the mutual information in
 * vs out, and the most and least certain test images.
 *
 * <p>Data: see {@code docs/fashion-mnist.md}. The networks follow the images' size (at least 16 x 16).
 */
public final class FashionExample {
    static final String OPTIONS = "Options: --data DIR (required: the 4 IDX files, plain or .gz; docs/fashion-mnist.md) "
            + "--out DIR (fashion-output) --model small|lenet5 (small) --epochs E (5; lenet5 10) --batch B (64; "
            + "lenet5 256) --plain-epochs E (as --epochs) --lr R (0.001) --seed S (0) --samples S (30; lenet5 10) "
            + "--epoch-samples S (5: draws for the validation score) --validation N (a twelfth of the training "
            + "images) --patience P (3) --limit N (all: first N training images) --test-limit N (all) "
            + "--holdout 5,8|none (none) --rotations none|LIST|FROM:TO:STEP (0:180:15) --rotation-limit N (2000 "
            + "test images) --plain-network FILE (none: train it; a plain CNN saved by an earlier run of the same "
            + "model and images, used instead: every run saves its plain CNN to OUT/plain_cnn.zip) "
            + "--convert-epochs E (0: no conversion) --convert-posterior-std S|C,D (softplus(-7): the converted "
            + "network's posterior std at the start, of every layer or of the convolutions and the dense layers) "
            + "--convert-lr R (as --lr: the fine-tune's learning rate) --grid K (8) --kl-warmup STEPS (0) "
            + "--kl-temperature T (1) --prior learned|normal (lenet5 only; learned) --posterior-std S|C,D (lenet5 "
            + "only; softplus(-7) = 0.000912: the posterior std at initialization, of every layer or of the "
            + "convolutions and the dense layers) --init NAME (small only; XAVIER: the "
            + "Bayesian CNN's mean init, as the plain CNN's)";

    private FashionExample() {
    }

    /**
     * What a run found, for tests.
     *
     * @param aurocMutualInformation AUROC of the Bayesian network's mutual information (NaN without held-out classes)
     * @param meanMiIn               mean mutual information on the in-distribution test images
     * @param meanMiOut              mean mutual information on the held-out classes' images (NaN without)
     * @param converted              the plain CNN converted with informed priors and fine-tuned (null without
     *                               {@code --convert-epochs})
     * @param plainRotated           scores on rotated test images (null with {@code --rotations none})
     * @param convertedRotated       the converted CNN's scores on them (null without {@code --convert-epochs})
     */
    record Result(NetScores plain, NetScores bayesian, NetScores converted, double aurocMutualInformation,
                  double meanMiIn, double meanMiOut, RotationScores plainRotated, RotationScores bayesianRotated,
                  RotationScores convertedRotated, List<Path> pictures) {
    }

    static Result run(Options o) throws Exception {
        System.setProperty("java.awt.headless", "true");
        // ---- options (OPTIONS above; docs/fashion-mnist.md explains each) ----
        if (!o.has("data") || "true".equals(o.string("data", ""))) {
            throw new IllegalArgumentException("--data DIR is required: the folder with the four Fashion-MNIST IDX "
                    + "files (train-images-idx3-ubyte[.gz], ...); see docs/fashion-mnist.md");
        }
        Path dataDir = Path.of(o.string("data", ""));
        Path out = Files.createDirectories(Path.of(o.string("out", "fashion-output")).toAbsolutePath());
        Model model = Model.parse(o.string("model", "small"));
        boolean lenet = model == Model.LENET5;
        for (String lenetOnly : List.of("prior", "posterior-std")) {
            if (!lenet && o.has(lenetOnly)) {
                throw new IllegalArgumentException("--" + lenetOnly + " applies to --model lenet5 only");
            }
        }
        int epochs = o.positiveInteger("epochs", lenet ? 10 : 5);
        int plainEpochs = o.positiveInteger("plain-epochs", epochs);
        int convertEpochs = o.nonNegativeInteger("convert-epochs", 0);
        double[] convertStds = FashionNetworks.posteriorStds(o, "convert-posterior-std");
        for (String convertOnly : List.of("convert-posterior-std", "convert-lr")) {
            if (convertEpochs == 0 && o.has(convertOnly)) {
                throw new IllegalArgumentException("--" + convertOnly + " applies with --convert-epochs > 0 only");
            }
        }
        if (o.has("plain-network") && o.has("plain-epochs")) {
            throw new IllegalArgumentException("--plain-epochs does not apply with --plain-network: that network is "
                    + "read, not trained");
        }
        int batchSize = o.positiveInteger("batch", lenet ? 256 : 64);
        double learningRate = o.positiveNumber("lr", 1e-3);
        double convertLearningRate = o.positiveNumber("convert-lr", learningRate);
        long seed = o.integer("seed", 0);
        int samples = o.positiveInteger("samples", lenet ? 10 : 30);
        int epochSamples = o.positiveInteger("epoch-samples", 5);
        int patience = o.positiveInteger("patience", 3);
        int klWarmup = o.nonNegativeInteger("kl-warmup", 0);
        double klTemperature = o.number("kl-temperature", 1.0);
        double[] posteriorStds = FashionNetworks.posteriorStds(o, "posterior-std");
        WeightInit means = WeightInit.valueOf(o.string("init", "XAVIER"));
        double[] angles = ImagePredictions.parseAngles(o.string("rotations", "0:180:15"));
        int rotationLimit = o.positiveInteger("rotation-limit", 2000);
        int gridSize = o.positiveInteger("grid", 8);

        // ---- data: training images less a validation split for early stopping; test images (and held-out ones) ----
        long loadStart = System.nanoTime();
        FashionMnist data = FashionMnist.load(dataDir, FashionMnist.parseHoldout(o.string("holdout", "none")),
                o.integer("limit", 0), o.integer("test-limit", 0));
        DataSet[] split = Minibatches.validationSplit(data.train(), o.integer("validation", -1), seed);
        DataSet train = split[0];
        DataSet validation = split[1];
        DataSet test = data.test();
        INDArray ood = data.outOfDistribution();
        int n = train.numExamples();
        System.out.printf(Locale.ROOT, "Fashion-MNIST from %s (%.1f s): %d training and %d validation images, %d test "
                        + "images of %d classes, %d test images of the held-out classes %s; images %d x %d; model %s%n",
                dataDir, (System.nanoTime() - loadStart) / 1e9, n, validation.numExamples(), test.numExamples(),
                data.classes(), ood == null ? 0 : ood.size(0), names(data.heldOutClasses()), data.height(),
                data.width(), model.name().toLowerCase(Locale.ROOT));
        List<String> kept = new ArrayList<>();
        for (int k = 0; k < data.classes(); k++) {
            kept.add(k + " " + data.className(k));
        }
        System.out.println("Classes: " + String.join(", ", kept));
        int batchesPerEpoch = (n + batchSize - 1) / batchSize;
        MultiLayerNetwork saved = o.has("plain-network") ? FashionNetworks.readPlain(Path.of(o.string(
                "plain-network", "")), model, data.height(), data.width(), data.classes()) : null;
        List<Path> pictures = new ArrayList<>();

        // ---- Bayesian CNN first (its resident memory per epoch is its own): ADVI, one fit per epoch (the Advi's
        // history and KL warm-up run on across them) ----
        System.out.printf(Locale.ROOT, "%nBayesian CNN: ADVI, up to %d epoch(s) of %d minibatches of %d, N = %d, "
                        + "Adam(%s)%s%s%s, early stopping on the validation NLL (patience %d)%n", epochs,
                batchesPerEpoch, batchSize, n, learningRate,
                lenet ? String.format(Locale.ROOT, ", posterior std starting at %.4g (convolutions), %.4g (dense)",
                        posteriorStds[0], posteriorStds[1]) : "",
                klWarmup > 0 ? ", KL warm-up over " + klWarmup + " steps" : "",
                klTemperature != 1 ? ", KL temperature " + klTemperature : "", patience);
        MultiLayerNetwork bayes = new MultiLayerNetwork(model.bayesian(data.height(), data.width(), data.classes(),
                seed, learningRate, means, FashionNetworks.prior(o.string("prior", "learned")), posteriorStds));
        bayes.init();
        Advi advi = Advi.builder().datasetSize(n).iterations(batchesPerEpoch).printEvery(0)
                .klAnnealingIterations(klWarmup).klTemperature(klTemperature).build();
        Training bayesRun = train(bayes, epochs, patience, validation,
                e -> onShuffledBatches(train, batchSize, new Random(seed * 1_000_003L + e),
                        batches -> elboLine(advi.fit(bayes, Minibatches.of(batches, batchSize)), batchesPerEpoch, n)),
                x -> predictiveMean(bayes, x, epochSamples));
        ElboHistory elbo = advi.history();
        elbo.writeCsv(out.resolve("elbo.csv"));
        pictures.add(Plots.save(Plots.elbo("ELBO of the Bayesian CNN (ADVI, minibatches of " + batchSize + ")",
                List.of("ELBO"), List.of(elbo.iterations()), List.of(elbo.elbos())), out, "elbo"));

        // ---- plain CNN: DL4J's fit on the same minibatches, early stopping on the validation NLL (or read) ----
        Training plainRun;
        if (saved != null) {
            System.out.printf(Locale.ROOT, "%nPlain CNN: read from %s (%d parameters), not trained in this run%n",
                    o.string("plain-network", ""), saved.numParams());
            plainRun = new Training(saved, new double[0], new long[0], -1);
        } else {
            System.out.printf(Locale.ROOT, "%nPlain CNN: up to %d epoch(s) of %d minibatches of %d, Adam(%s), early "
                    + "stopping on the validation NLL (patience %d)%n", plainEpochs, batchesPerEpoch, batchSize,
                    learningRate, patience);
            MultiLayerNetwork fresh = new MultiLayerNetwork(model.plain(data.height(), data.width(), data.classes(),
                    seed, learningRate));
            fresh.init();
            plainRun = train(fresh, plainEpochs, patience, validation,
                    e -> onShuffledBatches(train, batchSize, new Random(seed * 1_000_003L + e),
                            batches -> fitPlain(fresh, batches)), x -> predictPlain(fresh, x));
        }
        MultiLayerNetwork plain = plainRun.net();
        ModelSerializer.writeModel(plain, out.resolve(FashionNetworks.PLAIN_FILE).toFile(), true);

        // ---- "make my trained CNN Bayesian": informed priors from the plain CNN, a short ADVI fine-tune ----
        Training convertedRun = null;
        if (convertEpochs > 0) {
            System.out.printf(Locale.ROOT, "%nConverted CNN: the plain CNN with informed priors (MOPED, prior std "
                    + "%s x |w|), posterior std starting at %.4g (convolutions), %.4g (dense), %d epoch(s) of ADVI "
                    + "at learning rate %s%n", FashionNetworks.CONVERT_RELATIVE_PRIOR_STD, convertStds[0],
                    convertStds[1], convertEpochs, convertLearningRate);
            long start = System.nanoTime();
            MultiLayerNetwork converted = FashionNetworks.convert(plain, convertStds[0], convertStds[1]);
            converted.setLearningRate(convertLearningRate);
            double conversionSeconds = (System.nanoTime() - start) / 1e9;
            Advi fineTune = Advi.builder().datasetSize(n).iterations(batchesPerEpoch).printEvery(0).build();
            convertedRun = train(converted, convertEpochs, convertEpochs, validation,
                    e -> onShuffledBatches(train, batchSize, new Random(seed * 1_000_003L + 7919 + e),
                            batches -> elboLine(fineTune.fit(converted, Minibatches.of(batches, batchSize)),
                                    batchesPerEpoch, n)),
                    x -> predictiveMean(converted, x, epochSamples));
            convertedRun.epochSeconds()[0] += conversionSeconds;
        }

        // ---- evaluation on the in-distribution test set ----
        System.out.printf(Locale.ROOT, "%nEvaluation: %d test images; Bayesian posterior predictive with %d draws%n",
                test.numExamples(), samples);
        INDArray plainTest = predictPlain(plain, test.getFeatures());
        Predictive bayesTest = predictBayes(bayes, test.getFeatures(), samples);
        ClassificationMetrics plainMetrics = ClassificationMetrics.of(plainTest, test.getLabels());
        ClassificationMetrics bayesMetrics = ClassificationMetrics.of(bayesTest.mean(), test.getLabels());
        pictures.add(Plots.save(Plots.reliabilityDiagram("Reliability of the plain CNN (test set)",
                plainMetrics.reliability(10), plainMetrics.expectedCalibrationError(10)), out, "reliability_plain"));
        pictures.add(Plots.save(Plots.reliabilityDiagram("Reliability of the Bayesian CNN's posterior predictive "
                        + "(test set, " + samples + " draws)", bayesMetrics.reliability(10),
                bayesMetrics.expectedCalibrationError(10)), out, "reliability_bayesian"));
        NetScores convertedScores = null;
        if (convertedRun != null) {
            ClassificationMetrics m = ClassificationMetrics.of(predictiveMean(convertedRun.net(), test.getFeatures(),
                    samples), test.getLabels());
            convertedScores = scores(m, Double.NaN, convertedRun);
        }

        // ---- out-of-distribution detection: held-out classes vs in-distribution test images ----
        double aurocPlain = Double.NaN;
        double aurocBayesMaxP = Double.NaN;
        double aurocMi = Double.NaN;
        double meanMiOut = Double.NaN;
        Predictive bayesOod = null;
        if (ood != null) {
            bayesOod = predictBayes(bayes, ood, samples);
            aurocPlain = Auroc.of(oneMinusMax(plainTest), oneMinusMax(predictPlain(plain, ood)));
            aurocBayesMaxP = Auroc.of(oneMinusMax(bayesTest.mean()), oneMinusMax(bayesOod.mean()));
            aurocMi = Auroc.of(bayesTest.mutualInformation(), bayesOod.mutualInformation());
            meanMiOut = Stats.mean(bayesOod.mutualInformation());
            pictures.add(Plots.save(Plots.histograms("Mutual information of the Bayesian CNN (" + samples + " draws)",
                    "mutual information (nats)", "fraction of the images", List.of(
                            "test images of the training classes (" + test.numExamples() + ")",
                            "test images of the held-out classes " + names(data.heldOutClasses()) + " ("
                                    + ood.size(0) + ")"),
                    List.of(bayesTest.mutualInformation(), bayesOod.mutualInformation()), 40, true), out,
                    "mi_histogram"));
        }
        double meanMiIn = Stats.mean(bayesTest.mutualInformation());
        pictures.add(ImagePredictions.certaintyGrid(data, bayesTest, bayesOod, gridSize, out));

        // ---- shift: the test images rotated ----
        RotationScores plainRotated = null;
        RotationScores bayesRotated = null;
        RotationScores convertedRotated = null;
        if (angles.length > 0) {
            int m = Math.min(rotationLimit, test.numExamples());
            System.out.printf(Locale.ROOT, "%nRotated test images: the first %d, angles %s degrees%n", m,
                    Arrays.toString(angles));
            INDArray x = ImagePredictions.chunk(test.getFeatures(), 0, m);
            INDArray y = ImagePredictions.chunk(test.getLabels(), 0, m);
            plainRotated = ImagePredictions.rotationScores(angles, x, y, data, r -> predictPlain(plain, r));
            bayesRotated = ImagePredictions.rotationScores(angles, x, y, data, r -> predictiveMean(bayes, r, samples));
            pictures.add(ImagePredictions.reportRotation(plainRotated, bayesRotated, samples, out));
            if (convertedRun != null) {
                MultiLayerNetwork converted = convertedRun.net();
                convertedRotated = ImagePredictions.rotationScores(angles, x, y, data,
                        r -> predictiveMean(converted, r, samples));
                ImagePredictions.reportRotation("converted CNN", convertedRotated, out.resolve("rotation_converted.csv"));
            }
        }

        // ---- summary ----
        Result result = new Result(scores(plainMetrics, aurocPlain, plainRun), scores(bayesMetrics, aurocBayesMaxP,
                bayesRun), convertedScores, aurocMi, meanMiIn, meanMiOut, plainRotated, bayesRotated, convertedRotated,
                pictures);
        FashionReport.printSummary(result, out);
        return result;
    }
}
