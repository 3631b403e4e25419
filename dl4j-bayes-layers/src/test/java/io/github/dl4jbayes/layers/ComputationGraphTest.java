package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.internal.NetworkAdapter;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.layers.InformedPriors;
import io.github.dl4jbayes.priors.KlEstimate;
import io.github.dl4jbayes.priors.Prior;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bayesian layers in DL4J's {@link ComputationGraph}: finite-difference gradient checks (double precision, frozen
 * noise) through a graph with two inputs, a merge and a skip connection, with every estimator and prior; a Bayesian
 * convolution in a graph; JSON and ModelSerializer round trips; the network-wide settings; informed priors from a
 * trained graph; pruning.
 */
class ComputationGraphTest extends DoublePrecisionGradientCheck {

    /**
     * Two inputs: {@code a} (3 features) through a Bayesian dense layer {@code h1}, merged with {@code b} (2
     * features), then a Bayesian dense layer {@code h2}; the output layer sees {@code h2 + h1} (a skip connection
     * around {@code h2}, an element-wise sum) and predicts 3 classes.
     */
    static ComputationGraphConfiguration twoInputsWithSkip(Estimator estimator, Prior prior, KlEstimate kl,
                                                          DataType type, long seed) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(type).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("a", "b")
                .addLayer("h1", new BayesianDenseLayer.Builder().nIn(3).nOut(4).activation(Activation.TANH)
                        .estimator(estimator).prior(prior).klEstimate(kl).initialPosteriorStd(0.3).build(), "a")
                .addVertex("merged", new MergeVertex(), "h1", "b")
                .addLayer("h2", new BayesianDenseLayer.Builder().nIn(6).nOut(4).activation(Activation.TANH)
                        .estimator(estimator).prior(prior).klEstimate(kl).initialPosteriorStd(0.2).build(), "merged")
                .addVertex("skip", new ElementWiseVertex(ElementWiseVertex.Op.Add), "h2", "h1")
                .addLayer("out", new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(3)
                        .activation(Activation.SOFTMAX).estimator(estimator).prior(prior).klEstimate(kl)
                        .initialPosteriorStd(0.2).build(), "skip")
                .setOutputs("out")
                .build();
    }

    static ComputationGraph init(ComputationGraphConfiguration conf) {
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    static INDArray[] inputs(DataType type) {
        return new INDArray[]{TestNets.randn(7, type, 6, 3), TestNets.randn(8, type, 6, 2)};
    }

    /**
     * DL4J's finite-difference check with the noise frozen. The absolute floor is the central difference's round-off:
     * a score S is known to S * 1.1e-16, so {@code (S+ - S-) / 2e-6} is off by about S * 1.1e-10, 2.6e-9 for the
     * scores near 24 of these graphs (N = 4 makes the KL term large): 1e-8.
     */
    static boolean check(ComputationGraph graph, INDArray[] inputs, INDArray[] labels) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph).inputs(inputs)
                .labels(labels).epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                .callEachIter(g -> BayesianNetworks.setNoiseSeed(g, 1234)));
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Estimator e : Estimator.values()) {
            cases.add(Arguments.of(e, new GaussianPrior(0.1, 0.8), KlEstimate.ANALYTIC));
        }
        for (Prior p : PriorNetworkTest.priors()) {
            cases.add(Arguments.of(Estimator.REPARAMETERIZATION, p, KlEstimate.MONTE_CARLO));
        }
        return cases.stream();
    }

    /** The whole score (likelihood and KL of every layer, counted once) through merge and skip vertices. */
    @ParameterizedTest(name = "{0}, {1}, {2}")
    @MethodSource("cases")
    void gradientCheckThroughTwoInputsAndASkipConnection(Estimator estimator, Prior prior, KlEstimate kl) {
        ComputationGraph graph = init(twoInputsWithSkip(estimator, prior, kl, DataType.DOUBLE, 5));
        BayesianNetworks.setDatasetSize(graph, 4);   // a small N: the KL term weighs as much as the data
        assertTrue(check(graph, inputs(DataType.DOUBLE), new INDArray[]{TestNets.oneHot(6, 3, 11, DataType.DOUBLE)}),
                "gradient check failed");
    }

    /** The score of a graph counts each layer's KL once: score = mean loss + sum of KL / N. */
    @Test
    void scoreIsLossPlusKlOverN() {
        ComputationGraph graph = init(twoInputsWithSkip(Estimator.REPARAMETERIZATION, new GaussianPrior(0, 1),
                KlEstimate.ANALYTIC, DataType.DOUBLE, 5));
        INDArray[] x = inputs(DataType.DOUBLE);
        INDArray[] y = {TestNets.oneHot(6, 3, 11, DataType.DOUBLE)};
        BayesianNetworks.setInferenceMode(graph, InferenceMode.MEAN);
        BayesianNetworks.setDatasetSize(graph, 10);
        BayesianNetworks.setNoiseSeed(graph, 3);
        double small = graph.score(new org.nd4j.linalg.dataset.MultiDataSet(x, y), true);
        BayesianNetworks.setDatasetSize(graph, 1000);
        BayesianNetworks.setNoiseSeed(graph, 3);
        double large = graph.score(new org.nd4j.linalg.dataset.MultiDataSet(x, y), true);
        double kl = BayesianNetworks.klDivergence(graph);
        assertTrue(kl > 0);
        // same draws, same loss: the scores differ by KL (1/10 - 1/1000)
        assertEquals(kl * (0.1 - 0.001), small - large, 1e-9 * kl);
    }

    /** A Bayesian Flipout convolution, pooling and a Bayesian output layer as graph vertices. */
    @ParameterizedTest
    @EnumSource(value = Estimator.class, names = {"REPARAMETERIZATION", "FLIPOUT"})
    void convolutionGradientCheck(Estimator estimator) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(9).dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("image")
                .setInputTypes(InputType.convolutional(6, 6, 2))
                .addLayer("conv", new BayesianConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.TANH)
                        .estimator(estimator).initialPosteriorStd(0.2).build(), "image")
                .addLayer("pool", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(1, 1).build(), "conv")
                .addLayer("out", new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).estimator(estimator).build(), "pool")
                .setOutputs("out")
                .build();
        ComputationGraph graph = init(conf);
        BayesianNetworks.setDatasetSize(graph, 30);
        INDArray x = TestNets.randn(3, DataType.DOUBLE, 4, 2 * 6 * 6).reshape(4, 2, 6, 6);
        assertTrue(check(graph, new INDArray[]{x}, new INDArray[]{TestNets.oneHot(4, 3, 13, DataType.DOUBLE)}),
                "gradient check failed");
    }

    @Test
    void jsonAndModelSerializerRoundTrips(@TempDir File dir) throws Exception {
        ComputationGraphConfiguration conf = twoInputsWithSkip(Estimator.FLIPOUT, new GaussianPrior(0.1, 0.8),
                KlEstimate.MONTE_CARLO, DataType.FLOAT, 5);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        assertEquals(conf.toJson(), back.toJson());

        ComputationGraph graph = init(conf);
        File file = new File(dir, "graph.zip");
        ModelSerializer.writeModel(graph, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        assertEquals(graph.params(), restored.params());
        BayesianNetworks.setInferenceMode(graph, InferenceMode.MEAN);
        BayesianNetworks.setInferenceMode(restored, InferenceMode.MEAN);
        INDArray[] x = inputs(DataType.FLOAT);
        assertEquals(graph.output(x)[0], restored.output(x)[0]);
        assertEquals(Estimator.FLIPOUT, ((BayesianLayer) restored.getLayer("h2")).bayesianConfig().getMeanField()
                .getEstimator());
    }

    /** N, KL weight, inference mode and noise seed reach every Bayesian vertex; reseeding repeats the draws. */
    @Test
    void settingsReachEveryBayesianVertex() {
        ComputationGraph graph = init(twoInputsWithSkip(Estimator.REPARAMETERIZATION, new GaussianPrior(0, 1),
                KlEstimate.AUTO, DataType.DOUBLE, 5));
        assertEquals(3, BayesianNetworks.bayesianLayers(graph).size());
        BayesianNetworks.setDatasetSize(graph, 77);
        BayesianNetworks.setKlWeight(graph, 0.25);
        for (BayesianLayer layer : BayesianNetworks.bayesianLayers(graph)) {
            assertEquals(77, layer.meanFieldState().getDatasetSize());
            assertEquals(0.25, layer.meanFieldState().getKlWeight());
        }
        INDArray[] x = inputs(DataType.DOUBLE);
        BayesianNetworks.setNoiseSeed(graph, 11);
        INDArray first = graph.output(x)[0];
        INDArray second = graph.output(x)[0];
        assertNotEquals(first, second, "fresh draws should differ");
        BayesianNetworks.setNoiseSeed(graph, 11);
        assertEquals(first, graph.output(x)[0], "reseeding should repeat the draws");
        BayesianNetworks.setInferenceMode(graph, InferenceMode.MEAN);
        assertEquals(graph.output(x)[0], graph.output(x)[0]);

        // the configuration's seed given to setNoiseSeed repeats a fresh graph's draws: one numbering of the layers
        BayesianNetworks.setInferenceMode(graph, InferenceMode.SAMPLE);
        ComputationGraph fresh = init(twoInputsWithSkip(Estimator.REPARAMETERIZATION, new GaussianPrior(0, 1),
                KlEstimate.AUTO, DataType.DOUBLE, 5));
        INDArray freshDraw = fresh.output(x)[0];
        BayesianNetworks.setNoiseSeed(graph, 5);
        assertEquals(freshDraw, graph.output(x)[0]);
    }

    /** A trained plain graph becomes Bayesian with priors at its weights: the mean outputs are the trained ones. */
    @Test
    void informedPriorsFromATrainedGraph() {
        ComputationGraphConfiguration plain = new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.DOUBLE).updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("a", "b")
                .addLayer("h1", new DenseLayer.Builder().nIn(3).nOut(4).activation(Activation.TANH).build(), "a")
                .addVertex("merged", new MergeVertex(), "h1", "b")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "merged")
                .setOutputs("out")
                .build();
        ComputationGraph trained = init(plain);
        INDArray[] x = inputs(DataType.DOUBLE);
        INDArray[] y = {TestNets.oneHot(6, 3, 11, DataType.DOUBLE)};
        for (int i = 0; i < 5; i++) {
            trained.fit(x, y);
        }
        ComputationGraph bayesian = InformedPriors.fromTrained(trained, 0.05);
        assertEquals(2, BayesianNetworks.bayesianLayers(bayesian).size());
        BayesianNetworks.setInferenceMode(bayesian, InferenceMode.MEAN);
        INDArray expected = trained.output(x)[0];
        INDArray actual = bayesian.output(x)[0];
        assertTrue(expected.equalsWithEps(actual, 1e-12), "mean outputs differ from the trained graph's");
        assertArrayEquals(new String[]{"a", "b"}, bayesian.getConfiguration().getNetworkInputs().toArray());
    }

    /** Pruning reaches every Bayesian vertex: all weights pruned, every drawn weight exactly 0, rows per vertex. */
    @Test
    void pruningAGraph() {
        ComputationGraph graph = init(twoInputsWithSkip(Estimator.REPARAMETERIZATION, new GaussianPrior(0, 1),
                KlEstimate.AUTO, DataType.FLOAT, 5));
        Pruning.Report report = BayesianNetworks.prune(graph, 1e30);
        assertEquals(3, report.rows().size());
        assertEquals(1.0, report.fractionPruned(), 1e-12);
        graph.output(inputs(DataType.FLOAT));
        for (BayesianLayer layer : BayesianNetworks.bayesianLayers(graph)) {
            assertEquals(0.0, TestNets.posterior(layer).drawnWeights().amaxNumber().doubleValue(), 0.0);
        }
    }

    @Test
    void badInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BayesianNetworks.setDatasetSize(new ComputationGraph(twoInputsWithSkip(
                        Estimator.REPARAMETERIZATION, new GaussianPrior(0, 1), KlEstimate.AUTO, DataType.FLOAT, 5)), 10));
        assertTrue(e.getMessage().contains("not initialized"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NetworkAdapter.of(null));
        assertTrue(e.getMessage().contains("MultiLayerNetwork or a ComputationGraph"), e.getMessage());
    }
}
