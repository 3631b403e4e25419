package io.github.dl4jbayes.predict;

import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.InferenceMode;
import io.github.dl4jbayes.layers.MeanFieldLayout;
import io.github.dl4jbayes.layers.StableMath;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static io.github.dl4jbayes.training.AdviTest.net;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PredictiveTest {

    @Test
    void meanAndStdSummarizeTheKeptSamples() {
        MultiLayerNetwork net = net(0.01, false);
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 30, 2);
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

    @Test
    void withoutKeptSamples() {
        MultiLayerNetwork net = net(0.01, false);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 5, 2);
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
        INDArray wide = Nd4j.randn(DataType.DOUBLE, 5, 3);
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
