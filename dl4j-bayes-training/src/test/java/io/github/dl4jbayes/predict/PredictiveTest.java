package io.github.dl4jbayes.predict;

import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.InferenceMode;
import io.github.dl4jbayes.layers.MeanFieldLayout;
import io.github.dl4jbayes.internal.StableMath;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.github.dl4jbayes.training.TestData;

import static io.github.dl4jbayes.training.AdviTest.net;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PredictiveTest {

    @Test
    void meanAndStdSummarizeTheKeptSamples() {
        MultiLayerNetwork net = net(0.01, false);
        INDArray x = TestData.randn(1, DataType.DOUBLE, 30, 2);
        BayesianNetworks.setInferenceMode(net, InferenceMode.MEAN);
        PredictiveSamples p = PosteriorPredictive.of(net).samples(200).predict(x);
        assertEquals(InferenceMode.MEAN, BayesianNetworks.getInferenceMode(net), "mode restored");
        assertArrayEquals(new long[]{30, 1}, p.mean().shape());
        assertArrayEquals(new long[]{30, 1}, p.std().shape());
        assertArrayEquals(new long[]{200, 30, 1}, p.samples().shape());
        assertEquals(200, p.count());
        assertTrue(p.mean().equalsWithEps(p.samples().mean(0), 1e-12));
        assertTrue(p.std().equalsWithEps(p.samples().std(true, 0), 1e-12));
        assertTrue(p.std().minNumber().doubleValue() > 0, "sampled outputs must vary");
        assertEquals(p.samples().get(org.nd4j.linalg.indexing.NDArrayIndex.point(7)), p.sample(7));
    }

    /**
     * A HALF network's predictive mean and std must be the double-precision summaries of its own samples, up to
     * the final rounding to HALF (half an ulp, at most 2.5e-4 below 1): 2,000 samples summed in HALF drift by
     * several hundredths.
     */
    @Test
    void halfPrecisionNetworkSummariesAreAccumulatedInDouble() {
        MultiLayerNetwork net = new MultiLayerNetwork(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .seed(5).dataType(DataType.HALF).list()
                .layer(new io.github.dl4jbayes.layers.BayesianDenseLayer.Builder().nIn(2).nOut(5)
                        .activation(org.nd4j.linalg.activations.Activation.TANH).initialPosteriorStd(0.5).build())
                .layer(new io.github.dl4jbayes.layers.BayesianOutputLayer.Builder(
                        org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.XENT).nIn(5).nOut(1)
                        .activation(org.nd4j.linalg.activations.Activation.SIGMOID).initialPosteriorStd(0.5).build())
                .build());
        net.init();
        INDArray x = Nd4j.createFromArray(new double[][]{{0.3, -0.2}, {1.5, 0.7}, {-2, 1}}).castTo(DataType.HALF);
        PredictiveSamples p = PosteriorPredictive.of(net).samples(2000).predict(x);
        assertEquals(DataType.HALF, p.mean().dataType());
        INDArray samples = p.samples().castTo(DataType.DOUBLE);
        INDArray mean = samples.mean(0);
        INDArray std = samples.std(true, 0);
        double meanError = p.mean().castTo(DataType.DOUBLE).sub(mean).amaxNumber().doubleValue();
        double stdError = p.std().castTo(DataType.DOUBLE).sub(std).amaxNumber().doubleValue();
        assertTrue(meanError <= 2.5e-4, "mean off by " + meanError);
        assertTrue(stdError <= 1.3e-4, "std off by " + stdError);
    }

    /** The accumulator (every predictive's) against ND4J's own mean and std of the stacked draws. */
    @Test
    void accumulatorGivesTheMeanAndStdOfItsDraws() {
        INDArray draws = TestData.randn(3, DataType.DOUBLE, 28, 1).reshape(7, 2, 2);
        PredictiveSamples p = PredictiveSamples.of(draws);
        assertEquals(7, p.count());
        assertEquals(draws, p.samples());
        assertTrue(p.mean().equalsWithEps(draws.mean(0), 1e-14));
        assertTrue(p.std().equalsWithEps(draws.std(true, 0), 1e-14));
        PredictiveSamples.Accumulator lean = new PredictiveSamples.Accumulator(7, false);
        for (int d = 0; d < 7; d++) {
            lean.add(draws.get(org.nd4j.linalg.indexing.NDArrayIndex.point(d)));
        }
        PredictiveSamples q = lean.result();
        assertTrue(q.mean().equalsWithEps(p.mean(), 1e-14) && q.std().equalsWithEps(p.std(), 1e-14));
        assertThrows(IllegalStateException.class, q::samples);
        assertEquals(0.0, PredictiveSamples.of(draws.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)))
                .std().amaxNumber().doubleValue(), "one draw: zero spread");

        PredictiveSamples.Accumulator a = new PredictiveSamples.Accumulator(2, true);
        a.add(Nd4j.zeros(DataType.DOUBLE, 2, 2));
        assertThrows(IllegalStateException.class, a::result, "fewer draws than announced");
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> a.add(Nd4j.zeros(DataType.DOUBLE, 2, 3)));
        assertTrue(shape.getMessage().contains("shape"), shape.getMessage());
        a.add(Nd4j.ones(DataType.DOUBLE, 2, 2));
        assertThrows(IllegalStateException.class, () -> a.add(Nd4j.ones(DataType.DOUBLE, 2, 2)), "one too many");
        assertThrows(IllegalArgumentException.class, () -> PredictiveSamples.of(Nd4j.zeros(DataType.DOUBLE, 3)));
        assertThrows(IllegalArgumentException.class, () -> new PredictiveSamples.Accumulator(0, true));
    }

    @Test
    void bernoulliStdIsTheNotebooksOutcomeSpread() {
        INDArray mean = Nd4j.createFromArray(new double[][]{{0.0}, {0.5}, {0.9}});
        PredictiveSamples p = new PredictiveSamples(mean, Nd4j.zeros(DataType.DOUBLE, 3, 1), null, 10);
        assertArrayEquals(new double[]{0.0, 0.5, 0.3}, p.bernoulliStd().reshape(3).toDoubleVector(), 1e-15);
        PredictiveSamples notProbabilities = new PredictiveSamples(Nd4j.createFromArray(new double[][]{{1.5}}),
                Nd4j.zeros(DataType.DOUBLE, 1, 1), null, 10);
        assertThrows(IllegalStateException.class, notProbabilities::bernoulliStd);
    }

    /** draws x parameters past 2^31 would overflow an int index: refused up front with a message. */
    @Test
    void tooManyDrawsAreRefusedNotOverflowed() {
        MultiLayerNetwork wide = new MultiLayerNetwork(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .seed(1).list()
                .layer(new io.github.dl4jbayes.layers.BayesianDenseLayer.Builder().nIn(64).nOut(64).build())
                .layer(new io.github.dl4jbayes.layers.BayesianOutputLayer.Builder(
                        org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MSE).nIn(64).nOut(1)
                        .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build())
                .build());
        wide.init();
        // 524,288 draws x 4,096 weights = 2^31: one past the largest int
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PosteriorDraws.sample(wide, 1 << 19, 1));
        assertTrue(e.getMessage().contains("draws"), e.getMessage());
    }

    /**
     * The predictive puts its network in SAMPLE mode while it samples: a network built from the same configuration
     * and left in MEAN mode must stay there throughout (it is read on another thread while the predictive runs).
     */
    @Test
    void predictiveOnOneNetworkLeavesAnotherFromTheSameConfigurationAlone() throws Exception {
        MultiLayerNetwork sampled = net(0.01, false);
        MultiLayerNetwork other = new MultiLayerNetwork(sampled.getLayerWiseConfigurations());
        other.init();
        BayesianNetworks.setInferenceMode(other, InferenceMode.MEAN);
        INDArray x = TestData.randn(4, DataType.DOUBLE, 50, 2);
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger seenSample = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        Thread watcher = new Thread(() -> {
            while (running.get()) {
                reads.incrementAndGet();
                if (BayesianNetworks.getInferenceMode(other) != InferenceMode.MEAN) {
                    seenSample.incrementAndGet();
                }
            }
        });
        watcher.start();
        try {
            PosteriorPredictive.of(sampled).samples(2000).keepSamples(false).predict(x);
        } finally {
            running.set(false);
            watcher.join();
        }
        assertTrue(reads.get() > 0);
        assertEquals(0, seenSample.get(), "the other network left MEAN mode " + seenSample.get() + " times");
        assertEquals(other.output(x), other.output(x));
    }

    @Test
    void withoutKeptSamples() {
        MultiLayerNetwork net = net(0.01, false);
        INDArray x = TestData.randn(2, DataType.DOUBLE, 5, 2);
        PredictiveSamples p = PosteriorPredictive.of(net).samples(3).keepSamples(false).predict(x);
        assertThrows(IllegalStateException.class, p::samples);
        assertArrayEquals(new long[]{5, 1}, p.std().shape());
    }

    @Test
    void badArguments() {
        MultiLayerNetwork net = net(0.01, false);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PosteriorPredictive.of(net).samples(0))
                .getMessage().contains("samples"));
        assertThrows(IllegalArgumentException.class, () -> PosteriorPredictive.of(net).predict(null));
        INDArray wide = TestData.randn(3, DataType.DOUBLE, 5, 3);
        assertThrows(RuntimeException.class, () -> PosteriorPredictive.of(net).samples(2).predict(wide));
        assertThrows(IllegalArgumentException.class, () -> PosteriorDraws.sample(net, 0, 1));
    }

    /** Draws of the weights have the posterior's mean and std, within four standard errors. */
    @Test
    void weightDrawsFollowThePosterior() {
        MultiLayerNetwork net = net(0.01, false);
        net.getLayer(0).getParam(MeanFieldLayout.WEIGHT_RHO).assign(0.3);
        int draws = 5000;
        PosteriorDraws trace = PosteriorDraws.sample(net, draws, 3);
        assertEquals(java.util.List.of("0_W", "1_W"), iterableToList(trace.names()));
        assertArrayEquals(new long[]{draws, 2, 5}, trace.get("0_W").shape());
        assertArrayEquals(new long[]{draws, 5, 1}, trace.get("1_W").shape());
        double sigma = StableMath.softplus(0.3);
        INDArray mu = net.getLayer(0).getParam(MeanFieldLayout.WEIGHT_MU);
        double[] w01 = trace.trace("0_W", 0, 1);
        double mean = java.util.Arrays.stream(w01).average().orElseThrow();
        assertEquals(mu.getDouble(0, 1), mean, 4 * sigma / Math.sqrt(draws));
        // std of the sample std of a normal is about sigma / sqrt(2 (n - 1))
        assertTrue(trace.std("0_W").sub(sigma).amaxNumber().doubleValue() < 4 * sigma / Math.sqrt(2.0 * (draws - 1)) * 2.5);
        assertTrue(trace.mean("0_W").equalsWithEps(mu, 10 * sigma / Math.sqrt(draws)));
    }

    private static java.util.List<String> iterableToList(Iterable<String> it) {
        java.util.List<String> out = new java.util.ArrayList<>();
        it.forEach(out::add);
        return out;
    }
}
