package io.github.dl4jbayes.likelihoods;

import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.internal.StableMath;
import io.github.dl4jbayes.layers.TestNets;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LossGaussianNllTest {

    @Test
    void scoreByHand() {
        LossGaussianNll loss = new LossGaussianNll(0.0);
        // one example, one target: y = 1, mu = 0.5, raw scale 0.2 -> sigma = softplus(0.2)
        INDArray labels = Nd4j.createFromArray(new double[][]{{1.0}});
        INDArray out = Nd4j.createFromArray(new double[][]{{0.5, 0.2}});
        double sigma = StableMath.softplus(0.2);
        double expected = 0.5 * Math.log(2 * Math.PI) + Math.log(sigma) + 0.5 * Math.pow(0.5 / sigma, 2);
        assertEquals(expected, loss.computeScore(labels, out, new ActivationIdentity(), null, false), 1e-12);
        assertEquals(expected, loss.computeScoreArray(labels, out, new ActivationIdentity(), null).getDouble(0), 1e-12);
        assertThrows(IllegalArgumentException.class,
                () -> loss.computeScore(labels, Nd4j.createFromArray(new double[][]{{0.5}}), new ActivationIdentity(), null, false));
        assertThrows(IllegalArgumentException.class, () -> new LossGaussianNll(-1));
    }

    private static MultiLayerConfiguration regression() {
        return new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE).updater(new NoOp()).list()
                .layer(new BayesianDenseLayer.Builder().nIn(1).nOut(4).activation(Activation.TANH).build())
                .layer(new BayesianOutputLayer.Builder(new LossGaussianNll()).nIn(4).nOut(2)
                        .activation(Activation.IDENTITY).initialPosteriorStd(0.2).build())
                .build();
    }

    @Test
    void gradientCheckInABayesianNetwork() {
        DataType previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            MultiLayerNetwork net = new MultiLayerNetwork(regression());
            net.init();
            BayesianNetworks.setDatasetSize(net, 40);
            INDArray x = TestNets.randn(9, DataType.DOUBLE, 8, 1);
            INDArray y = TestNets.randn(10, DataType.DOUBLE, 8, 1);
            assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
                    .callEachIter(n -> BayesianNetworks.setNoiseSeed(n, 1234))));
            // labels with the output's width (2) instead of the target's (1) are refused with a message
            INDArray wrong = TestNets.randn(11, DataType.DOUBLE, 8, 2);
            assertTrue(assertThrows(RuntimeException.class, () -> net.fit(x, wrong)).getMessage().contains("labels"));
        } finally {
            Nd4j.setDefaultDataTypes(previous, previous);
        }
    }

    @Test
    void jsonRoundTrip() {
        MultiLayerConfiguration conf = regression();
        MultiLayerConfiguration restored = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(conf, restored);
        assertEquals(new LossGaussianNll(), ((BayesianOutputLayer) restored.getConf(1).getLayer()).getLossFn());
    }
}
