package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.priors.KlEstimate;
import io.github.dl4jbayes.priors.LaplacePrior;
import io.github.dl4jbayes.priors.LearnedScalePrior;
import io.github.dl4jbayes.priors.Prior;
import io.github.dl4jbayes.priors.ScaleMixturePrior;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every prior inside real networks: finite-difference gradient checks of the whole score (likelihood and KL, analytic
 * or Monte-Carlo, at frozen noise) on dense and convolution layers with each estimator; the Monte-Carlo KL of a layer
 * against its closed form; JSON and ModelSerializer round trips; bad input.
 */
class PriorNetworkTest extends DoublePrecisionGradientCheck {

    static List<Prior> priors() {
        return List.of(new GaussianPrior(0.1, 0.8), new ScaleMixturePrior(0.5, 1.0, 0.05), new LaplacePrior(-0.1, 0.5),
                LearnedScalePrior.perLayer(), LearnedScalePrior.perUnit().withInverseGammaHyperprior(2, 0.1));
    }

    static Stream<Arguments> denseCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Prior p : priors()) {
            for (Estimator e : Estimator.values()) {
                cases.add(Arguments.of(p, e, KlEstimate.MONTE_CARLO));
                if (p.hasAnalyticKl()) {
                    cases.add(Arguments.of(p, e, KlEstimate.ANALYTIC));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, {1}, {2}")
    @MethodSource("denseCases")
    void denseGradientCheck(Prior prior, Estimator estimator, KlEstimate kl) {
        denseGradientCheck(prior, estimator, kl, KernelPolicy.defaults());
    }

    private void denseGradientCheck(Prior prior, Estimator estimator, KlEstimate kl, KernelPolicy policy) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(5).dataType(DataType.DOUBLE).updater(new NoOp())
                .list()
                .layer(new BayesianDenseLayer.Builder().nIn(3).nOut(4).activation(Activation.TANH).estimator(estimator)
                        .prior(prior).klEstimate(kl).initialPosteriorStd(0.3).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(3)
                        .activation(Activation.SOFTMAX).estimator(estimator).prior(prior).klEstimate(kl)
                        .initialPosteriorStd(0.2).build())
                .build();
        MultiLayerNetwork net = TestNets.init(conf, policy);
        BayesianNetworks.setDatasetSize(net, 4);   // a small N: the KL term weighs as much as the data
        INDArray x = TestNets.randn(7, DataType.DOUBLE, 6, 3);
        INDArray y = TestNets.oneHot(6, 3, 11, DataType.DOUBLE);
        assertTrue(check(net, x, y), "gradient check failed");
    }

    /**
     * The same checks through the ND4J kernel (the bulk bridge of the priors), which a GPU backend and large HALF
     * layers use: taken here on the CPU by a kernel policy without host memory ({@link KernelPolicy#withHostMemory}).
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("kernelCases")
    void denseGradientCheckThroughTheNd4jKernel(Prior prior, KlEstimate kl) {
        denseGradientCheck(prior, Estimator.REPARAMETERIZATION, kl, TestNets.kernel("nd4j"));
    }

    static Stream<Arguments> kernelCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Prior p : priors()) {
            cases.add(Arguments.of(p, KlEstimate.MONTE_CARLO));
            if (p.hasAnalyticKl()) {
                cases.add(Arguments.of(p, KlEstimate.ANALYTIC));
            }
        }
        return cases.stream();
    }

    /**
     * Per-parameter Gaussian priors (informed priors) on both layers, through every kernel (see
     * {@code GradientCheckTest}), analytic and Monte Carlo.
     */
    @ParameterizedTest(name = "kernel={0}, {1}")
    @org.junit.jupiter.params.provider.CsvSource({"java, ANALYTIC", "nativeSoftplus, ANALYTIC", "nd4j, ANALYTIC",
            "java, MONTE_CARLO", "nativeSoftplus, MONTE_CARLO", "nd4j, MONTE_CARLO"})
    void perParameterGaussianGradientCheck(String kernel, KlEstimate kl) {
        {
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                    .seed(5).dataType(DataType.DOUBLE).updater(new NoOp())
                    .list()
                    .layer(new BayesianDenseLayer.Builder().nIn(3).nOut(4).activation(Activation.TANH).klEstimate(kl)
                            .prior(GaussianPrior.perParameter(Nd4j.linspace(-1, 1, 16, DataType.DOUBLE),
                                    Nd4j.linspace(0.3, 1.5, 16, DataType.DOUBLE)))
                            .initialPosteriorStd(0.3).build())
                    .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(3)
                            .activation(Activation.SOFTMAX).klEstimate(kl)
                            .prior(GaussianPrior.perParameter(Nd4j.linspace(0.5, -0.5, 15, DataType.DOUBLE), 0.4))
                            .initialPosteriorStd(0.2).build())
                    .build();
            MultiLayerNetwork net = TestNets.init(conf, TestNets.kernel(kernel));
            BayesianNetworks.setDatasetSize(net, 4);
            INDArray x = TestNets.randn(7, DataType.DOUBLE, 6, 3);
            INDArray y = TestNets.oneHot(6, 3, 11, DataType.DOUBLE);
            assertTrue(check(net, x, y), "gradient check failed");
        }
    }

    static Stream<Arguments> convolutionCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Prior p : priors()) {
            for (Estimator e : new Estimator[]{Estimator.REPARAMETERIZATION, Estimator.FLIPOUT}) {
                cases.add(Arguments.of(p, e));
            }
        }
        return cases.stream();
    }

    /** Bayesian convolution, pooling, Bayesian softmax output, every layer with the prior and the Monte-Carlo KL. */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("convolutionCases")
    void convolutionGradientCheck(Prior prior, Estimator estimator) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(9).dataType(DataType.DOUBLE).updater(new NoOp())
                .list()
                .layer(new BayesianConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.TANH).estimator(estimator)
                        .prior(prior).klEstimate(KlEstimate.MONTE_CARLO).initialPosteriorStd(0.2).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(1, 1).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).estimator(estimator).prior(prior).build())
                .setInputType(InputType.convolutional(6, 6, 2))
                .build();
        MultiLayerNetwork net = TestNets.init(conf);
        BayesianNetworks.setDatasetSize(net, 5);
        INDArray x = TestNets.randn(3, DataType.DOUBLE, 4, 2 * 6 * 6).reshape(4, 2, 6, 6);
        INDArray y = TestNets.oneHot(4, 3, 13, DataType.DOUBLE);
        assertTrue(check(net, x, y), "gradient check failed");
    }

    /**
     * A layer's KL with {@link KlEstimate#MONTE_CARLO} (each call a fresh draw) averages to its closed form, for a
     * small layer (Java kernel) and a large one (ND4J kernel), within 4.5 standard errors of the mean.
     */
    @Test
    void monteCarloKlOfALayerAveragesToTheClosedForm() {
        for (int nIn : new int[]{3, 700}) {
            double[] kl = new double[2];
            double sum = 0;
            double sumSq = 0;
            int draws = 3000;
            MultiLayerNetwork analytic = null;
            for (KlEstimate estimate : new KlEstimate[]{KlEstimate.ANALYTIC, KlEstimate.MONTE_CARLO}) {
                MultiLayerNetwork net = TestNets.init(new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                        .list()
                        .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(nIn).nOut(4)
                                .activation(Activation.IDENTITY).prior(new GaussianPrior(0.2, 0.5)).klEstimate(estimate)
                                .initialPosteriorStd(0.3).build())
                        .build());
                if (analytic == null) {
                    analytic = net;
                    kl[0] = BayesianNetworks.klDivergence(net);
                    continue;
                }
                net.setParams(analytic.params());
                for (int d = 0; d < draws; d++) {
                    double v = BayesianNetworks.klDivergence(net);
                    sum += v;
                    sumSq += v * v;
                }
            }
            double mean = sum / draws;
            double se = Math.sqrt((sumSq / draws - mean * mean) / draws);
            assertTrue(Math.abs(mean - kl[0]) < 4.5 * se, "nIn " + nIn + ": Monte Carlo " + mean + " +- " + se
                    + " vs closed form " + kl[0]);
        }
    }

    private static MultiLayerConfiguration withPriors(DataType type, Prior dense, Prior output, KlEstimate kl) {
        // plain SGD: Adam's epsilon (1e-8) underflows to zero in half precision
        return new NeuralNetConfiguration.Builder().seed(12).dataType(type).updater(new Sgd(0.05))
                .list()
                .layer(new BayesianDenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).prior(dense)
                        .klEstimate(kl).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).prior(output).build())
                .build();
    }

    /** Every prior and KL choice survives JSON and ModelSerializer, and the loaded network trains on, in each type. */
    @Test
    void everyPriorRoundTrips(@TempDir File dir) throws Exception {
        INDArray means = Nd4j.linspace(-1, 1, 25, DataType.DOUBLE).muli(0.3);   // 4 x 5 weights + 5 biases
        Prior[][] pairs = {
                {new ScaleMixturePrior(0.25, 1.0, Math.exp(-6)), new LaplacePrior(0.1, 0.5)},
                {LearnedScalePrior.perUnit().withInverseGammaHyperprior(1, 0.01), LearnedScalePrior.perLayer().withMinScale(1e-4)},
                {GaussianPrior.perParameter(means, 0.5), GaussianPrior.perParameter(Nd4j.zeros(DataType.DOUBLE, 18),
                        Nd4j.linspace(0.5, 2, 18, DataType.DOUBLE))},
        };
        for (DataType type : new DataType[]{DataType.HALF, DataType.FLOAT, DataType.DOUBLE}) {
            for (Prior[] pair : pairs) {
                MultiLayerConfiguration conf = withPriors(type, pair[0], pair[1], KlEstimate.MONTE_CARLO);
                MultiLayerConfiguration restored = MultiLayerConfiguration.fromJson(conf.toJson());
                assertEquals(conf, restored);
                assertEquals(pair[0], ((BayesianLayerConfig) restored.getConf(0).getLayer()).getMeanField().getPrior());
                assertEquals(KlEstimate.MONTE_CARLO,
                        ((BayesianLayerConfig) restored.getConf(0).getLayer()).getMeanField().getKlEstimate());
                MultiLayerNetwork net = TestNets.init(conf);
                BayesianNetworks.setDatasetSize(net, 40);
                INDArray x = TestNets.randn(5, type, 8, 4);
                INDArray y = TestNets.oneHot(8, 3, 2, type);
                for (int i = 0; i < 3; i++) {
                    net.fit(x, y);
                }
                assertTrue(Double.isFinite(net.score()), type + " " + pair[0] + ": score " + net.score());
                File file = new File(dir, "net-" + type + ".zip");
                ModelSerializer.writeModel(net, file, true);
                MultiLayerNetwork loaded = ModelSerializer.restoreMultiLayerNetwork(file, true);
                assertEquals(net.getLayerWiseConfigurations(), loaded.getLayerWiseConfigurations());
                assertEquals(net.params(), loaded.params());
                BayesianNetworks.setDatasetSize(loaded, 40);
                loaded.fit(x, y);
                assertTrue(Double.isFinite(loaded.score()));
            }
        }
    }

    /** A per-parameter prior stores its values as base64 of floats where they are floats: ~5.4 JSON bytes a value. */
    @Test
    void perParameterMeansAreStoredCompactly() {
        int n = 784 * 100 + 100;
        INDArray means = TestNets.randn(17, DataType.FLOAT, 1, n).reshape(n);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(784).nOut(100)
                        .activation(Activation.SOFTMAX).prior(GaussianPrior.perParameter(means, 0.1)).build())
                .build();
        String json = conf.toJson();
        assertTrue(json.length() < 6 * n, "JSON of " + json.length() + " characters for " + n + " means");
        GaussianPrior back = (GaussianPrior) ((BayesianLayerConfig) MultiLayerConfiguration.fromJson(json).getConf(0)
                .getLayer()).getMeanField().getPrior();
        for (int i = 0; i < n; i += 997) {
            assertEquals(means.getFloat(i), back.mean(i), 0.0);
        }
    }

    @Test
    void badPriorArgumentsAreNamed() {
        assertMessage(() -> new ScaleMixturePrior(0, 1, 0.1), "pi");
        assertMessage(() -> new ScaleMixturePrior(1.2, 1, 0.1), "pi");
        assertMessage(() -> new ScaleMixturePrior(0.5, -1, 0.1), "sigma1");
        assertMessage(() -> new ScaleMixturePrior(0.5, 1, 0), "sigma2");
        assertMessage(() -> new LaplacePrior(0, -0.5), "scale");
        assertMessage(() -> new LaplacePrior(Double.NaN, 1), "location");
        assertMessage(() -> GaussianPrior.perParameter(Nd4j.createFromArray(0.0, Double.NaN), 1.0), "mean of parameter 1");
        assertMessage(() -> GaussianPrior.perParameter(Nd4j.zeros(3), Nd4j.createFromArray(1.0, -1.0, 1.0)),
                "std of parameter 1");
        assertMessage(() -> GaussianPrior.perParameter(Nd4j.zeros(3), Nd4j.ones(4)), "3 means but 4 stds");
        assertMessage(() -> GaussianPrior.perParameter(Nd4j.zeros(4, 5), 1.0), "InformedPriors.centredAt");
        // a per-parameter prior of the wrong size is rejected when the network is built, naming the layer
        MultiLayerConfiguration wrongSize = new NeuralNetConfiguration.Builder().list()
                .layer(new BayesianDenseLayer.Builder().name("hidden").nIn(4).nOut(5)
                        .prior(GaussianPrior.perParameter(Nd4j.zeros(20), 1.0)).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TestNets.init(wrongSize));
        assertTrue(e.getMessage().contains("hidden") && e.getMessage().contains("20") && e.getMessage().contains("25"),
                e.getMessage());
        // the closed form asked of a prior that has none
        MultiLayerConfiguration analytic = withPriors(DataType.FLOAT, new LaplacePrior(0, 1), GaussianPrior.standardNormal(),
                KlEstimate.ANALYTIC);
        assertMessage(() -> TestNets.init(analytic), "no closed-form KL");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
