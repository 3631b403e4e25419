package io.github.dl4jbayes.training;

import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.predict.PosteriorDraws;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.predict.PredictiveSamples;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ADVI, the ELBO listener, the posterior predictive and the weight draws on DL4J's {@link ComputationGraph}: a chain
 * graph and the equivalent {@link MultiLayerNetwork} give the same ELBO trace from the same seed (full batch,
 * minibatches, several Monte-Carlo samples); a graph with two inputs and two outputs trains on
 * {@code MultiDataSet}s and their iterators and is sampled output by output.
 */
class ComputationGraphAdviTest {

    private static final int ITERATIONS = 150;

    /** The notebook's 2-5-5-1 network as a MultiLayerNetwork (DOUBLE, no biases, N(0, 1) initial means, Adam). */
    static MultiLayerNetwork notebookNet() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(4).dataType(DataType.DOUBLE).updater(new Adam(0.01)).weightInit(new NormalDistribution(0, 1))
                .list()
                .layer(new BayesianDenseLayer.Builder().nIn(2).nOut(5).activation(Activation.TANH).hasBias(false).build())
                .layer(new BayesianDenseLayer.Builder().nIn(5).nOut(5).activation(Activation.TANH).hasBias(false).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(5).nOut(1)
                        .activation(Activation.SIGMOID).hasBias(false).build())
                .build());
        net.init();
        return net;
    }

    /** The same network as a chain graph, its layers named as the MultiLayerNetwork names them. */
    static ComputationGraph notebookGraph() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(4).dataType(DataType.DOUBLE).updater(new Adam(0.01)).weightInit(new NormalDistribution(0, 1))
                .graphBuilder()
                .addInputs("x")
                .addLayer("layer0", new BayesianDenseLayer.Builder().nIn(2).nOut(5).activation(Activation.TANH)
                        .hasBias(false).build(), "x")
                .addLayer("layer1", new BayesianDenseLayer.Builder().nIn(5).nOut(5).activation(Activation.TANH)
                        .hasBias(false).build(), "layer0")
                .addLayer("layer2", new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(5).nOut(1)
                        .activation(Activation.SIGMOID).hasBias(false).build(), "layer1")
                .setOutputs("layer2")
                .build());
        graph.init();
        return graph;
    }

    /**
     * Seeds each Bayesian layer's noise by its position among the network's layers: a graph numbers its layers by
     * vertex (the input vertex comes first), a MultiLayerNetwork by position, so their default noise differs.
     */
    static void seedByPosition(org.deeplearning4j.nn.api.Model model, long seed) {
        List<io.github.dl4jbayes.layers.BayesianLayer> layers = BayesianNetworks.bayesianLayers(model);
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).meanFieldState().setNoiseSeed(io.github.dl4jbayes.layers.MeanFieldState.layerSeed(seed, i));
        }
    }

    /**
     * Same seed, same initial parameters, same noise (seeded layer by layer in the same order), same arithmetic: the
     * ELBO traces agree to rounding. DL4J's standard step on both (the fused step covers MultiLayerNetworks only, and
     * computes in another order).
     */
    @ParameterizedTest(name = "mode {0}")
    @ValueSource(strings = {"full batch", "minibatches of 50", "3 Monte-Carlo samples"})
    void graphAndMultiLayerNetworkReachTheSameElbo(String mode) {
        DataSet data = AdviTest.data(200);
        MultiLayerNetwork net = notebookNet();
        ComputationGraph graph = notebookGraph();
        assertEquals(net.params(), graph.params(), "same seed and layer names, same initial parameters");
        seedByPosition(net, 21);
        seedByPosition(graph, 21);
        double[][] traces = new double[2][];
        for (int k = 0; k < 2; k++) {
            Advi advi = Advi.builder().datasetSize(200).iterations(ITERATIONS).printEvery(0).fused(false)
                    .mcSamples(mode.startsWith("3") ? 3 : 1).klAnnealingIterations(50).build();
            org.deeplearning4j.nn.api.Model model = k == 0 ? net : graph;
            ElboHistory history = mode.startsWith("mini") ? advi.fit(model, data, 50) : advi.fit(model, data);
            traces[k] = history.elbos();
        }
        assertEquals(ITERATIONS, traces[1].length);
        for (int i = 0; i < ITERATIONS; i++) {
            assertEquals(traces[0][i], traces[1][i], 1e-9 * Math.abs(traces[0][i]), "ELBO at step " + (i + 1));
        }
        assertTrue(net.params().equalsWithEps(graph.params(), 1e-9), "parameters after " + ITERATIONS + " steps");
        assertEquals(net.getIterationCount(), graph.getIterationCount());
        assertEquals(net.getEpochCount(), graph.getEpochCount());
    }

    /**
     * Two inputs ({@code a}: 3 features, {@code b}: 2), a merge, a skip connection, and two outputs: a 2-class
     * softmax {@code cls} and a regression {@code reg} (identity, MSE).
     */
    static ComputationGraph twoInTwoOut() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(8).dataType(DataType.FLOAT).updater(new Adam(0.02))
                .graphBuilder()
                .addInputs("a", "b")
                .addLayer("h1", new BayesianDenseLayer.Builder().nIn(3).nOut(6).activation(Activation.TANH).build(), "a")
                .addVertex("merged", new MergeVertex(), "h1", "b")
                .addLayer("h2", new BayesianDenseLayer.Builder().nIn(8).nOut(6).activation(Activation.TANH).build(),
                        "merged")
                .addVertex("skip", new ElementWiseVertex(ElementWiseVertex.Op.Add), "h2", "h1")
                .addLayer("cls", new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "skip")
                .addLayer("reg", new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(6).nOut(1)
                        .activation(Activation.IDENTITY).build(), "skip")
                .setOutputs("cls", "reg")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** Class = sign of a0 + b0, target = a1 - b1: learnable from both inputs together. */
    static MultiDataSet twoInTwoOutData(int n, long seed) {
        INDArray a = TestData.randn(seed, DataType.FLOAT, n, 3);
        INDArray b = TestData.randn(seed + 1, DataType.FLOAT, n, 2);
        INDArray cls = org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, n, 2);
        INDArray reg = org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, n, 1);
        for (int i = 0; i < n; i++) {
            cls.putScalar(i, a.getDouble(i, 0) + b.getDouble(i, 0) > 0 ? 1 : 0, 1.0);
            reg.putScalar(i, 0, a.getDouble(i, 1) - b.getDouble(i, 1));
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{a, b}, new INDArray[]{cls, reg});
    }

    static double mean(double[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i];
        }
        return sum / (to - from);
    }

    @Test
    void twoInputsAndTwoOutputsTrainOnMultiDataSets() {
        ComputationGraph graph = twoInTwoOut();
        MultiDataSet data = twoInTwoOutData(200, 30);
        ElboHistory history = Advi.builder().datasetSize(200).iterations(400).printEvery(0).build().fit(graph, data);
        double[] elbo = history.elbos();
        double first = mean(elbo, 0, 20);
        double last = mean(elbo, 380, 400);
        // a trained network explains the data far better than its random start (several hundred nats here)
        assertTrue(last > first + 100, "ELBO from " + first + " to " + last);

        PosteriorPredictive predictive = PosteriorPredictive.of(graph).samples(40);
        MultiDataSet test = twoInTwoOutData(100, 40);
        PredictiveSamples[] out = predictive.predictAll(test.getFeatures());
        assertEquals(2, out.length);
        assertArrayEquals(new long[]{100, 2}, out[0].mean().shape());
        assertArrayEquals(new long[]{100, 1}, out[1].mean().shape());
        assertArrayEquals(new long[]{40, 100, 2}, out[0].samples().shape());
        // the mean and std are those of the kept samples
        INDArray kept = out[1].samples().castTo(DataType.DOUBLE);
        assertTrue(kept.mean(0).castTo(DataType.FLOAT).equalsWithEps(out[1].mean(), 1e-5));
        assertTrue(kept.std(true, 0).castTo(DataType.FLOAT).equalsWithEps(out[1].std(), 1e-4));
        int correct = 0;
        INDArray labels = test.getLabels(0);
        for (int i = 0; i < 100; i++) {
            boolean predicted = out[0].mean().getDouble(i, 1) > 0.5;
            correct += predicted == labels.getDouble(i, 1) > 0.5 ? 1 : 0;
        }
        // a linear boundary with 200 examples: far above the 50% of guessing
        assertTrue(correct >= 85, "accuracy " + correct + "%");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> predictive.predict(test.getFeatures(0)));
        assertTrue(e.getMessage().contains("predictAll"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> predictive.predictAll(test.getFeatures(0)));
        assertTrue(e.getMessage().contains("2 input(s)"), e.getMessage());
    }

    /** A resettable iterator over in-memory minibatches (DL4J ships none for several inputs). */
    static MultiDataSetIterator iterator(List<MultiDataSet> batches) {
        return new MultiDataSetIterator() {
            private int next;

            @Override
            public MultiDataSet next(int num) {
                return next();
            }

            @Override
            public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
                throw new IllegalStateException("not needed here");
            }

            @Override
            public MultiDataSetPreProcessor getPreProcessor() {
                return null;
            }

            @Override
            public boolean resetSupported() {
                return true;
            }

            @Override
            public boolean asyncSupported() {
                return false;
            }

            @Override
            public void reset() {
                next = 0;
            }

            @Override
            public boolean hasNext() {
                return next < batches.size();
            }

            @Override
            public MultiDataSet next() {
                return batches.get(next++);
            }
        };
    }

    /** Minibatches from a MultiDataSetIterator: the iterator is cycled (an epoch per pass), the ELBO rises. */
    @Test
    void multiDataSetIteratorIsCycled() {
        ComputationGraph graph = twoInTwoOut();
        List<MultiDataSet> batches = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            batches.add(twoInTwoOutData(50, 100 + 2 * k));
        }
        ElboHistory history = Advi.builder().datasetSize(200).iterations(400).printEvery(0).build()
                .fit(graph, iterator(batches));
        assertEquals(400, history.size());
        assertEquals(100, graph.getEpochCount(), "400 steps over 4 minibatches: 100 completed passes");
        double[] elbo = history.elbos();
        assertTrue(mean(elbo, 360, 400) > mean(elbo, 0, 40) + 100);
    }

    /** A graph of one input and output on a DataSetIterator: the same trace as the MultiLayerNetwork's. */
    @Test
    void dataSetIteratorOnAGraph() {
        DataSet data = AdviTest.data(200);
        MultiLayerNetwork net = notebookNet();
        ComputationGraph graph = notebookGraph();
        seedByPosition(net, 5);
        seedByPosition(graph, 5);
        double[][] traces = new double[2][];
        for (int k = 0; k < 2; k++) {
            // one list element (a minibatch of 40) per next(): ListDataSetIterator's second argument counts elements
            org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<DataSet> batches =
                    new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(data.batchBy(40), 1);
            traces[k] = Advi.builder().datasetSize(200).iterations(12).printEvery(0).fused(false).build()
                    .fit(k == 0 ? net : graph, batches).elbos();
        }
        assertArrayEquals(traces[0], traces[1], 1e-9 * Math.abs(traces[0][0]));
        assertEquals(2, graph.getEpochCount(), "12 steps over 5 minibatches: 2 completed passes");
    }

    /** Draws are named as DL4J's parameter table names them: by vertex in a graph. */
    @Test
    void drawsAreNamedByVertex() {
        PosteriorDraws draws = PosteriorDraws.sample(twoInTwoOut(), 10, 3);
        List<String> names = new ArrayList<>();
        draws.names().forEach(names::add);
        assertEquals(List.of("h1_W", "h1_b", "h2_W", "h2_b", "cls_W", "cls_b", "reg_W", "reg_b"), names);
        assertArrayEquals(new long[]{10, 3, 6}, draws.get("h1_W").shape());
    }

    /** The listener on its own, through DL4J's own fit of a graph. */
    @Test
    void elboListenerOnAGraphFit() {
        ComputationGraph graph = notebookGraph();
        BayesianNetworks.setDatasetSize(graph, 200);
        ElboListener listener = new ElboListener(0);
        graph.setListeners(listener);
        DataSet data = AdviTest.data(200);
        for (int i = 0; i < 5; i++) {
            graph.fit(data);
        }
        assertEquals(5, listener.history().size());
        // score = -ELBO / N with the KL weight 1
        assertEquals(-200 * graph.score(), listener.history().last(), 1e-9 * 200 * Math.abs(graph.score()));
    }
}
