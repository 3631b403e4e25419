package io.github.dl4jbayes.layers;


import io.github.dl4jbayes.priors.GaussianPrior;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference gradient checks of the Bayesian layers in double precision, with the noise frozen by
 * re-seeding the layers' generators before every evaluation: the gradients of mu and rho through the likelihood and through
 * the KL term, with and without bias, with DL4J's minibatch division on and off, and with the dataset size
 * larger than the minibatch (the KL gradient must then be scaled exactly by batch / N).
 */
class GradientCheckTest extends DoublePrecisionGradientCheck {

    /**
     * Every kernel ({@link TestNets#kernel}): {@code java} (small layers on the CPU), {@code nativeSoftplus} (large
     * layers on the CPU: a threshold of 1 puts these small ones on that path), {@code nd4j} (a GPU's path, taken on
     * the CPU by a kernel policy without host memory).
     */
    @ParameterizedTest(name = "bias={0}, miniBatch={1}, batch={2}, N={3}, kernel={4}")
    @CsvSource({
            "true, true, 10, 10, java",
            "true, true, 5, 200, java",
            "false, true, 5, 200, java",
            "true, false, 8, 50, java",
            "false, false, 8, 8, java",
            // N = 1 makes the KL term dominate the score, so its gradient is checked on its own terms
            "true, true, 4, 1, java",
            "true, true, 5, 200, nativeSoftplus",
            "false, false, 8, 8, nativeSoftplus",
            "true, true, 4, 1, nativeSoftplus",
            "true, true, 5, 200, nd4j",
            "false, false, 8, 8, nd4j",
            "true, true, 4, 1, nd4j"
    })
    void bayesianClassifier(boolean hasBias, boolean miniBatch, int batch, long datasetSize, String kernel) {
        MultiLayerNetwork net = TestNets.init(TestNets.classifier(hasBias, miniBatch, DataType.DOUBLE, new NoOp()),
                TestNets.kernel(kernel));
        BayesianNetworks.setDatasetSize(net, datasetSize);
        INDArray x = TestNets.randn(7, DataType.DOUBLE, batch, 3);
        INDArray y = TestNets.oneHot(batch, 2, 11, DataType.DOUBLE);
        assertTrue(check(net, x, y), "gradient check failed");
    }

    @Test
    void klWeightAndMixedNetwork() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.DOUBLE).updater(new NoOp())
                .list()
                .layer(new DenseLayer.Builder().nIn(3).nOut(4).activation(Activation.SIGMOID).build())
                .layer(new BayesianDenseLayer.Builder().nIn(4).nOut(3).activation(Activation.TANH)
                        .prior(new GaussianPrior(0, 0.5)).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(3).nOut(1)
                        .activation(Activation.SIGMOID).initialPosteriorStd(0.5).build())
                .build();
        MultiLayerNetwork net = TestNets.init(conf);
        BayesianNetworks.setDatasetSize(net, 30);
        BayesianNetworks.setKlWeight(net, 0.37);
        INDArray x = TestNets.randn(5, DataType.DOUBLE, 6, 3);
        INDArray y = TestNets.oneHot(6, 2, 5, DataType.DOUBLE).getColumns(0);
        assertTrue(check(net, x, y), "gradient check failed");
    }
}
