package io.github.dl4jbayes.layers;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Bayesian layers behave as DL4J layers in the rest of DL4J's machinery. */
class NetworkIntegrationTest {

    @Test
    void nInIsInferredFromTheInputType() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
                .layer(new BayesianDenseLayer.Builder().nOut(7).activation(Activation.TANH).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nOut(1)
                        .activation(Activation.SIGMOID).build())
                .setInputType(InputType.feedForward(4))
                .build();
        MultiLayerNetwork net = TestNets.init(conf);
        assertEquals(4, ((BayesianDenseLayer) conf.getConf(0).getLayer()).getNIn());
        assertEquals(7, ((BayesianOutputLayer) conf.getConf(1).getLayer()).getNIn());
        // 2 x (4*7 + 7) + 2 x (7*1 + 1)
        assertEquals(2 * 35 + 2 * 8, net.numParams());
        assertTrue(net.summary().contains("BayesianDenseLayer"));
        assertEquals(2 * 35, conf.getConf(0).getLayer().initializer().numParams(conf.getConf(0).getLayer()));
    }

    @Test
    void cloneIsIndependent() {
        MultiLayerNetwork net = TestNets.init(TestNets.classifier(true, true, DataType.DOUBLE, new Sgd(0.1)));
        BayesianNetworks.setDatasetSize(net, 10);
        MultiLayerNetwork copy = net.clone();
        assertEquals(net.params(), copy.params());
        BayesianNetworks.setDatasetSize(copy, 99);
        BayesianNetworks.setInferenceMode(copy, InferenceMode.MEAN);
        assertEquals(10, BayesianNetworks.getDatasetSize(net));
        assertEquals(InferenceMode.SAMPLE, BayesianNetworks.getInferenceMode(net));
        assertNotSame(net.getLayerWiseConfigurations().getConf(0).getLayer(), copy.getLayerWiseConfigurations().getConf(0).getLayer());
        BayesianNetworks.setInferenceMode(net, InferenceMode.MEAN);
        INDArray x = TestNets.randn(2, DataType.DOUBLE, 3, 3);
        assertEquals(net.output(x), copy.output(x));

        // DL4J's copies start with the defaults; copyState brings the settings over
        MultiLayerNetwork second = net.clone();
        assertEquals(0, BayesianNetworks.getDatasetSize(second));
        assertEquals(InferenceMode.SAMPLE, BayesianNetworks.getInferenceMode(second));
        BayesianNetworks.setKlWeight(net, 0.4);
        BayesianNetworks.copyState(net, second);
        assertEquals(10, BayesianNetworks.getDatasetSize(second));
        assertEquals(0.4, BayesianNetworks.getKlWeight(second));
        assertEquals(InferenceMode.MEAN, BayesianNetworks.getInferenceMode(second));
        assertEquals(net.output(x), second.output(x));
    }
}
