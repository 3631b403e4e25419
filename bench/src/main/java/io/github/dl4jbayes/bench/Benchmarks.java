package io.github.dl4jbayes.bench;

import io.github.dl4jbayes.examples.FashionNetworks;
import io.github.dl4jbayes.examples.MoonsData;
import io.github.dl4jbayes.examples.NotebookNetwork;
import io.github.dl4jbayes.examples.Minibatches;
import io.github.dl4jbayes.examples.ResidentMemory;
import io.github.dl4jbayes.examples.Options;
import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianLSTM;
import io.github.dl4jbayes.layers.BayesianRnnOutputLayer;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.Estimator;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.metrics.ClassificationMetrics;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.training.Advi;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import io.github.dl4jbayes.layers.BayesianConvolutionLayer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The benchmark runner ({@code java -jar bench/target/dl4j-bayes-bench.jar}): step times of Bayesian against plain DL4J
 * networks measured in the same run, predictive throughput, time to 94% accuracy on the moons task, and memory.
 * Prints a Markdown table: medians over repeated runs with min-max, and every ratio from one interleaved run.
 */
final class Benchmarks {
    static final String OPTIONS = "Options: --rows 1,2,3,4,5,6,7,8,9,10,11,12,13,14 (all; 13 alone in its own JVM) --rounds R (9) --steps S (100) "
            + "--soak-steps N (200000) --soak-mlp-steps M (20000) --cold-runs C (3) --baseline (row 10: also DL4J's standard step) "
            + "--python PATH (row 10: PyTorch's figures from bench/scripts/pytorch_bbb.py in the same run) "
            + "--torch-threads T (1) --memory-epochs E (4) --memory-batches B (40) --out FILE.md";

    private final List<String> table = new ArrayList<>();
    private final int rounds;
    private final int steps;

    private Benchmarks(int rounds, int steps) {
        this.rounds = rounds;
        this.steps = steps;
    }

    static void run(Options o) throws IOException {
        Set<Integer> rows = new TreeSet<>();
        for (String r : o.string("rows", "1,2,3,4,5,6,7,8,9,10,11,12,13,14").split(",")) {
            rows.add(Integer.parseInt(r.trim()));
        }
        Benchmarks b = new Benchmarks(o.integer("rounds", 9), o.integer("steps", 100));
        b.table.add("| # | benchmark | Bayesian | plain DL4J | ratio |");
        b.table.add("|---|---|---|---|---|");
        DataSet moons = MoonsData.generate(1000, 0.2, 0).train();
        if (rows.contains(1)) {
            b.stepRatio("1", "step, 2-5-5-1 tanh, 500 points (full batch)", () -> seedNet(true), () -> seedNet(false),
                    moons);
        }
        if (rows.contains(2)) {
            b.stepRatio("2", "step, 2-5-5-1 tanh, minibatch of 50", () -> seedNet(true), () -> seedNet(false),
                    moons.sample(50));
        }
        if (rows.contains(1)) {
            b.adviStepRatio("1f", "ADVI step through Advi.fit (fused step, ELBO listener), 2-5-5-1 tanh, 500 points",
                    moons, 0);
        }
        if (rows.contains(2)) {
            b.adviStepRatio("2f", "ADVI step through Advi.fit (fused step, ELBO listener), 2-5-5-1 tanh, minibatches of 50",
                    moons, 50);
        }
        if (rows.contains(3)) {
            Nd4j.getRandom().setSeed(3);
            INDArray x = Nd4j.rand(DataType.FLOAT, 128, 784);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 128, 10);
            for (int i = 0; i < 128; i++) {
                y.putScalar(i, i % 10, 1.0);
            }
            b.stepRatio("3", "step, 784-400-400-10 ReLU softmax, batch 128", () -> mlp(true), () -> mlp(false),
                    new DataSet(x, y));
            b.memoryRow("6a", "peak resident memory after row 3");
        }
        if (rows.contains(7)) {
            DataSet batch = mnistLikeBatch(128, 7);
            b.stepRatio("7a", "step, 784-400-400-10, batch 128, LOCAL_REPARAMETERIZATION",
                    () -> mlp(Estimator.LOCAL_REPARAMETERIZATION), () -> mlp(false), batch);
            b.stepRatio("7b", "step, 784-400-400-10, batch 128, FLIPOUT", () -> mlp(Estimator.FLIPOUT),
                    () -> mlp(false), batch);
            b.estimatorFloor("7c");
        }
        if (rows.contains(8)) {
            b.gradientVariance(o.integer("variance-draws", 50));
        }
        if (rows.contains(9)) {
            DataSet images = mnistLikeBatch(64, 9);
            b.stepRatio("9", "step, LeNet-style CNN (fashion example), 28x28, batch 64, FLIPOUT",
                    () -> withN(new MultiLayerNetwork(FashionNetworks.bayesianCnn(28, 28, 10, 1)), 60_000),
                    () -> withN(new MultiLayerNetwork(FashionNetworks.plainCnn(28, 28, 10, 1)), 0), images);
        }
        if (rows.contains(12)) {
            DataSet images = mnistLikeBatch(256, 12);
            b.stepRatio("12", "step, LeNet-5 (conv 6-16-120 Same, dense 84; Flipout convolutions, local "
                            + "reparameterization dense layers, learned prior scale), 28x28, batch 256",
                    () -> withN(new MultiLayerNetwork(FashionNetworks.lenet5Bayesian(28, 28, 10, 1, 1e-3)), 60_000),
                    () -> withN(new MultiLayerNetwork(FashionNetworks.lenet5Plain(28, 28, 10, 1, 1e-3)), 0), images);
        }
        if (rows.contains(11)) {
            DataSet images = uniformBatch(64, 64, 11);
            b.stepRatio("11", "step, small-image CNN (conv 3x3x16, max pool, dense 64), 8x8, batch 64, FLIPOUT",
                    () -> withN(new MultiLayerNetwork(smallImageCnn(true)), 1_400),
                    () -> withN(new MultiLayerNetwork(smallImageCnn(false)), 0), images);
            b.memoryRow("11m", "peak resident memory after row 11");
        }
        if (rows.contains(14)) {
            DataSet sequences = sequenceBatch(32, 50, 14);
            for (Estimator e : new Estimator[]{Estimator.FLIPOUT, Estimator.REPARAMETERIZATION}) {
                b.stepRatio(e == Estimator.FLIPOUT ? "14a" : "14b", "step, LSTM 2 x 64 units, 50 steps, batch 32, "
                                + e + " (against DL4J's LSTM and RnnOutputLayer)",
                        () -> withN(new MultiLayerNetwork(lstm(e)), 1_000),
                        () -> withN(new MultiLayerNetwork(lstm(null)), 0), sequences);
            }
        }
        if (rows.contains(13)) {
            b.memoryOverEpochs(o.integer("memory-epochs", 4), o.integer("memory-batches", 40));
        }
        if (rows.contains(4)) {
            b.predictive();
            b.memoryRow("6b", "peak resident memory after row 4");
        }
        if (rows.contains(5)) {
            b.timeTo94();
        }
        if (rows.contains(6)) {
            b.soak(o.integer("soak-steps", 200_000), o.integer("soak-mlp-steps", 20_000));
        }
        List<String> workload = new ArrayList<>();
        if (rows.contains(10)) {
            workload = NotebookWorkload.run(o.integer("cold-runs", 3), o.flag("baseline"),
                    o.has("python") ? o.string("python", "python3") : null, o.integer("torch-threads", 1),
                    o.string("pytorch-script", "bench/scripts/pytorch_bbb.py"));
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "Machine: %d cores, %s, Java %s, ND4J backend %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch"),
                System.getProperty("java.version"), Nd4j.getBackend().getClass().getSimpleName());
        if (b.table.size() > 2) {
            b.table.forEach(System.out::println);
        }
        if (!workload.isEmpty()) {
            System.out.println();
            workload.forEach(System.out::println);
        }
        if (o.has("out")) {
            List<String> all = new ArrayList<>(b.table.size() > 2 ? b.table : List.of());
            if (!workload.isEmpty()) {
                all.add("");
                all.addAll(workload);
            }
            Files.write(Path.of(o.string("out", "bench.md")), all);
        }
    }

    /** Row 14's network: two LSTM layers of 64 units and a time-distributed regression output, Bayesian or plain. */
    static MultiLayerConfiguration lstm(Estimator estimator) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(14)
                .updater(new Adam(1e-3)).list();
        for (int i = 0; i < 2; i++) {
            list.layer(estimator == null ? new LSTM.Builder().nOut(64)
                    .activation(Activation.TANH).build()
                    : new BayesianLSTM.Builder().nOut(64).estimator(estimator).build());
        }
        list.layer(estimator == null
                ? new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1)
                        .activation(Activation.IDENTITY).build()
                : new BayesianRnnOutputLayer.Builder(LossFunctions.LossFunction.MSE)
                        .nOut(1).activation(Activation.IDENTITY).estimator(estimator).build());
        return list.setInputType(InputType.recurrent(1)).build();
    }

    /** A minibatch of {@code size} sequences {@code [size, 1, steps]} of Gaussian values and their running means. */
    static DataSet sequenceBatch(int size, int steps, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        INDArray x = Nd4j.create(DataType.FLOAT, size, 1, steps);
        INDArray y = Nd4j.create(DataType.FLOAT, size, 1, steps);
        for (int i = 0; i < size; i++) {
            double sum = 0;
            for (int t = 0; t < steps; t++) {
                double v = random.nextGaussian();
                sum += v;
                x.putScalar(new long[]{i, 0, t}, v);
                y.putScalar(new long[]{i, 0, t}, sum / (t + 1));
            }
        }
        return new DataSet(x, y);
    }

    static MultiLayerNetwork seedNet(boolean bayesian) {
        MultiLayerNetwork net = NotebookNetwork.build(bayesian, false, 0.01, 1);
        if (bayesian) {
            BayesianNetworks.setDatasetSize(net, 500);
        }
        return net;
    }

    static MultiLayerNetwork mlp(boolean bayesian) {
        return bayesian ? mlp(Estimator.REPARAMETERIZATION) : mlp(null);
    }

    /** Initializes {@code net} and, for a Bayesian network ({@code n > 0}), sets its dataset size. */
    private static MultiLayerNetwork withN(MultiLayerNetwork net, long n) {
        net.init();
        if (n > 0) {
            BayesianNetworks.setDatasetSize(net, n);
        }
        return net;
    }

    /**
     * The small-image CNN of row 11: 8x8 single-channel images, conv 3x3 (16, ReLU), max pool 2x2, dense 64 (ReLU),
     * softmax 10, Adam 3e-3; Bayesian: every weight layer with the Flipout estimator and N(0, 1) priors.
     */
    static MultiLayerConfiguration smallImageCnn(boolean bayesian) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT)
                .updater(new Adam(3e-3)).list();
        if (bayesian) {
            list.layer(new BayesianConvolutionLayer.Builder(3, 3).nOut(16).activation(Activation.RELU)
                            .estimator(Estimator.FLIPOUT).build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                            .stride(2, 2).build())
                    .layer(new BayesianDenseLayer.Builder().nOut(64).activation(Activation.RELU)
                            .estimator(Estimator.FLIPOUT).build())
                    .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                            .activation(Activation.SOFTMAX).estimator(Estimator.FLIPOUT).build());
        } else {
            list.layer(new ConvolutionLayer.Builder(3, 3).nOut(16).activation(Activation.RELU).build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                            .stride(2, 2).build())
                    .layer(new DenseLayer.Builder().nOut(64).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                            .activation(Activation.SOFTMAX).build());
        }
        return list.setInputType(InputType.convolutionalFlat(8, 8, 1)).build();
    }

    /** A minibatch of MNIST-sized inputs (uniform pixels, from a Java generator) with cycling one-hot labels. */
    static DataSet mnistLikeBatch(int size, long seed) {
        return uniformBatch(size, 784, seed);
    }

    /** A minibatch of {@code size} rows of {@code pixels} uniform values (a Java generator), cycling one-hot labels. */
    static DataSet uniformBatch(int size, int pixels, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] x = new float[size][pixels];
        for (float[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) random.nextDouble();
            }
        }
        INDArray y = Nd4j.zeros(DataType.FLOAT, size, 10);
        for (int i = 0; i < size; i++) {
            y.putScalar(i, i % 10, 1.0);
        }
        return new DataSet(Nd4j.createFromArray(x), y);
    }

    /**
     * Row 8: the variance of the first layer's weight-mean gradients over noise draws (same network, same minibatch
     * of 128, a fresh noise seed per draw), averaged over the 313,600 weights, for each estimator; and the ratio to
     * the reparameterization's. The network is the 784-400-400-10 ReLU net after 200 Adam steps of its own
     * estimator on the batch (at initialization every estimator's noise is tiny).
     */
    private void gradientVariance(int draws) {
        DataSet batch = mnistLikeBatch(128, 8);
        double reference = Double.NaN;
        for (Estimator e : Estimator.values()) {
            MultiLayerNetwork net = mlp(e);
            for (int i = 0; i < 200; i++) {
                net.fit(batch);
            }
            net.setInput(batch.getFeatures());
            net.setLabels(batch.getLabels());
            INDArray mean = null;
            INDArray m2 = null;
            for (int d = 1; d <= draws; d++) {
                BayesianNetworks.setNoiseSeed(net, d);
                net.computeGradientAndScore();
                INDArray g = net.getLayer(0).getGradientsViewArray().get(
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 784 * 400)).castTo(DataType.DOUBLE);
                if (mean == null) {
                    mean = g.dup();
                    m2 = Nd4j.zeros(DataType.DOUBLE, g.length());
                } else {
                    INDArray delta = g.sub(mean);
                    mean.addi(delta.div(d));
                    m2.addi(delta.mul(g.sub(mean)));
                }
            }
            double variance = m2.div(draws - 1).meanNumber().doubleValue();
            if (e == Estimator.REPARAMETERIZATION) {
                reference = variance;
            }
            String row = String.format(Locale.ROOT, "| 8 | gradient variance of layer 0's weight means, %s, batch 128, "
                    + "%d draws | %.3e | | %s |", e, draws, variance,
                    e == Estimator.REPARAMETERIZATION ? "1" : String.format(Locale.ROOT, "**%.1fx lower**", reference / variance));
            System.out.println(row);
            table.add(row);
        }
    }

    static MultiLayerNetwork mlp(Estimator estimator) {
        boolean bayesian = estimator != null;
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT)
                .updater(new Adam(1e-3)).list();
        if (bayesian) {
            list.layer(new BayesianDenseLayer.Builder().nIn(784).nOut(400).activation(Activation.RELU)
                            .estimator(estimator).build())
                    .layer(new BayesianDenseLayer.Builder().nIn(400).nOut(400).activation(Activation.RELU)
                            .estimator(estimator).build())
                    .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(400).nOut(10)
                            .activation(Activation.SOFTMAX).estimator(estimator).build());
        } else {
            list.layer(new DenseLayer.Builder().nIn(784).nOut(400).activation(Activation.RELU).build())
                    .layer(new DenseLayer.Builder().nIn(400).nOut(400).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(400).nOut(10)
                            .activation(Activation.SOFTMAX).build());
        }
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        if (bayesian) {
            BayesianNetworks.setDatasetSize(net, 60_000);
        }
        return net;
    }

    /** Interleaved rounds: each round times {@code steps} steps of each network; the ratio is per round. */
    private void stepRatio(String id, String what, Supplier<MultiLayerNetwork> bayesian,
                           Supplier<MultiLayerNetwork> plain, DataSet batch) {
        MultiLayerNetwork a = bayesian.get();
        MultiLayerNetwork p = plain.get();
        timedRatio(id, what, () -> a.fit(batch), () -> p.fit(batch));
    }

    /**
     * Row 7c: the work the local reparameterization and Flipout cannot avoid with DL4J's matrix products and updater,
     * against the same for plain DL4J, on the 784-400-400-10 network at batch 128. Bayesian: per layer six products
     * (two forward, two weight gradients, two input gradients), then DL4J's Adam over 956,820 parameters (mu and rho).
     * Plain DL4J: per layer four products (DL4J's dense layer computes its forward product again in the backward
     * pass), then Adam over 478,410 parameters. What a plain step costs beyond its own floor is DL4J's per-step
     * overhead, which a Bayesian step pays as well.
     */
    private void estimatorFloor(String id) {
        timedRatio(id, "floor, 784-400-400-10, batch 128: matrix products and DL4J's Adam alone, 18 products and "
                + "956,820 parameters (LOCAL_REPARAMETERIZATION, FLIPOUT) against 12 and 478,410 (plain DL4J)",
                floorStep(true), floorStep(false));
    }

    private static Runnable floorStep(boolean bayesian) {
        long[][] layers = {{784, 400}, {400, 400}, {400, 10}};
        int batch = 128;
        List<Runnable> work = new ArrayList<>();
        long weights = 0;
        for (long[] l : layers) {
            INDArray x = Nd4j.rand(DataType.FLOAT, batch, l[0]);
            INDArray w = Nd4j.rand(DataType.FLOAT, l[0], l[1]);
            INDArray z = Nd4j.create(DataType.FLOAT, batch, l[1]);
            INDArray gradW = Nd4j.create(DataType.FLOAT, l[0], l[1]);
            INDArray gradX = Nd4j.create(DataType.FLOAT, batch, l[0]);
            work.add(() -> Nd4j.gemm(x, w, z, false, false, 1.0, 0.0));
            work.add(() -> Nd4j.gemm(x, w, z, false, false, 1.0, 0.0));
            work.add(() -> Nd4j.gemm(x, z, gradW, true, false, 1.0, 0.0));
            work.add(() -> Nd4j.gemm(z, w, gradX, false, true, 1.0, 0.0));
            if (bayesian) {
                work.add(() -> Nd4j.gemm(x, z, gradW, true, false, 1.0, 0.0));
                work.add(() -> Nd4j.gemm(z, w, gradX, false, true, 1.0, 0.0));
            }
            weights += (l[0] + 1) * l[1];
        }
        long parameters = bayesian ? 2 * weights : weights;
        Adam adam = new Adam(1e-3);
        org.nd4j.linalg.learning.GradientUpdater<?> updater = adam.instantiate(
                Nd4j.zeros(DataType.FLOAT, 1, adam.stateSize(parameters)), true);
        INDArray gradient = Nd4j.rand(DataType.FLOAT, 1, parameters);
        int[] iteration = {0};
        // the update in place on the same array: finite, as Adam's steps are
        work.add(() -> updater.applyUpdater(gradient, iteration[0]++, 0));
        return () -> work.forEach(Runnable::run);
    }

    /** One row: median times of two steps, interleaved over the rounds, and their ratio. */
    private void timedRatio(String id, String what, Runnable bayesian, Runnable plain) {
        int warmup = Math.max(steps, 20);
        medianStep(bayesian, warmup);
        medianStep(plain, warmup);
        interleavedRow(id, what, () -> medianStep(bayesian, steps), () -> medianStep(plain, steps), "%.3f");
    }

    /**
     * Measures the Bayesian and the plain figure in turn, once per round, and adds the row: each side's median with
     * its range, and the median (min-max) of the rounds' ratios.
     *
     * @param format how the milliseconds are printed
     */
    private void interleavedRow(String id, String what, java.util.function.DoubleSupplier bayesian,
                                java.util.function.DoubleSupplier plain, String format) {
        double[] ta = new double[rounds];
        double[] tp = new double[rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ta[r] = bayesian.getAsDouble();
            tp[r] = plain.getAsDouble();
            ratio[r] = ta[r] / tp[r];
        }
        String row = String.format(Locale.ROOT, "| %s | %s | %s ms | %s ms | **%.2f** (%.2f-%.2f) |", id, what,
                range(ta, format), range(tp, format), median(ratio), min(ratio), max(ratio));
        System.out.println(row);
        table.add(row);
    }

    /**
     * Rows 1f and 2f: the ADVI step as users run it, {@code Advi.fit} of {@code steps} iterations per round (the
     * fused step where it covers the network, the ELBO listener), against plain DL4J's {@code net.fit} step on the
     * same data; per-round means, medians over rounds.
     *
     * @param batch 0 for the full batch, else the minibatch size
     */
    private void adviStepRatio(String id, String what, DataSet data, int batch) {
        MultiLayerNetwork a = seedNet(true);
        MultiLayerNetwork p = seedNet(false);
        List<DataSet> batches = batch > 0 ? data.batchBy(batch) : List.of(data);
        Advi advi = Advi.builder().datasetSize(data.numExamples()).iterations(steps).printEvery(0).build();
        org.nd4j.linalg.dataset.api.iterator.DataSetIterator iterator = Minibatches.of(batches, batch);
        Runnable bayesianRound = batch > 0 ? () -> advi.fit(a, iterator) : () -> advi.fit(a, data);
        Runnable plainRound = () -> {
            for (int i = 0; i < steps; i++) {
                p.fit(batches.get(i % batches.size()));
            }
        };
        bayesianRound.run();
        plainRound.run();
        interleavedRow(id, what, () -> meanMillis(bayesianRound, steps), () -> meanMillis(plainRound, steps),
                "%.4f");
    }

    /** @return the mean time of one of the {@code steps} steps {@code round} takes, in milliseconds */
    private static double meanMillis(Runnable round, int steps) {
        long start = System.nanoTime();
        round.run();
        return (System.nanoTime() - start) / 1e6 / steps;
    }

    private void predictive() {
        MultiLayerNetwork net = seedNet(true);
        double[][] grid = new double[10_000][2];
        for (int i = 0; i < 100; i++) {
            for (int j = 0; j < 100; j++) {
                grid[i * 100 + j][0] = -3 + 6.0 * j / 99;
                grid[i * 100 + j][1] = -3 + 6.0 * i / 99;
            }
        }
        INDArray x = Nd4j.create(grid).castTo(DataType.FLOAT);
        PosteriorPredictive.of(net).samples(50).keepSamples(false).predict(x);
        double[] seconds = new double[Math.max(3, rounds / 3)];
        for (int r = 0; r < seconds.length; r++) {
            long start = System.nanoTime();
            PosteriorPredictive.of(net).samples(500).keepSamples(false).predict(x);
            seconds[r] = (System.nanoTime() - start) / 1e9;
        }
        String row = String.format(Locale.ROOT, "| 4 | predictive mean and std, 10,000 grid points x 500 samples, seed net | %s s | | |",
                range(seconds, "%.2f"));
        System.out.println(row);
        table.add(row);
    }

    /** ADVI with the moons example's defaults; test accuracy checked every 50 steps (not timed). */
    private void timeTo94() {
        for (String source : List.of("generated", "notebook")) {
            MoonsData data = source.equals("generated") ? MoonsData.generate(1000, 0.2, 0) : MoonsData.notebook();
            for (String mode : List.of("full batch", "minibatch 50")) {
                timeTo94(data, source, mode);
            }
        }
    }

    private void timeTo94(MoonsData data, String source, String mode) {
        {
            MultiLayerNetwork net = NotebookNetwork.build(true, false, 0.01, 0);
            DataSet train = data.train();
            Advi advi = Advi.builder().datasetSize(train.numExamples()).iterations(50).printEvery(0)
                    .klAnnealingIterations(2000).build();
            ListDataSetIterator<DataSet> batches = Minibatches.of(train, 50);
            double trained = 0;
            int iterations = 0;
            double accuracy = 0;
            while (iterations < 20_000) {
                long start = System.nanoTime();
                if (mode.equals("full batch")) {
                    advi.fit(net, train);
                } else {
                    advi.fit(net, batches);
                }
                trained += (System.nanoTime() - start) / 1e9;
                iterations += 50;
                INDArray p = PosteriorPredictive.of(net).samples(100).keepSamples(false)
                        .predict(data.test().getFeatures()).mean();
                accuracy = ClassificationMetrics.of(p, data.test().getLabels()).accuracy();
                if (accuracy >= 0.94) {
                    break;
                }
            }
            String row = String.format(Locale.ROOT,
                    "| 5 | time to 94%% test accuracy, moons (%s data), ADVI %s, example defaults | %.2f s, %d iterations (%.1f%%) | | |",
                    source, mode, trained, iterations, 100 * accuracy);
            System.out.println(row);
            table.add(row);
        }
    }

    /**
     * Row 6c: long runs through {@link Advi}, the way users train: {@code notebookSteps} steps of the notebook's
     * network on its 500 moons (full batch) with the fused step and again with DL4J's step, and {@code mlpSteps}
     * steps of the 784-400-400-10 network on 40 minibatches of 128. Each run is cut into 10 fits of equal length
     * (the network continues over them); after the first (the warm-up) and after each fit: the live heap (after
     * full collections), ND4J's off-heap bytes (JavaCPP), the resident set and the median step time of the fit.
     * Row 6d' is the plain DL4J notebook network under {@code net.fit}, for comparison with 6d.
     */
    private void soak(int notebookSteps, int mlpSteps) {
        DataSet moons = MoonsData.generate(1000, 0.2, 0).train();
        int chunk = Math.max(1, notebookSteps / 10);
        soakRun("6c", "notebook net, fused step", notebookSteps, adviChunks(seedNet(true), chunk, true, moons));
        soakRun("6d", "notebook net, DL4J's step", notebookSteps, adviChunks(seedNet(true), chunk, false, moons));
        MultiLayerNetwork plain = seedNet(false);
        soakRun("6d'", "plain DL4J notebook net, net.fit (for 6d)", notebookSteps, () -> {
            for (int i = 0; i < chunk; i++) {
                plain.fit(moons);
            }
        });
        List<DataSet> batches = new ArrayList<>();
        for (int k = 0; k < 40; k++) {
            batches.add(mnistLikeBatch(128, 2100 + k));
        }
        MultiLayerNetwork mlp = withN(mlp(true), 128L * 40);
        Advi advi = Advi.builder().iterations(Math.max(1, mlpSteps / 10)).printEvery(0)
                .klAnnealingIterations(Math.max(1, mlpSteps / 10)).build();
        soakRun("6e", "784-400-400-10 net, minibatches of 128", mlpSteps,
                () -> advi.fit(mlp, Minibatches.of(batches, 128)));
    }

    /** @return one tenth of a soak: an {@code Advi} fit of {@code chunk} full-batch steps of {@code net} */
    private static Runnable adviChunks(MultiLayerNetwork net, int chunk, boolean fused, DataSet data) {
        Advi advi = Advi.builder().iterations(chunk).printEvery(0).klAnnealingIterations(chunk).fused(fused).build();
        return () -> advi.fit(net, data);
    }

    private void soakRun(String id, String what, int totalSteps, Runnable tenth) {
        int chunk = Math.max(1, totalSteps / 10);
        long[][] memory = new long[10][];
        double[] msPerStep = new double[10];
        for (int c = 0; c < 10; c++) {
            long start = System.nanoTime();
            tenth.run();
            msPerStep[c] = (System.nanoTime() - start) / 1e6 / chunk;
            memory[c] = memory();
            System.out.printf(Locale.ROOT, "  row %s: %,d of %,d steps, %.3f ms/step, heap %d MB, off-heap %d MB, "
                    + "RSS %d MB%n", id, (c + 1) * chunk, 10 * chunk, msPerStep[c], memory[c][0], memory[c][1],
                    memory[c][2]);
        }
        long[] max = memory[1].clone();
        for (int c = 1; c < 10; c++) {
            for (int k = 0; k < 3; k++) {
                max[k] = Math.max(max[k], memory[c][k]);
            }
        }
        String row = String.format(Locale.ROOT,
                "| %s | soak, %s: %,d steps; after the first tenth (warm-up) -> end (max over the 9 later "
                        + "checkpoints): live heap, off-heap (JavaCPP), resident; ms per step in the second and the last "
                        + "tenth | %d -> %d (%d) MB heap, %d -> %d (%d) MB off-heap, %d -> %d (%d) MB RSS; %.3f -> %.3f "
                        + "ms/step; max heap %d MB | | |",
                id, what, 10 * chunk, memory[0][0], memory[9][0], max[0], memory[0][1], memory[9][1], max[1],
                memory[0][2], memory[9][2], max[2], msPerStep[1], msPerStep[9], Runtime.getRuntime().maxMemory() >> 20);
        System.out.println(row);
        table.add(row);
    }

    /**
     * Row 13: the process's resident memory over a training of the Bayesian LeNet-5 with {@link Advi} (batch 256,
     * {@code batches} minibatches of uniform pixels per epoch, one {@code Advi.fit} per epoch as the {@code fashion}
     * example does), with the JVM's settings as started and no explicit garbage collection: VmRSS after each epoch
     * and the peak (VmHWM). Meaningful in a JVM of its own ({@code --rows 13}).
     */
    private void memoryOverEpochs(int epochs, int batches) {
        MultiLayerNetwork net = new MultiLayerNetwork(FashionNetworks.lenet5Bayesian(28, 28, 10, 1, 1e-3));
        net.init();
        List<DataSet> data = new ArrayList<>();
        for (int k = 0; k < batches; k++) {
            data.add(uniformBatch(256, 784, 1300 + k));
        }
        Advi advi = Advi.builder().datasetSize(256L * batches).iterations(batches).printEvery(0).build();
        List<String> perEpoch = new ArrayList<>();
        long start = ResidentMemory.currentMb();
        for (int e = 0; e < epochs; e++) {
            advi.fit(net, Minibatches.of(data, 256));
            perEpoch.add(Long.toString(ResidentMemory.currentMb()));
            System.out.printf(Locale.ROOT, "  row 13: epoch %d/%d, RSS %s MB (peak %d MB)%n", e + 1, epochs,
                    perEpoch.get(e), ResidentMemory.peakMb());
        }
        String row = String.format(Locale.ROOT, "| 13 | resident memory over %d epochs of %d minibatches of the "
                        + "Bayesian LeNet-5 (batch 256) through Advi, JVM as started, max heap %d MB: before -> after "
                        + "each epoch (peak) | %d -> %s MB (peak %d MB) | | |", epochs, batches,
                Runtime.getRuntime().maxMemory() >> 20, start, String.join(", ", perEpoch), ResidentMemory.peakMb());
        System.out.println(row);
        table.add(row);
    }

    private void memoryRow(String id, String what) {
        String row = String.format(Locale.ROOT, "| %s | %s | %d MB (VmHWM) | | |", id, what, ResidentMemory.peakMb());
        System.out.println(row);
        table.add(row);
    }

    /** @return {live heap after full collections, JavaCPP (off-heap) bytes, resident set}, in MB */
    private static long[] memory() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
        return new long[]{heap, Pointer.totalBytes() >> 20, ResidentMemory.currentMb()};
    }

    private static double medianStep(Runnable step, int n) {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            step.run();
            t[i] = (System.nanoTime() - start) / 1e6;
        }
        return median(t);
    }

    /** @return "median (min-max)" of {@code v} */
    static String rangeOf(double[] v, String format) {
        return range(v, format);
    }

    private static String range(double[] v, String format) {
        return String.format(Locale.ROOT, format + " (" + format + "-" + format + ")", median(v), min(v), max(v));
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
