package io.github.dl4jbayes.layers;


import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplingTest {

    @Test
    void samplesOutsideTrainingByDefaultAndUsesMeansWhenAsked() {
        MultiLayerNetwork net = TestNets.init(TestNets.classifier(true, true, DataType.DOUBLE, new Sgd(0.1)));
        INDArray x = TestNets.randn(4, DataType.DOUBLE, 6, 3);
        assertEquals(InferenceMode.SAMPLE, BayesianNetworks.getInferenceMode(net));
        assertNotEquals(net.output(x), net.output(x));

        BayesianNetworks.setInferenceMode(net, InferenceMode.MEAN);
        INDArray meanOut = net.output(x);
        assertEquals(meanOut, net.output(x));

        // MEAN mode equals a plain DL4J network holding the means as its weights
        MultiLayerConfiguration plainConf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).list()
                .layer(new DenseLayer.Builder().nIn(3).nOut(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork plain = TestNets.init(plainConf);
        for (int i = 0; i < 2; i++) {
            plain.getLayer(i).setParam("W", net.getLayer(i).getParam(MeanFieldLayout.WEIGHT_MU));
            plain.getLayer(i).setParam("b", net.getLayer(i).getParam(MeanFieldLayout.BIAS_MU));
        }
        assertTrue(meanOut.equalsWithEps(plain.output(x), 1e-12));

        // the spread of sampled outputs comes from sigma: tiny sigma, tiny spread
        BayesianNetworks.setInferenceMode(net, InferenceMode.SAMPLE);
        net.getLayer(0).getParam(MeanFieldLayout.WEIGHT_RHO).assign(-30);
        net.getLayer(0).getParam(MeanFieldLayout.BIAS_RHO).assign(-30);
        net.getLayer(1).getParam(MeanFieldLayout.WEIGHT_RHO).assign(-30);
        net.getLayer(1).getParam(MeanFieldLayout.BIAS_RHO).assign(-30);
        assertTrue(net.output(x).equalsWithEps(meanOut, 1e-9));
    }

    /** Both kernels compute the same KL and the same means-mode output, including softplus far from zero. */
    @Test
    void javaAndNd4jKernelsAgree() {
        MultiLayerNetwork[] nets = new MultiLayerNetwork[2];
        for (int k = 0; k < 2; k++) {
            nets[k] = TestNets.init(TestNets.classifier(true, true, DataType.DOUBLE, new Sgd(0.1)),
                    TestNets.kernel(k == 0 ? "java" : "nativeSoftplus"));
        }
        INDArray rho = nets[0].getLayer(0).getParam(MeanFieldLayout.WEIGHT_RHO);
        rho.putScalar(0, 0, 45.0);
        rho.putScalar(1, 1, 120.0);
        rho.putScalar(2, 2, -12.0);
        nets[1].setParams(nets[0].params());
        double javaKl = BayesianNetworks.klDivergence(nets[0]);
        double nd4jKl = BayesianNetworks.klDivergence(nets[1]);
        assertTrue(Double.isFinite(javaKl));
        assertEquals(javaKl, nd4jKl, 1e-9 * Math.abs(javaKl));
        BayesianNetworks.setDatasetSize(nets[0], 20);
        BayesianNetworks.setDatasetSize(nets[1], 20);
        INDArray x = TestNets.randn(4, DataType.DOUBLE, 6, 3);
        BayesianNetworks.setInferenceMode(nets[0], InferenceMode.MEAN);
        BayesianNetworks.setInferenceMode(nets[1], InferenceMode.MEAN);
        assertEquals(nets[0].output(x), nets[1].output(x));
    }

    /**
     * With DL4J's miniBatch(false) the loss is a sum over the minibatch, so the KL is weighted by B / N to keep its
     * share of the ELBO: for the same draw, that score is exactly B times the miniBatch(true) score.
     */
    @Test
    void klKeepsItsWeightWithoutMinibatchDivision() {
        MultiLayerNetwork mean = TestNets.init(TestNets.classifier(true, true, DataType.DOUBLE, new Sgd(0.1)));
        MultiLayerNetwork sum = TestNets.init(TestNets.classifier(true, false, DataType.DOUBLE, new Sgd(0.1)));
        sum.setParams(mean.params());
        BayesianNetworks.setDatasetSize(mean, 100);
        BayesianNetworks.setDatasetSize(sum, 100);
        INDArray x = TestNets.randn(6, DataType.DOUBLE, 8, 3);
        INDArray y = TestNets.oneHot(8, 2, 6, DataType.DOUBLE);
        org.nd4j.linalg.dataset.DataSet ds = new org.nd4j.linalg.dataset.DataSet(x, y);
        BayesianNetworks.setNoiseSeed(mean, 11);
        double perExample = mean.score(ds, true);
        BayesianNetworks.setNoiseSeed(sum, 11);
        double summed = sum.score(ds, true);
        assertEquals(8 * perExample, summed, 1e-9 * Math.abs(summed));
    }

    /** Half precision works on both kernels (the ND4J kernel's BLAS calls cover float and double only). */
    @Test
    void halfPrecisionLargeLayerTrains() {
        // plain SGD: Adam's epsilon (1e-8) underflows to zero in half precision
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.HALF).seed(1)
                .updater(new Sgd(0.01)).list()
                .layer(new BayesianDenseLayer.Builder().nIn(64).nOut(64).activation(Activation.TANH).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(64).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = TestNets.init(conf);
        BayesianNetworks.setDatasetSize(net, 32);
        INDArray x = TestNets.randn(2, DataType.HALF, 32, 64);
        INDArray y = TestNets.oneHot(32, 2, 2, DataType.HALF);
        for (int i = 0; i < 5; i++) {
            net.fit(x, y);
        }
        assertTrue(Double.isFinite(net.score()));
        assertTrue(Double.isFinite(BayesianNetworks.klDivergence(net)));
    }

    @Test
    void weightDecayNeverTouchesRho() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .updater(new Adam(0.01)).l2(0.5).weightDecay(0.1).list()
                .layer(new BayesianDenseLayer.Builder().nIn(3).nOut(4).build())
                .layer(new BayesianOutputLayer.Builder().nIn(4).nOut(2).build())
                .build();
        for (int i = 0; i < 2; i++) {
            org.deeplearning4j.nn.conf.layers.Layer layer = conf.getConf(i).getLayer();
            assertFalse(layer.getRegularizationByParam(MeanFieldLayout.WEIGHT_MU).isEmpty());
            assertNoRegularization(layer.getRegularizationByParam(MeanFieldLayout.WEIGHT_RHO));
            assertNoRegularization(layer.getRegularizationByParam(MeanFieldLayout.BIAS_RHO));
        }
    }

    private static void assertNoRegularization(List<Regularization> regularization) {
        assertTrue(regularization == null || regularization.isEmpty(), "rho is regularized: " + regularization);
    }

    @Test
    void floatNetworkTrainsLikeTheDoubleOne() {
        double[] floatRun = trainSeeded(DataType.FLOAT);
        double[] doubleRun = trainSeeded(DataType.DOUBLE);
        // the same seeds, data and noise: FLOAT follows DOUBLE's trajectory up to float rounding (2^-24 = 6e-8 per
        // operation), which 200 Adam steps of this small, smooth network amplify by far less than the factor 100 the
        // bound allows (measured: 1.6e-7 relative after 200 steps)
        assertEquals(doubleRun[0], floatRun[0], 1e-5 * Math.abs(doubleRun[0]), "initial score");
        assertEquals(doubleRun[1], floatRun[1], 1e-5 * Math.abs(doubleRun[1]), "score after 200 steps");
        assertEquals(doubleRun[2], floatRun[2], 1e-5 * Math.abs(doubleRun[2]), "KL after 200 steps");
        assertTrue(floatRun[1] < floatRun[0], "training lowered the posterior-mean score");
    }

    /** @return the posterior-mean score before and after 200 Adam steps, and the KL after */
    private static double[] trainSeeded(DataType type) {
        MultiLayerNetwork net = TestNets.init(TestNets.classifier(true, true, type, new Adam(0.05)));
        BayesianNetworks.setDatasetSize(net, 64);
        BayesianNetworks.setNoiseSeed(net, 3);
        INDArray x = TestNets.randn(8, type, 64, 3);
        INDArray y = TestNets.oneHot(64, 2, 3, type);
        org.nd4j.linalg.dataset.DataSet data = new org.nd4j.linalg.dataset.DataSet(x, y);
        BayesianNetworks.setInferenceMode(net, InferenceMode.MEAN);
        double first = net.score(data, false);
        BayesianNetworks.setInferenceMode(net, InferenceMode.SAMPLE);
        for (int i = 0; i < 200; i++) {
            net.fit(x, y);
        }
        assertEquals(type, net.params().dataType());
        BayesianNetworks.setInferenceMode(net, InferenceMode.MEAN);
        return new double[]{first, net.score(data, false), BayesianNetworks.klDivergence(net)};
    }
}
