package io.github.dl4jbayes.predict;

import io.github.dl4jbayes.layers.BayesianConvolutionLayer;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.layers.Estimator;
import io.github.dl4jbayes.layers.InferenceMode;
import io.github.dl4jbayes.training.TestData;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The predictive utilities work on a Bayesian convolution network unchanged: a predictive sample is one network
 * (whole weight draws, whatever the training estimator), draws keep the kernels' shape, and the summary names them.
 */
class ConvolutionPredictiveTest {

    private static MultiLayerNetwork network() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(4).dataType(DataType.FLOAT).updater(new Adam(1e-3)).list()
                .layer(new BayesianConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU)
                        .estimator(Estimator.FLIPOUT).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).estimator(Estimator.FLIPOUT).build())
                .setInputType(InputType.convolutionalFlat(8, 8, 1))
                .build());
        net.init();
        BayesianNetworks.setDatasetSize(net, 100);
        return net;
    }

    @Test
    void predictiveDrawsAndSummaryOnConvolutions() {
        MultiLayerNetwork net = network();
        INDArray x = TestData.randn(3, DataType.FLOAT, 5, 64);
        // trains with batch normalization and pooling in between: the ELBO per example goes down on a fixed batch
        INDArray labels = org.nd4j.linalg.factory.Nd4j.eye(3).castTo(DataType.FLOAT).get(
                org.nd4j.linalg.indexing.NDArrayIndex.indices(0, 1, 2, 0, 1), org.nd4j.linalg.indexing.NDArrayIndex.all());
        org.nd4j.linalg.dataset.DataSet batch = new org.nd4j.linalg.dataset.DataSet(x, labels);
        BayesianNetworks.setNoiseSeed(net, 1);
        double before = net.score(batch, true);
        for (int i = 0; i < 200; i++) {
            net.fit(batch);
        }
        BayesianNetworks.setNoiseSeed(net, 1);
        double after = net.score(batch, true);
        assertTrue(Double.isFinite(after) && after < before, "score " + before + " -> " + after);
        PredictiveSamples p = PosteriorPredictive.of(net).samples(50).predict(x);
        assertArrayEquals(new long[]{5, 3}, p.mean().shape());
        assertTrue(p.std().maxNumber().doubleValue() > 0, "whole-weight draws vary the output");
        assertEquals(1.0, p.mean().sum(1).minNumber().doubleValue(), 1e-5, "class probabilities");
        assertEquals(InferenceMode.SAMPLE, BayesianNetworks.getInferenceMode(net), "mode restored");

        PosteriorDraws draws = PosteriorDraws.sample(net, 20, 1);
        assertArrayEquals(new long[]{20, 4, 1, 3, 3}, draws.get("0_W").shape(), "[draws, nOut, nIn, kH, kW]");
        assertArrayEquals(new long[]{20, 4}, draws.get("0_b").shape());
        PosteriorSummary summary = PosteriorSummary.of(draws, 0.94);
        assertTrue(summary.rows().stream().anyMatch(r -> r.name().equals("0_W[3,0,2,2]")), summary.toTable());
    }
}
