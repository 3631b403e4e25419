package io.github.dl4jbayes.training;

import io.github.dl4jbayes.layers.BayesianLSTM;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.BayesianRnnOutputLayer;
import io.github.dl4jbayes.layers.Estimator;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.predict.PosteriorStreams;
import io.github.dl4jbayes.predict.PredictiveSamples;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Advi} on Bayesian LSTMs (sequence data, masks, truncated BPTT, graphs), the posterior predictive on sequences
 * and {@link PosteriorStreams}.
 */
class RecurrentAdviTest {
    static final int STEPS = 12;

    /**
     * A task only a memory solves: inputs {@code x_t ~ N(0, 1)}, label of step {@code t} is 1 when
     * {@code x_t + x_{t-1} > 0} (the first step: {@code x_0 > 0}), as one-hot {@code [n, 2, T]}.
     */
    static DataSet memoryTask(int n, long seed) {
        INDArray x = TestData.randn(seed, DataType.FLOAT, n, STEPS).reshape(n, 1, STEPS);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 2, STEPS);
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < STEPS; t++) {
                double s = x.getDouble(i, 0, t) + (t > 0 ? x.getDouble(i, 0, t - 1) : 0.0);
                y.putScalar(new long[]{i, s > 0 ? 1 : 0, t}, 1.0);
            }
        }
        return new DataSet(x, y);
    }

    static MultiLayerConfiguration classifier(Estimator estimator) {
        return new NeuralNetConfiguration.Builder()
                .seed(11).dataType(DataType.FLOAT).updater(new Adam(1e-2))
                .list()
                .layer(new BayesianLSTM.Builder().nOut(8).estimator(estimator).initialPosteriorStd(0.05).build())
                .layer(new BayesianRnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).estimator(estimator).initialPosteriorStd(0.05).build())
                .setInputType(InputType.recurrent(1))
                .build();
    }

    static double mean(double[] a, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += a[i];
        }
        return s / (to - from);
    }

    static double accuracy(INDArray probabilities, INDArray labels) {
        INDArray predicted = probabilities.argMax(1);
        INDArray actual = labels.argMax(1);
        return predicted.eq(actual).castTo(DataType.DOUBLE).meanNumber().doubleValue();
    }

    /** A seeded fit learns the memory task (chance: 50 %); the predictive on sequences has the sequences' shape. */
    @ParameterizedTest
    @EnumSource(value = Estimator.class, names = {"REPARAMETERIZATION", "FLIPOUT"})
    void learnsASequenceTask(Estimator estimator) {
        Nd4j.getRandom().setSeed(1);
        MultiLayerNetwork net = new MultiLayerNetwork(classifier(estimator));
        net.init();
        DataSet train = memoryTask(512, 3);
        DataSet test = memoryTask(200, 4);
        ElboHistory h = Advi.builder().datasetSize(512).iterations(400).printEvery(0).build().fit(net, train, 32);
        assertTrue(h.meanOfLast(50) > mean(h.elbos(), 0, 50), "the ELBO rises");
        PredictiveSamples p = PosteriorPredictive.of(net).samples(20).predict(test.getFeatures());
        assertArrayEquals(new long[]{200, 2, STEPS}, p.mean().shape());
        assertArrayEquals(new long[]{200, 2, STEPS}, p.std().shape());
        double acc = accuracy(p.mean(), test.getLabels());
        assertTrue(acc > 0.9, "test accuracy " + acc);
    }

    /** Variable lengths: masked steps neither train nor break the fit. */
    @Test
    void masksAreHonoured() {
        MultiLayerNetwork net = new MultiLayerNetwork(classifier(Estimator.FLIPOUT));
        net.init();
        DataSet d = memoryTask(64, 5);
        INDArray mask = Nd4j.ones(DataType.FLOAT, 64, STEPS);
        for (int i = 0; i < 64; i++) {
            for (int t = STEPS - i % 5; t < STEPS; t++) {
                mask.putScalar(i, t, 0.0);
            }
        }
        d.setFeaturesMaskArray(mask);
        d.setLabelsMaskArray(mask);
        // labels of masked steps are noise: a fit that used them could not reach a perfect score on the others
        Advi.builder().datasetSize(64).iterations(30).printEvery(0).build().fit(net, d, 16);
        assertTrue(Double.isFinite(net.score()));
        INDArray out = net.output(d.getFeatures(), false, mask, null);
        assertEquals(0.0, out.get(NDArrayIndex.point(4), NDArrayIndex.all(), NDArrayIndex.point(STEPS - 1))
                .sumNumber().doubleValue(), 0.0, "a masked step's output is zero, as DL4J's");
    }

    /** Fits {@code iterations} minibatches of 32 with Advi (no warm-up) and returns the KL weight of every optimizer step. */
    static List<Double> klWeightsOfSteps(Model net, int iterations, long seed) {
        List<Double> weights = new ArrayList<>();
        BaseTrainingListener listener = new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                weights.add(BayesianNetworks.getKlWeight(model));
            }
        };
        if (net instanceof MultiLayerNetwork m) {
            m.setListeners(listener);
        } else {
            ((ComputationGraph) net).setListeners(listener);
        }
        Advi.builder().datasetSize(64).iterations(iterations).printEvery(0).klAnnealingIterations(0).build()
                .fit(net, memoryTask(64, seed), 32);
        return weights;
    }

    /** Truncated BPTT: each of the 3 segments carries a third of the KL term, so the minibatch counts it once. */
    @Test
    void truncatedBpttCountsTheKlOncePerMinibatch() {
        MultiLayerConfiguration conf = classifier(Estimator.FLIPOUT);
        conf.setBackpropType(BackpropType.TruncatedBPTT);
        conf.setTbpttFwdLength(4);
        conf.setTbpttBackLength(4);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        List<Double> weights = klWeightsOfSteps(net, 5, 6);
        assertEquals(15, weights.size(), "5 minibatches of 3 segments: 15 optimizer steps");
        for (double w : weights) {
            assertEquals(1.0 / 3.0, w, 1e-12);
        }
        assertEquals(1.0, BayesianNetworks.getKlWeight(net), 0.0, "the fit restores the KL weight");
        assertEquals(15, net.getIterationCount());
        assertThrows(IllegalArgumentException.class, () -> Advi.builder().datasetSize(64).iterations(1).mcSamples(2)
                .printEvery(0).build().fit(net, memoryTask(64, 6), 32));
    }

    /** @return a graph of one Bayesian LSTM (6 units) and a time-distributed softmax of 2 classes, one input */
    private static ComputationGraphConfiguration.GraphBuilder sequenceGraph() {
        return new NeuralNetConfiguration.Builder()
                .seed(11).dataType(DataType.FLOAT).updater(new Adam(1e-2))
                .graphBuilder().addInputs("x")
                .addLayer("lstm", new BayesianLSTM.Builder().nOut(6).build(), "x")
                .addLayer("out", new BayesianRnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "lstm")
                .setOutputs("out").setInputTypes(InputType.recurrent(1));
    }

    /** The same under truncated BPTT in a ComputationGraph. */
    @Test
    void truncatedBpttInAGraph() {
        ComputationGraphConfiguration conf = sequenceGraph()
                .backpropType(BackpropType.TruncatedBPTT).tBPTTForwardLength(5).tBPTTBackwardLength(5)
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        List<Double> weights = klWeightsOfSteps(graph, 4, 9);
        assertEquals(12, weights.size(), "4 minibatches of 3 segments (5 + 5 + 2 steps)");
        for (double w : weights) {
            assertEquals(1.0 / 3.0, w, 1e-12);
        }
        assertTrue(Double.isFinite(graph.score()));
        assertEquals(1.0, BayesianNetworks.getKlWeight(graph), 0.0);
    }

    @Test
    void computationGraphWithSequences() {
        ComputationGraphConfiguration conf = sequenceGraph().build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        DataSet d = memoryTask(128, 7);
        ElboHistory h = Advi.builder().datasetSize(128).iterations(60).printEvery(0).build().fit(graph, d, 32);
        assertEquals(60, h.size());
        assertTrue(h.meanOfLast(10) > mean(h.elbos(), 0, 10));
        assertArrayEquals(new long[]{128, 2, STEPS},
                PosteriorPredictive.of(graph).samples(3).predict(d.getFeatures()).mean().shape());
    }

    /**
     * Streams hold their draw: a stream stepped through a sequence one step at a time gives its own output on the
     * whole sequence; streams differ from one another, the same seed gives the same streams, the network is unchanged.
     */
    @Test
    void streamsKeepOneDrawPerStream() {
        MultiLayerNetwork net = new MultiLayerNetwork(classifier(Estimator.FLIPOUT));
        net.init();
        BayesianNetworks.setDatasetSize(net, 100);
        // wider posteriors than the initial ones, so that the draws differ visibly
        net.getLayer(0).getParam("Wrho").assign(-1.0);
        INDArray before = net.params().dup();
        INDArray x = memoryTask(3, 8).getFeatures();
        PosteriorStreams streams = PosteriorStreams.of(net, 4, 99);
        INDArray[] stepwise = new INDArray[4];
        for (int t = 0; t < STEPS; t++) {
            PredictiveSamples step = streams.rnnTimeStep(x.get(NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.interval(t, t + 1)).dup());
            for (int s = 0; s < 4; s++) {
                INDArray out = step.sample(s);
                stepwise[s] = stepwise[s] == null ? out : Nd4j.concat(2, stepwise[s], out);
            }
        }
        for (int s = 0; s < 4; s++) {
            INDArray whole = ((MultiLayerNetwork) streams.stream(s)).output(x);
            assertTrue(whole.equalsWithEps(stepwise[s], 1e-5), "stream " + s);
        }
        assertFalse(stepwise[0].equalsWithEps(stepwise[1], 1e-3), "two streams, two draws");
        PosteriorStreams again = PosteriorStreams.of(net, 4, 99);
        assertEquals(((MultiLayerNetwork) streams.stream(2)).params(), ((MultiLayerNetwork) again.stream(2)).params());
        assertEquals(before, net.params());
        assertThrows(IllegalArgumentException.class, () -> PosteriorStreams.of(net, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> streams.stream(4));
    }
}
