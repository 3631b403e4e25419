package io.github.dl4jbayes.training;

import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.priors.LearnedScalePrior;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The learned prior scale recovers a known scale. Linear regression {@code y = x W + noise} (noise variance 1/2, which
 * DL4J's MSE is the likelihood of), 60 inputs, three outputs whose true weights are drawn from N(0, 1), N(0, 0.2^2)
 * and zero: with one learned scale per output unit (ARD), the first two recover the root mean square of their true
 * weights, and the third, which the data do not support, falls to the floor (0.01 here) with a warning instead of
 * silently.
 *
 * <p>Tolerance: with n = 2000 examples of unit-variance inputs, each weight's posterior std is about
 * {@code sqrt(0.5 / 2000) = 0.016}; the learned variance {@code mean(mu^2 + sigma^2)} then exceeds the true weights'
 * mean square by about {@code 2 * 0.016^2 = 5e-4} and the prior's shrinkage lowers it by about as much, so the scales
 * land within 0.002 of the truth, plus optimization error; 0.01 leaves room for the latter.
 */
class LearnedPriorScaleTest {

    @Test
    void perUnitScalesRecoverTheTrueScalesAndAnUnsupportedUnitIsFlagged() {
        int n = 2000;
        int nIn = 60;
        double[] trueScales = {1.0, 0.2, 0.0};
        SplittableRandom random = new SplittableRandom(11);
        double[][] w = new double[nIn][3];
        double[] rms = new double[3];
        for (int j = 0; j < 3; j++) {
            for (int i = 0; i < nIn; i++) {
                w[i][j] = trueScales[j] * random.nextGaussian();
                rms[j] += w[i][j] * w[i][j] / nIn;
            }
            rms[j] = Math.sqrt(rms[j]);
        }
        INDArray x = TestData.randn(2024, DataType.DOUBLE, n, nIn);
        INDArray y = x.mmul(Nd4j.createFromArray(w)).addi(TestData.randn(2025, DataType.DOUBLE, n, 3).muli(Math.sqrt(0.5)));

        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.DOUBLE)
                .updater(new Adam(new ExponentialSchedule(ScheduleType.ITERATION, 0.03, Math.pow(1e-2, 1.0 / 3000))))
                .list()
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(nIn).nOut(3)
                        .activation(Activation.IDENTITY).hasBias(false).prior(LearnedScalePrior.perUnit().withMinScale(0.01))
                        .initialPosteriorStd(0.05).build())
                .build());
        net.init();
        String log = CapturedStderr.of(() -> Advi.builder().datasetSize(n).iterations(3000).printEvery(0).build()
                .fit(net, new DataSet(x, y)));

        double[] learned = BayesianNetworks.learnedPriorScales(net).get(0);
        System.out.printf("learned prior scales %.4f %.4f %.4f; true rms %.4f %.4f %.4f%n", learned[0], learned[1],
                learned[2], rms[0], rms[1], rms[2]);
        assertEquals(rms[0], learned[0], 0.01, "unit 0");
        assertEquals(rms[1], learned[1], 0.01, "unit 1");
        // no signal: the scale falls towards zero, here to the floor minScale = 0.01, and the user is told
        assertEquals(0.01, learned[2], 1e-12, "unit 2");
        assertTrue(log.contains("reached the floor"), log);
    }
}
