package io.github.dl4jbayes.likelihoods;

import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.layers.MeanFieldLayout;
import io.github.dl4jbayes.layers.TestNets;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The homoscedastic Gaussian likelihood: a learned noise scale per target, as the output layer's own parameter. */
class LearnedNoiseTest {
    private static final LossGaussianNll LIKELIHOOD = new LossGaussianNll(1e-4);

    private static MultiLayerConfiguration linear(IUpdater updater, DataType type) {
        return new NeuralNetConfiguration.Builder().seed(4).dataType(type).updater(updater).list()
                .layer(new BayesianOutputLayer.Builder(LIKELIHOOD).nIn(2).nOut(1).activation(Activation.IDENTITY)
                        .learnedNoise(1.0).initialPosteriorStd(0.1).build())
                .build();
    }

    @Test
    void gradientCheck() {
        DataType previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            MultiLayerNetwork net = new MultiLayerNetwork(linear(new NoOp(), DataType.DOUBLE));
            net.init();
            BayesianNetworks.setDatasetSize(net, 30);
            assertEquals(java.util.List.of("Wmu", "bmu", "Wrho", "brho", "noise"),
                    new java.util.ArrayList<>(net.getLayer(0).paramTable().keySet()));
            INDArray x = TestNets.randn(2, DataType.DOUBLE, 7, 2);
            INDArray y = TestNets.randn(3, DataType.DOUBLE, 7, 1);
            assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
                    .callEachIter(n -> BayesianNetworks.setNoiseSeed(n, 1234))));
            assertArrayEquals(new long[]{7, 2}, net.output(x).shape());
        } finally {
            Nd4j.setDefaultDataTypes(previous, previous);
        }
    }

    /** y = 1.5 x1 - 0.5 x2 + N(0, 0.3^2): the learned noise std approaches 0.3 (within 10%: 400 points). */
    @Test
    void learnsTheNoiseLevel() {
        MultiLayerNetwork net = new MultiLayerNetwork(linear(new Adam(0.02), DataType.FLOAT));
        net.init();
        int n = 400;
        INDArray x = TestNets.randn(8, DataType.FLOAT, n, 2);
        INDArray y = x.mmul(Nd4j.createFromArray(1.5f, -0.5f).reshape(2, 1))
                .addi(TestNets.randn(9, DataType.FLOAT, n, 1).muli(0.3));
        BayesianNetworks.setDatasetSize(net, n);
        assertEquals(1.0, BayesianNetworks.learnedNoiseStd(net)[0], 1e-6, "the initial std, before training");
        for (int i = 0; i < 3000; i++) {
            net.fit(x, y);
        }
        double std = LIKELIHOOD.std(net.getLayer(0).getParam(MeanFieldLayout.NOISE).getDouble(0));
        assertEquals(0.3, std, 0.03, "learned noise std");
        assertEquals(std, BayesianNetworks.learnedNoiseStd(net)[0], 1e-12, "the getter");
    }

    @Test
    void jsonAndBadConfigurations() {
        MultiLayerConfiguration conf = linear(new NoOp(), DataType.FLOAT);
        MultiLayerConfiguration restored = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(conf, restored);
        assertTrue(((BayesianOutputLayer) restored.getConf(0).getLayer()).hasLearnedNoise());
        assertThrows(IllegalArgumentException.class, () -> new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MSE)
                .nIn(2).nOut(1).learnedNoise(1.0).build());
        assertThrows(IllegalArgumentException.class, () -> new BayesianOutputLayer.Builder(LIKELIHOOD).learnedNoise(0));
    }
}
