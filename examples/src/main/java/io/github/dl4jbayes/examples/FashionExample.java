package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.metrics.Auroc;
import io.github.dl4jbayes.metrics.ClassificationMetrics;
import io.github.dl4jbayes.plot.Plots;
import io.github.dl4jbayes.predict.ClassificationUncertainty;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.predict.PredictiveSamples;
import io.github.dl4jbayes.layers.BayesianConvolutionLayer;
import io.github.dl4jbayes.layers.Estimator;
import io.github.dl4jbayes.training.Advi;
import io.github.dl4jbayes.training.ElboHistory;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.layers.InformedPriors;
import io.github.dl4jbayes.priors.Prior;
import io.github.dl4jbayes.priors.LearnedScalePrior;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Fashion-MNIST, all ten classes by default: a plain DL4J CNN and a Bayesian one of the same architecture
 * ({@code --model small}, two convolutions, or {@code --model lenet5}, the published mean-field LeNet-5 recipe), both
 * early-stopped on a validation split, compared on accuracy, NLL, Brier score and calibration (ECE, reliability
 * diagrams); on test images rotated by 0 to 180 degrees (accuracy, NLL, ECE: uncertainty under shift); with
 * {@code --holdout}, on telling held-out classes' test images from the rest (AUROC of the mutual information, Bayesian
 * only, and of 1 - max probability, both); with {@code --convert-epochs}, the plain CNN made Bayesian
 * ({@link InformedPriors}, MOPED) and fine-tuned. Each epoch prints its time and the process's resident memory.
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
            + "test images) --convert-epochs E (0: no conversion) --grid K (8) --kl-warmup STEPS (0) "
            + "--kl-temperature T (1) --prior learned|normal (lenet5 only; learned) --init NAME (small only; "
            + "XAVIER: the Bayesian CNN's mean init, as the plain CNN's)";

    /** Channels of the two convolutions and width of the dense layer: small enough to train on two CPU cores. */
    static final int CONV1_CHANNELS = 8;
    static final int CONV2_CHANNELS = 16;
    static final int DENSE_UNITS = 128;
    /** Rows per forward pass when predicting, so that memory stays small. */
    static final int CHUNK = 1000;

    private FashionExample() {
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

    /**
     * What a run found, for tests.
     *
     * @param aurocMutualInformation AUROC of the Bayesian network's mutual information (NaN without held-out classes)
     * @param meanMiIn               mean mutual information on the in-distribution test images
     * @param meanMiOut              mean mutual information on the held-out classes' images (NaN without)
     * @param converted              the plain CNN converted with informed priors and fine-tuned (null without
     *                               {@code --convert-epochs})
     * @param plainRotated           scores on rotated test images (null with {@code --rotations none})
     */
    record Result(NetScores plain, NetScores bayesian, NetScores converted, double aurocMutualInformation,
                  double meanMiIn, double meanMiOut, RotationScores plainRotated, RotationScores bayesianRotated,
                  List<Path> pictures) {
    }

    /**
     * The plain network: conv 5x5 (8) - max pool 2x2 - conv 5x5 (16) - max pool 2x2 - dense 128 - softmax, ReLU,
     * Adam, categorical cross-entropy; input {@code InputType.convolutionalFlat(height, width, 1)}.
     */
    public static MultiLayerConfiguration plainCnn(int height, int width, int classes, long seed, double learningRate) {
        checkSize(height, width, classes);
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT)
                .updater(new Adam(learningRate)).list()
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(CONV1_CHANNELS).activation(Activation.RELU).build())
                .layer(maxPool())
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(CONV2_CHANNELS).activation(Activation.RELU).build())
                .layer(maxPool())
                .layer(new DenseLayer.Builder().nOut(DENSE_UNITS).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(height, width, 1))
                .build();
    }

    /** {@link #plainCnn(int, int, int, long, double)} with Adam 0.001. */
    public static MultiLayerConfiguration plainCnn(int height, int width, int classes, long seed) {
        return plainCnn(height, width, classes, seed, 1e-3);
    }

    /**
     * The Bayesian network: the same architecture as {@link #plainCnn}, every layer with weights Bayesian (mean-field
     * Gaussian, prior N(0, 1)) and trained with the Flipout estimator.
     */
    public static MultiLayerConfiguration bayesianCnn(int height, int width, int classes, long seed, double learningRate) {
        // Xavier means, set on each layer: the plain CNN's initialization, so that the comparison changes one thing,
        // and the one docs/fashion-mnist.md's figures were measured with
        return bayesianCnn(height, width, classes, seed, learningRate, WeightInit.XAVIER);
    }

    /** {@link #bayesianCnn(int, int, int, long, double)} with the means initialized by {@code means} on each layer. */
    public static MultiLayerConfiguration bayesianCnn(int height, int width, int classes, long seed, double learningRate,
                                               WeightInit means) {
        checkSize(height, width, classes);
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT)
                .updater(new Adam(learningRate)).list()
                .layer(new BayesianConvolutionLayer.Builder(5, 5).nOut(CONV1_CHANNELS).activation(Activation.RELU)
                        .weightInit(means).estimator(Estimator.FLIPOUT).build())
                .layer(maxPool())
                .layer(new BayesianConvolutionLayer.Builder(5, 5).nOut(CONV2_CHANNELS).activation(Activation.RELU)
                        .weightInit(means).estimator(Estimator.FLIPOUT).build())
                .layer(maxPool())
                .layer(new BayesianDenseLayer.Builder().nOut(DENSE_UNITS).activation(Activation.RELU)
                        .weightInit(means).estimator(Estimator.FLIPOUT).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                        .activation(Activation.SOFTMAX).weightInit(means).estimator(Estimator.FLIPOUT).build())
                .setInputType(InputType.convolutionalFlat(height, width, 1))
                .build();
    }

    /** {@link #bayesianCnn(int, int, int, long, double)} with Adam 0.001. */
    public static MultiLayerConfiguration bayesianCnn(int height, int width, int classes, long seed) {
        return bayesianCnn(height, width, classes, seed, 1e-3);
    }

    /** LeNet-5's posterior standard deviation at initialization, softplus(-7) (the published recipe's). */
    static final double LENET5_INITIAL_POSTERIOR_STD = Math.log1p(Math.exp(-7));

    /**
     * LeNet-5 as uncertainty-baselines trains it on (Fashion-)MNIST, plain: conv 5x5 with 6, 16 and 120 filters (Same
     * padding, ReLU; 2x2 max pooling after the first two), dense 84 (ReLU), softmax; He-normal weights, Adam.
     */
    public static MultiLayerConfiguration lenet5Plain(int height, int width, int classes, long seed, double learningRate) {
        return lenet5Plain(height, width, classes, seed, learningRate, 1.0);
    }

    /**
     * {@link #lenet5Plain(int, int, int, long, double)} with DL4J's dropout on the inputs of the two dense layers
     * ({@code retain}, the probability of keeping an activation; 1: none), for MC dropout.
     */
    public static MultiLayerConfiguration lenet5Plain(int height, int width, int classes, long seed, double learningRate,
                                               double retain) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).weightInit(WeightInit.RELU).updater(new Adam(learningRate)).list();
        for (int filters : LENET5_FILTERS) {
            list.layer(new ConvolutionLayer.Builder(5, 5).nOut(filters).convolutionMode(ConvolutionMode.Same)
                    .activation(Activation.RELU).build());
            if (filters != LENET5_FILTERS[2]) {
                list.layer(maxPool());
            }
        }
        DenseLayer.Builder dense = new DenseLayer.Builder().nOut(84).activation(Activation.RELU);
        OutputLayer.Builder output = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                .activation(Activation.SOFTMAX);
        if (retain < 1) {
            dense.dropOut(retain);
            output.dropOut(retain);
        }
        return list.layer(dense.build()).layer(output.build())
                .setInputType(InputType.convolutionalFlat(height, width, 1))
                .build();
    }

    /**
     * The Bayesian LeNet-5 of the published mean-field recipe: {@link #lenet5Plain}'s architecture with Flipout
     * convolutions and local-reparameterization dense layers, a Gaussian prior whose scale is learned per layer
     * (empirical Bayes, {@link LearnedScalePrior#perLayer()}), posterior standard deviations starting at softplus(-7)
     * and He-normal means.
     */
    public static MultiLayerConfiguration lenet5Bayesian(int height, int width, int classes, long seed,
                                                  double learningRate) {
        return lenet5Bayesian(height, width, classes, seed, learningRate, LearnedScalePrior.perLayer());
    }

    /** {@link #lenet5Bayesian(int, int, int, long, double)} with {@code prior} on every layer instead. */
    public static MultiLayerConfiguration lenet5Bayesian(int height, int width, int classes, long seed, double learningRate,
                                                  Prior prior) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).weightInit(WeightInit.RELU).updater(new Adam(learningRate)).list();
        for (int filters : LENET5_FILTERS) {
            list.layer(new BayesianConvolutionLayer.Builder(5, 5).nOut(filters).convolutionMode(ConvolutionMode.Same)
                    .activation(Activation.RELU).estimator(Estimator.FLIPOUT).prior(prior)
                    .initialPosteriorStd(LENET5_INITIAL_POSTERIOR_STD).build());
            if (filters != LENET5_FILTERS[2]) {
                list.layer(maxPool());
            }
        }
        return list.layer(new BayesianDenseLayer.Builder().nOut(84).activation(Activation.RELU)
                        .estimator(Estimator.LOCAL_REPARAMETERIZATION).prior(prior)
                        .initialPosteriorStd(LENET5_INITIAL_POSTERIOR_STD).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                        .activation(Activation.SOFTMAX).estimator(Estimator.LOCAL_REPARAMETERIZATION)
                        .prior(prior).initialPosteriorStd(LENET5_INITIAL_POSTERIOR_STD).build())
                .setInputType(InputType.convolutionalFlat(height, width, 1))
                .build();
    }

    /** Filters of LeNet-5's three convolutions. */
    private static final int[] LENET5_FILTERS = {6, 16, 120};

    private static SubsamplingLayer maxPool() {
        return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build();
    }

    /** Two 5x5 convolutions without padding and two 2x2 poolings leave at least 1x1 from 16x16 on. */
    private static void checkSize(int height, int width, int classes) {
        if (height < 16 || width < 16) {
            throw new IllegalArgumentException("images must be at least 16 x 16 for two 5x5 convolutions and two 2x2 "
                    + "poolings, got " + height + " x " + width);
        }
        if (classes < 2) {
            throw new IllegalArgumentException("classes must be >= 2, got " + classes);
        }
    }

    /** The network a run trains: {@code small} (the two-convolution CNN) or {@code lenet5} (the anchor's LeNet-5). */
    enum Model {
        SMALL, LENET5;

        static Model parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--model must be small or lenet5, got " + text);
            }
        }

        MultiLayerConfiguration plain(int height, int width, int classes, long seed, double learningRate) {
            return this == LENET5 ? lenet5Plain(height, width, classes, seed, learningRate)
                    : plainCnn(height, width, classes, seed, learningRate);
        }

        MultiLayerConfiguration bayesian(int height, int width, int classes, long seed, double learningRate,
                                         WeightInit means, Prior prior) {
            return this == LENET5 ? lenet5Bayesian(height, width, classes, seed, learningRate, prior)
                    : bayesianCnn(height, width, classes, seed, learningRate, means);
        }
    }

    /** One network's scores at each rotation angle of the test images. */
    record RotationScores(double[] degrees, double[] accuracy, double[] nll, double[] ece) {
    }

    /** How a training ran: seconds and resident memory (VmHWM, MB) after each epoch, and the epoch kept. */
    record Training(MultiLayerNetwork net, double[] epochSeconds, long[] peakResidentMb, int bestEpoch) {
    }

    static Result run(Options o) throws Exception {
        System.setProperty("java.awt.headless", "true");
        if (!o.has("data") || "true".equals(o.string("data", ""))) {
            throw new IllegalArgumentException("--data DIR is required: the folder with the four Fashion-MNIST IDX "
                    + "files (train-images-idx3-ubyte[.gz], ...); see docs/fashion-mnist.md");
        }
        Path dataDir = Path.of(o.string("data", ""));
        Path out = Path.of(o.string("out", "fashion-output")).toAbsolutePath();
        Files.createDirectories(out);
        Model model = Model.parse(o.string("model", "small"));
        boolean lenet = model == Model.LENET5;
        if (!lenet && o.has("prior")) {
            throw new IllegalArgumentException("--prior applies to --model lenet5; the small CNN's prior is N(0, 1)");
        }
        int epochs = positive("epochs", o.integer("epochs", lenet ? 10 : 5));
        int batchSize = positive("batch", o.integer("batch", lenet ? 256 : 64));
        double learningRate = o.number("lr", 1e-3);
        long seed = o.integer("seed", 0);
        int samples = positive("samples", o.integer("samples", lenet ? 10 : 30));
        int epochSamples = positive("epoch-samples", o.integer("epoch-samples", 5));
        int limit = o.integer("limit", 0);
        int testLimit = o.integer("test-limit", 0);
        int gridSize = positive("grid", o.integer("grid", 8));
        List<Integer> holdout = FashionMnist.parseHoldout(o.string("holdout", "none"));
        int klWarmup = o.integer("kl-warmup", 0);
        double klTemperature = o.number("kl-temperature", 1.0);
        int patience = positive("patience", o.integer("patience", 3));
        int plainEpochs = positive("plain-epochs", o.integer("plain-epochs", epochs));
        int convertEpochs = o.integer("convert-epochs", 0);
        double[] angles = parseAngles(o.string("rotations", "0:180:15"));
        int rotationLimit = positive("rotation-limit", o.integer("rotation-limit", 2000));
        WeightInit means = WeightInit.valueOf(o.string("init", "XAVIER"));
        if (klWarmup < 0) {
            throw new IllegalArgumentException("--kl-warmup must be >= 0, got " + klWarmup);
        }
        if (convertEpochs < 0) {
            throw new IllegalArgumentException("--convert-epochs must be >= 0, got " + convertEpochs);
        }

        long loadStart = System.nanoTime();
        FashionMnist data = FashionMnist.load(dataDir, holdout, limit, testLimit);
        DataSet[] split = validationSplit(data.train(), o.integer("validation", -1), seed);
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
        List<Path> pictures = new ArrayList<>();

        // ---- Bayesian CNN first (its resident memory per epoch is its own): ADVI, one fit per epoch (the Advi's
        // history and KL warm-up run on across them) ----
        System.out.printf(Locale.ROOT, "%nBayesian CNN: ADVI, up to %d epoch(s) of %d minibatches of %d, N = %d, "
                        + "Adam(%s)%s%s, early stopping on the validation NLL (patience %d)%n", epochs,
                batchesPerEpoch, batchSize, n, learningRate,
                klWarmup > 0 ? ", KL warm-up over " + klWarmup + " steps" : "",
                klTemperature != 1 ? ", KL temperature " + klTemperature : "", patience);
        MultiLayerNetwork bayes = new MultiLayerNetwork(model.bayesian(data.height(), data.width(), data.classes(),
                seed, learningRate, means, prior(o.string("prior", "learned"))));
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

        // ---- plain CNN: DL4J's fit, early stopping on the validation NLL ----
        System.out.printf(Locale.ROOT, "%nPlain CNN: up to %d epoch(s) of %d minibatches of %d, Adam(%s), early "
                + "stopping on the validation NLL (patience %d)%n", plainEpochs, batchesPerEpoch, batchSize,
                learningRate, patience);
        MultiLayerNetwork plain = new MultiLayerNetwork(model.plain(data.height(), data.width(), data.classes(), seed,
                learningRate));
        plain.init();
        Training plainRun = train(plain, plainEpochs, patience, validation,
                e -> onShuffledBatches(train, batchSize, new Random(seed * 1_000_003L + e), batches -> {
                    double lossSum = 0;
                    for (DataSet batch : batches) {
                        plain.fit(batch);
                        lossSum += plain.score() * batch.numExamples();
                    }
                    plain.incrementEpochCount();
                    plain.clear();
                    return String.format(Locale.ROOT, "loss %.4f", lossSum / n);
                }), x -> predictPlain(plain, x));

        // ---- "make my trained CNN Bayesian": informed priors from the plain CNN, a short ADVI fine-tune ----
        Training convertedRun = null;
        if (convertEpochs > 0) {
            System.out.printf(Locale.ROOT, "%nConverted CNN: the plain CNN with informed priors (MOPED, prior std "
                    + "%s x |w|), %d epoch(s) of ADVI%n", CONVERT_RELATIVE_PRIOR_STD, convertEpochs);
            long start = System.nanoTime();
            MultiLayerNetwork converted = convert(plainRun.net());
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
            INDArray plainOod = predictPlain(plain, ood);
            bayesOod = predictBayes(bayes, ood, samples);
            aurocPlain = Auroc.of(oneMinusMax(plainTest), oneMinusMax(plainOod));
            aurocBayesMaxP = Auroc.of(oneMinusMax(bayesTest.mean()), oneMinusMax(bayesOod.mean()));
            aurocMi = Auroc.of(bayesTest.mutualInformation(), bayesOod.mutualInformation());
            meanMiOut = mean(bayesOod.mutualInformation());
            pictures.add(Plots.save(Plots.histograms("Mutual information of the Bayesian CNN (" + samples + " draws)",
                    "mutual information (nats)", "fraction of the images", List.of(
                            "test images of the training classes (" + test.numExamples() + ")",
                            "test images of the held-out classes " + names(data.heldOutClasses()) + " ("
                                    + ood.size(0) + ")"),
                    List.of(bayesTest.mutualInformation(), bayesOod.mutualInformation()), 40, true), out,
                    "mi_histogram"));
        }
        double meanMiIn = mean(bayesTest.mutualInformation());
        pictures.add(certaintyGrid(data, bayesTest, bayesOod, gridSize, out));

        // ---- shift: the test images rotated ----
        RotationScores plainRotated = null;
        RotationScores bayesRotated = null;
        if (angles.length > 0) {
            int m = Math.min(rotationLimit, test.numExamples());
            System.out.printf(Locale.ROOT, "%nRotated test images: the first %d, angles %s degrees%n", m,
                    Arrays.toString(angles));
            INDArray x = chunk(test.getFeatures(), 0, m);
            INDArray y = chunk(test.getLabels(), 0, m);
            plainRotated = rotationScores(angles, x, y, data, r -> predictPlain(plain, r));
            bayesRotated = rotationScores(angles, x, y, data, r -> predictiveMean(bayes, r, samples));
            System.out.printf(Locale.ROOT, "%8s %22s %22s %22s%n", "degrees", "accuracy plain/Bayes",
                    "NLL plain/Bayes", "ECE plain/Bayes");
            for (int k = 0; k < angles.length; k++) {
                System.out.printf(Locale.ROOT, "%8.0f %10.2f%% %10.2f%% %10.4f %10.4f %10.4f %10.4f%n", angles[k],
                        100 * plainRotated.accuracy()[k], 100 * bayesRotated.accuracy()[k], plainRotated.nll()[k],
                        bayesRotated.nll()[k], plainRotated.ece()[k], bayesRotated.ece()[k]);
            }
            List<String> nets = List.of("plain CNN", "Bayesian CNN (" + samples + " draws)");
            List<double[]> xs = List.of(angles, angles);
            pictures.add(Plots.saveSideBySide(List.of(
                    Plots.curves("NLL of the rotated test images", "rotation (degrees)", "NLL", nets, xs,
                            List.of(plainRotated.nll(), bayesRotated.nll()), false),
                    Plots.curves("ECE (10 bins) of the rotated test images", "rotation (degrees)", "ECE", nets, xs,
                            List.of(plainRotated.ece(), bayesRotated.ece()), false)), out, "rotation_shift"));
            List<String> csv = new ArrayList<>(List.of("degrees,plain_accuracy,plain_nll,plain_ece,bayes_accuracy,"
                    + "bayes_nll,bayes_ece"));
            for (int k = 0; k < angles.length; k++) {
                csv.add(String.format(Locale.ROOT, "%s,%s,%s,%s,%s,%s,%s", angles[k], plainRotated.accuracy()[k],
                        plainRotated.nll()[k], plainRotated.ece()[k], bayesRotated.accuracy()[k],
                        bayesRotated.nll()[k], bayesRotated.ece()[k]));
            }
            Files.write(out.resolve("rotation.csv"), csv);
        }

        NetScores plainScores = scores(plainMetrics, aurocPlain, plainRun);
        NetScores bayesScores = scores(bayesMetrics, aurocBayesMaxP, bayesRun);
        System.out.printf(Locale.ROOT, "%n%-14s %9s %8s %8s %8s %16s %10s %12s %7s %11s%n", "", "accuracy", "NLL",
                "Brier", "ECE", "AUROC(1-max p)", "AUROC(MI)", "s per epoch", "epochs", "peak RSS MB");
        printRow("plain CNN", plainScores, Double.NaN);
        printRow("Bayesian CNN", bayesScores, aurocMi);
        if (convertedScores != null) {
            printRow("converted CNN", convertedScores, Double.NaN);
        }
        if (ood != null) {
            System.out.printf(Locale.ROOT, "Mean mutual information: %.4f nats on test images of the training classes, "
                    + "%.4f on the held-out classes%n", meanMiIn, meanMiOut);
        } else {
            System.out.println("No held-out classes (--holdout none, the default): no out-of-distribution section.");
        }
        System.out.printf(Locale.ROOT, "Peak resident memory of this run: %d MB%n", ResidentMemory.peakMb());
        System.out.println("Pictures written to " + out);
        for (Path p : pictures) {
            System.out.println("  " + p.getFileName());
        }
        return new Result(plainScores, bayesScores, convertedScores, aurocMi, meanMiIn, meanMiOut, plainRotated,
                bayesRotated, pictures);
    }

    /** {@code --prior}: {@code learned} (a learned scale per layer) or {@code normal} (N(0, 1)), for LeNet-5. */
    static Prior prior(String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "learned":
                return LearnedScalePrior.perLayer();
            case "normal":
                return GaussianPrior.standardNormal();
            default:
                throw new IllegalArgumentException("--prior must be learned or normal, got " + name);
        }
    }

    /** Prior std of the converted CNN's weights relative to their trained magnitude (MOPED's delta). */
    static final double CONVERT_RELATIVE_PRIOR_STD = 0.1;

    /**
     * "Make my trained CNN Bayesian": the trained plain network turned into a Bayesian one with priors centred at its
     * weights (MOPED: prior std {@link #CONVERT_RELATIVE_PRIOR_STD} times each weight's magnitude, at least 1e-3),
     * Flipout, posterior std starting at softplus(-7) as the LeNet-5 recipe's.
     */
    static MultiLayerNetwork convert(MultiLayerNetwork trained) {
        return InformedPriors.builder().relativePriorStd(CONVERT_RELATIVE_PRIOR_STD, 1e-3)
                .initialPosteriorStd(LENET5_INITIAL_POSTERIOR_STD).estimator(Estimator.FLIPOUT).build()
                .convert(trained);
    }

    /** One training epoch (its number from 0); returns what to print about it. */
    private interface Epoch {
        String run(int epoch) throws Exception;
    }

    /** Class probabilities of a network for a batch of images. */
    private interface Probabilities {
        INDArray of(INDArray x);
    }

    /**
     * Trains for up to {@code epochs} epochs, scoring the validation set after each; stops when its NLL has not
     * improved for {@code patience} epochs and puts back the parameters of the best epoch.
     */
    private static Training train(MultiLayerNetwork net, int epochs, int patience, DataSet validation, Epoch epoch,
                                  Probabilities probabilities) throws Exception {
        double[] seconds = new double[epochs];
        long[] peak = new long[epochs];
        double bestNll = Double.POSITIVE_INFINITY;
        INDArray best = null;
        int bestEpoch = -1;
        int done = 0;
        for (int e = 0; e < epochs; e++) {
            long start = System.nanoTime();
            String line = epoch.run(e);
            seconds[e] = (System.nanoTime() - start) / 1e9;
            peak[e] = ResidentMemory.peakMb();
            done = e + 1;
            ClassificationMetrics v = ClassificationMetrics.of(probabilities.of(validation.getFeatures()),
                    validation.getLabels());
            boolean improved = v.negativeLogLikelihood() < bestNll;
            if (improved) {
                bestNll = v.negativeLogLikelihood();
                best = net.params().dup();
                bestEpoch = e;
            }
            System.out.printf(Locale.ROOT, "  epoch %d/%d: %s, validation accuracy %.2f%%, NLL %.4f%s, %.1f s, "
                            + "RSS %d MB (peak %d MB)%n", e + 1, epochs, line, 100 * v.accuracy(),
                    v.negativeLogLikelihood(), improved ? " (best)" : "", seconds[e], ResidentMemory.currentMb(),
                    peak[e]);
            if (e - bestEpoch >= patience) {
                System.out.printf(Locale.ROOT, "  early stop: no better validation NLL in %d epochs; keeping epoch "
                        + "%d%n", patience, bestEpoch + 1);
                break;
            }
        }
        if (best != null) {
            net.setParams(best);
        }
        return new Training(net, Arrays.copyOf(seconds, done), Arrays.copyOf(peak, done), bestEpoch);
    }

    private static String elboLine(ElboHistory elbo, int batchesPerEpoch, int n) {
        double meanElbo = elbo.meanOfLast(batchesPerEpoch);
        return String.format(Locale.ROOT, "ELBO %.1f (%.4f per example, mean over the epoch)", meanElbo,
                meanElbo / n);
    }

    private static NetScores scores(ClassificationMetrics m, double aurocMaxProbability, Training t) {
        return new NetScores(m.accuracy(), m.negativeLogLikelihood(), m.brierScore(), m.expectedCalibrationError(10),
                aurocMaxProbability, t.epochSeconds(), t.peakResidentMb(), t.bestEpoch() + 1);
    }

    private static RotationScores rotationScores(double[] angles, INDArray x, INDArray y, FashionMnist data,
                                                 Probabilities probabilities) {
        double[] accuracy = new double[angles.length];
        double[] nll = new double[angles.length];
        double[] ece = new double[angles.length];
        for (int k = 0; k < angles.length; k++) {
            INDArray rotated = ImageRotation.rotate(x, data.height(), data.width(), angles[k]);
            ClassificationMetrics m = ClassificationMetrics.of(probabilities.of(rotated), y);
            accuracy[k] = m.accuracy();
            nll[k] = m.negativeLogLikelihood();
            ece[k] = m.expectedCalibrationError(10);
        }
        return new RotationScores(angles, accuracy, nll, ece);
    }

    /**
     * Parses {@code --rotations}: {@code none}, a list {@code 0,30,90}, or a range {@code from:to:step} (both ends
     * included when the steps reach them).
     */
    static double[] parseAngles(String text) {
        String t = text.trim();
        if (t.isEmpty() || "none".equalsIgnoreCase(t)) {
            return new double[0];
        }
        try {
            if (t.contains(":")) {
                String[] p = t.split(":");
                if (p.length != 3) {
                    throw new IllegalArgumentException("--rotations range must be from:to:step, got " + text);
                }
                double from = Double.parseDouble(p[0]);
                double to = Double.parseDouble(p[1]);
                double step = Double.parseDouble(p[2]);
                if (!(step > 0) || !(to >= from)) {
                    throw new IllegalArgumentException("--rotations range needs step > 0 and to >= from, got " + text);
                }
                int count = (int) Math.floor((to - from) / step + 1e-9) + 1;
                return IntStream.range(0, count).mapToDouble(i -> from + i * step).toArray();
            }
            return Arrays.stream(t.split(",")).mapToDouble(v -> Double.parseDouble(v.trim())).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rotations must be none, a list of angles or from:to:step, got "
                    + text);
        }
    }

    /**
     * Splits the training images into training and validation sets (a seeded random choice of the validation rows).
     *
     * @param size validation images; negative for the default, a twelfth of the images (5,000 of Fashion-MNIST's 60,000)
     */
    static DataSet[] validationSplit(DataSet all, int size, long seed) {
        int n = all.numExamples();
        int v = size < 0 ? n / 12 : size;
        if (v < 1 || v >= n) {
            throw new IllegalArgumentException("--validation must leave at least one training and one validation "
                    + "image: got " + v + " of " + n + " images");
        }
        int[] order = io.github.dl4jbayes.training.Shuffle.permutation(n, new Random(seed * 31 + 17));
        int[] validationRows = Arrays.copyOfRange(order, 0, v);
        int[] trainRows = Arrays.copyOfRange(order, v, n);
        Arrays.sort(validationRows);
        Arrays.sort(trainRows);
        return new DataSet[]{rows(all, trainRows), rows(all, validationRows)};
    }

    private static void printRow(String name, NetScores s, double aurocMi) {
        System.out.printf(Locale.ROOT, "%-14s %8.2f%% %8.4f %8.4f %8.4f %16s %10s %12.1f %7s %11d%n", name,
                100 * s.accuracy(), s.nll(), s.brier(), s.ece(), orDash(s.aurocMaxProbability()), orDash(aurocMi),
                Arrays.stream(s.epochSeconds()).average().orElse(Double.NaN),
                s.bestEpoch() + "/" + s.epochSeconds().length,
                Arrays.stream(s.peakResidentMb()).max().orElse(-1));
    }

    private static String orDash(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    /**
     * The most and least certain test images by the Bayesian network's mutual information, among the test images of
     * the training classes and of the held-out classes together.
     */
    private static Path certaintyGrid(FashionMnist data, Predictive test, Predictive ood, int k, Path out) {
        int nTest = test.mutualInformation().length;
        int nOod = ood == null ? 0 : ood.mutualInformation().length;
        double[] mi = new double[nTest + nOod];
        System.arraycopy(test.mutualInformation(), 0, mi, 0, nTest);
        if (ood != null) {
            System.arraycopy(ood.mutualInformation(), 0, mi, nTest, nOod);
        }
        int shown = Math.min(k, mi.length / 2);
        if (shown == 0) {
            shown = 1;
        }
        Integer[] order = IntStream.range(0, mi.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> mi[i]));
        int[] testClasses = data.testClasses();
        int[] oodClasses = data.outOfDistributionClasses();
        long[] predictedTest = Nd4j.argMax(test.mean(), 1).toLongVector();
        long[] predictedOod = ood == null ? new long[0] : Nd4j.argMax(ood.mean(), 1).toLongVector();
        List<double[]> pixels = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        List<Integer> picked = new ArrayList<>();
        for (int j = 0; j < shown; j++) {
            picked.add(order[j]);
        }
        for (int j = 0; j < shown; j++) {
            picked.add(order[mi.length - shown + j]);
        }
        for (int i : picked) {
            boolean isOod = i >= nTest;
            int row = isOod ? i - nTest : i;
            INDArray features = isOod ? data.outOfDistribution() : data.test().getFeatures();
            pixels.add(features.getRow(row).castTo(DataType.DOUBLE).toDoubleVector());
            String truth = FashionMnist.CLASS_NAMES.get(isOod ? oodClasses[row] : testClasses[row])
                    + (isOod ? " (held out)" : "");
            String predicted = data.className((int) (isOod ? predictedOod[row] : predictedTest[row]));
            captions.add(String.format(Locale.ROOT, "true: %s%npred: %s%nMI %.4f", truth, predicted, mi[i]));
        }
        String scope = ood == null ? "test images" : "test images, training and held-out classes";
        return Plots.save(Plots.imageGrid("Bayesian CNN: most and least certain " + scope + " (mutual information)",
                pixels.toArray(new double[0][]), data.height(), data.width(), captions, shown,
                List.of(shown + " most certain (lowest MI)", shown + " least certain (highest MI)")), out,
                "certain_uncertain");
    }

    /** The Bayesian network's posterior predictive mean and mutual information per row. */
    private record Predictive(INDArray mean, double[] mutualInformation) {
    }

    /** Posterior predictive in chunks of {@link #CHUNK} rows, samples kept per chunk for the mutual information. */
    private static Predictive predictBayes(MultiLayerNetwork net, INDArray x, int samples) {
        List<INDArray> means = new ArrayList<>();
        double[] mi = new double[(int) x.size(0)];
        for (long from = 0; from < x.size(0); from += CHUNK) {
            long to = Math.min(x.size(0), from + CHUNK);
            PredictiveSamples p = PosteriorPredictive.of(net).samples(samples).predict(chunk(x, from, to));
            ClassificationUncertainty u = ClassificationUncertainty.of(p);
            means.add(p.mean());
            double[] part = u.mutualInformation().castTo(DataType.DOUBLE).toDoubleVector();
            System.arraycopy(part, 0, mi, (int) from, part.length);
        }
        return new Predictive(Nd4j.vstack(means), mi);
    }

    /** Posterior predictive mean only (no samples kept), in chunks. */
    private static INDArray predictiveMean(MultiLayerNetwork net, INDArray x, int samples) {
        List<INDArray> means = new ArrayList<>();
        for (long from = 0; from < x.size(0); from += CHUNK) {
            long to = Math.min(x.size(0), from + CHUNK);
            means.add(PosteriorPredictive.of(net).samples(samples).keepSamples(false).predict(chunk(x, from, to))
                    .mean());
        }
        return Nd4j.vstack(means);
    }

    /** The plain network's class probabilities, in chunks. */
    private static INDArray predictPlain(MultiLayerNetwork net, INDArray x) {
        List<INDArray> parts = new ArrayList<>();
        for (long from = 0; from < x.size(0); from += CHUNK) {
            long to = Math.min(x.size(0), from + CHUNK);
            parts.add(net.output(chunk(x, from, to), false));
        }
        return Nd4j.vstack(parts);
    }

    private static INDArray chunk(INDArray x, long from, long to) {
        return x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup();
    }

    private static double[] oneMinusMax(INDArray probabilities) {
        return probabilities.max(1).rsub(1.0).castTo(DataType.DOUBLE).toDoubleVector();
    }

    /** What an epoch does with its minibatches. */
    private interface EpochOnBatches {
        String run(List<DataSet> batches);
    }

    /**
     * Runs {@code use} on a new shuffled copy of the training set in minibatches and then frees the copy's off-heap
     * memory at once ({@code INDArray.close()}). Without that, each epoch's copy lives for a whole epoch, its small
     * Java objects are promoted to the old generation, and its native memory waits for an old-generation collection,
     * which with the JVM's default heap (a quarter of the machine's memory) may not come for many epochs: the
     * resident memory grew by about half a gigabyte per epoch.
     */
    private static String onShuffledBatches(DataSet data, int batchSize, Random random, EpochOnBatches use) {
        List<DataSet> batches = shuffledBatches(data, batchSize, random);
        try {
            return use.run(batches);
        } finally {
            for (DataSet b : batches) {
                for (INDArray a : new INDArray[]{b.getFeatures(), b.getLabels()}) {
                    if (a != null && a.closeable()) {
                        a.close();
                    }
                }
            }
        }
    }

    /** The training set in a random order (from {@code random}), cut into minibatches (the last may be smaller). */
    static List<DataSet> shuffledBatches(DataSet data, int batchSize, Random random) {
        int n = data.numExamples();
        int[] order = io.github.dl4jbayes.training.Shuffle.permutation(n, random);
        List<DataSet> batches = new ArrayList<>();
        for (int from = 0; from < n; from += batchSize) {
            int[] rows = Arrays.copyOfRange(order, from, Math.min(n, from + batchSize));
            batches.add(rows(data, rows));
        }
        return batches;
    }

    /**
     * @return the examples {@code rows} of {@code data} (images flattened to rows), copied by one ND4J operation per
     *         array ({@code pullRows}): {@code getRows} makes a view per row, 110,000 ND4J arrays an epoch whose small
     *         Java objects the garbage collector frees late
     */
    static DataSet rows(DataSet data, int[] rows) {
        return new DataSet(Nd4j.pullRows(data.getFeatures(), 1, rows), Nd4j.pullRows(data.getLabels(), 1, rows));
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static String names(int[] classes) {
        List<String> list = new ArrayList<>();
        for (int c : classes) {
            list.add(c + " " + FashionMnist.CLASS_NAMES.get(c));
        }
        return list.isEmpty() ? "(none)" : "(" + String.join(", ", list) + ")";
    }

    private static int positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("--" + name + " must be > 0, got " + value);
        }
        return value;
    }
}
