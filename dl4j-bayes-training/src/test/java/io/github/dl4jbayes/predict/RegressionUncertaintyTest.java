package io.github.dl4jbayes.predict;

import io.github.dl4jbayes.internal.StableMath;
import io.github.dl4jbayes.likelihoods.LossGaussianNll;
import io.github.dl4jbayes.metrics.RegressionMetrics;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Hand-computed cases: two draws predicting N(0, 1) and N(2, 1) for one observation. */
class RegressionUncertaintyTest {

    /**
     * A plain DL4J network scored with the same metrics as a Bayesian one: its output as a point-estimate predictive,
     * the log-likelihood under a given noise equal to the Gaussian formula.
     */
    @Test
    void plainNetworkAsAPointEstimate() {
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork plain = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(
                new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1)
                        .dataType(org.nd4j.linalg.api.buffer.DataType.DOUBLE).list()
                        .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(
                                org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MSE).nIn(2).nOut(1)
                                .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build())
                        .build());
        plain.init();
        INDArray x = io.github.dl4jbayes.training.TestData.randn(3, org.nd4j.linalg.api.buffer.DataType.DOUBLE, 25, 2);
        INDArray y = io.github.dl4jbayes.training.TestData.randn(4, org.nd4j.linalg.api.buffer.DataType.DOUBLE, 25, 1);
        INDArray out = plain.output(x);
        PredictiveSamples point = PredictiveSamples.pointEstimate(out);
        assertEquals(1, point.count());
        assertEquals(0.0, point.std().amaxNumber().doubleValue(), 0.0);
        double sigma = 0.7;
        RegressionMetrics m = RegressionMetrics.of(RegressionUncertainty.ofMeans(point, sigma), y);
        double expected = 0;
        for (int i = 0; i < 25; i++) {
            double r = y.getDouble(i, 0) - out.getDouble(i, 0);
            expected += -0.5 * Math.log(2 * Math.PI * sigma * sigma) - r * r / (2 * sigma * sigma);
        }
        assertEquals(expected / 25, m.meanLogLikelihood(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> PredictiveSamples.pointEstimate(null));
    }

    private static PredictiveSamples samples(double[][][] s) {
        INDArray all = Nd4j.createFromArray(s);
        return new PredictiveSamples(all.mean(0), all.std(true, 0), all, s.length);
    }

    private static RegressionUncertainty twoDraws() {
        double raw = StableMath.inverseSoftplus(1.0);
        @SuppressWarnings("deprecation")
        RegressionUncertainty u = RegressionUncertainty.of(samples(new double[][][]{{{0.0, raw}}, {{2.0, raw}}}),
                new LossGaussianNll(0.0));
        return u;
    }

    @Test
    void theLikelihoodComesFromTheNetwork() {
        LossGaussianNll floor = new LossGaussianNll(0.3);
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(
                new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1).list()
                        .layer(new io.github.dl4jbayes.layers.BayesianOutputLayer.Builder(floor).nIn(2).nOut(2)
                                .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build())
                        .build());
        net.init();
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 5, 2);
        PredictiveSamples p = PosteriorPredictive.of(net).samples(20).predict(x);
        RegressionUncertainty fromNet = RegressionUncertainty.of(net, p);
        @SuppressWarnings("deprecation")
        RegressionUncertainty explicit = RegressionUncertainty.of(p, floor);
        assertEquals(explicit.aleatoricStd().getDouble(0, 0), fromNet.aleatoricStd().getDouble(0, 0), 1e-12);
        // every predicted sigma carries the layer's floor of 0.3
        assertEquals(true, fromNet.aleatoricStd().minNumber().doubleValue() >= 0.3);
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork classifier =
                new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(
                        new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().list()
                                .layer(new io.github.dl4jbayes.layers.BayesianOutputLayer.Builder().nIn(2).nOut(2)
                                        .build())
                                .build());
        classifier.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RegressionUncertainty.of(classifier, p));
        assertEquals(true, e.getMessage().contains("LossGaussianNll"), e.getMessage());
    }

    @Test
    void decomposition() {
        RegressionUncertainty u = twoDraws();
        assertEquals(1.0, u.mean().getDouble(0, 0), 1e-12);
        assertEquals(1.0, u.epistemicStd().getDouble(0, 0), 1e-12);
        assertEquals(1.0, u.aleatoricStd().getDouble(0, 0), 1e-12);
        assertEquals(Math.sqrt(2), u.totalStd().getDouble(0, 0), 1e-12);
        INDArray[] band = u.interval(0.9);
        assertEquals(1 - 1.6448536 * Math.sqrt(2), band[0].getDouble(0, 0), 1e-6);
        assertEquals(1 + 1.6448536 * Math.sqrt(2), band[1].getDouble(0, 0), 1e-6);
        // mixture density at y = 1: both components give N(1 | 0, 1) = N(1 | 2, 1)
        assertEquals(-0.5 * Math.log(2 * Math.PI) - 0.5, u.logLikelihood(Nd4j.createFromArray(new double[][]{{1.0}}))[0], 1e-12);
        assertEquals(1.959964, RegressionUncertainty.normalQuantile(0.975), 1e-6);
        assertEquals(-2.326348, RegressionUncertainty.normalQuantile(0.01), 1e-6);
    }

    @Test
    void meansOnlyWithKnownNoise() {
        RegressionUncertainty u = RegressionUncertainty.ofMeans(samples(new double[][][]{{{0.0}}, {{2.0}}}), 0.5);
        assertEquals(0.5, u.aleatoricStd().getDouble(0, 0), 1e-12);
        assertEquals(Math.sqrt(1.25), u.totalStd().getDouble(0, 0), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> RegressionUncertainty.ofMeans(samples(new double[][][]{{{0.0}}}), -1));
        // a zero noise std makes every log-likelihood -Infinity or NaN: rejected, naming the argument
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> RegressionUncertainty.ofMeans(samples(new double[][][]{{{0.0}}}), 0));
        org.junit.jupiter.api.Assertions.assertTrue(zero.getMessage().contains("noiseStd"), zero.getMessage());
    }

    @Test
    void metrics() {
        RegressionUncertainty u = twoDraws();
        RegressionMetrics inside = RegressionMetrics.of(u, Nd4j.createFromArray(new double[][]{{1.5}}));
        assertEquals(0.5, inside.rmse(), 1e-12);
        assertEquals(1.0, inside.coverage(0.5), 0.0);
        double expected = Math.log(0.5 * Math.exp(-0.5 * 1.5 * 1.5) + 0.5 * Math.exp(-0.5 * 0.5 * 0.5)) - 0.5 * Math.log(2 * Math.PI);
        assertEquals(expected, inside.meanLogLikelihood(), 1e-12);
        RegressionMetrics outside = RegressionMetrics.of(u, Nd4j.createFromArray(new double[][]{{5.0}}));
        assertEquals(0.0, outside.coverage(0.9), 0.0);
        assertThrows(IllegalArgumentException.class, () -> RegressionMetrics.of(u, Nd4j.createFromArray(new double[][]{{1.0, 2.0}})));
    }
}
