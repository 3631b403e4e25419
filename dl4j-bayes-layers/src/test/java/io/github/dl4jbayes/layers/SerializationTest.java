package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.layers.impl.BayesianDenseLayerImpl;
import io.github.dl4jbayes.layers.impl.BayesianOutputLayerImpl;

import io.github.dl4jbayes.priors.GaussianPrior;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class SerializationTest {

    /** A network mixing a plain DL4J DenseLayer with Bayesian layers, with a non-default prior. */
    private static MultiLayerConfiguration mixed() {
        return new NeuralNetConfiguration.Builder()
                .seed(12).dataType(DataType.FLOAT).updater(new Adam(0.01)).l2(1e-4)
                .list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.RELU).build())
                .layer(new BayesianDenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH)
                        .prior(new GaussianPrior(0.5, 2.0)).initialPosteriorStd(0.1).hasBias(false).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
    }

    @Test
    void jsonRoundTrip() {
        MultiLayerConfiguration conf = mixed();
        MultiLayerNetwork original = TestNets.init(conf);
        BayesianNetworks.setDatasetSize(original, 123);
        String json = conf.toJson();
        MultiLayerConfiguration restored = MultiLayerConfiguration.fromJson(json);
        assertEquals(conf, restored);
        assertEquals(json, restored.toJson());
        BayesianDenseLayer layer = (BayesianDenseLayer) restored.getConf(1).getLayer();
        assertEquals(new GaussianPrior(0.5, 2.0), layer.getMeanField().getPrior());
        assertEquals(0.1, layer.getMeanField().getInitialPosteriorStd());
        assertEquals(false, layer.hasBias());
        // run-time state (N, KL weight, inference mode) is the network's, never the configuration's
        assertFalse(json.contains("datasetSize") || json.contains("klWeight") || json.contains("inferenceMode"), json);

        MultiLayerNetwork copy = new MultiLayerNetwork(restored);
        copy.init(original.params().dup(), false);
        BayesianNetworks.setInferenceMode(original, InferenceMode.MEAN);
        BayesianNetworks.setInferenceMode(copy, InferenceMode.MEAN);
        INDArray x = TestNets.randn(3, DataType.FLOAT, 7, 4);
        assertEquals(original.output(x), copy.output(x));
    }

    @Test
    void modelSerializerRoundTrip(@TempDir File dir) throws Exception {
        MultiLayerNetwork net = TestNets.init(mixed());
        BayesianNetworks.setDatasetSize(net, 50);
        INDArray x = TestNets.randn(5, DataType.FLOAT, 10, 4);
        INDArray y = TestNets.oneHot(10, 3, 2, DataType.FLOAT);
        for (int i = 0; i < 5; i++) {
            net.fit(x, y);
        }
        File file = new File(dir, "bnn.zip");
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork loaded = ModelSerializer.restoreMultiLayerNetwork(file, true);

        assertInstanceOf(BayesianDenseLayerImpl.class, loaded.getLayer(1));
        assertInstanceOf(BayesianOutputLayerImpl.class, loaded.getLayer(2));
        assertEquals(net.params(), loaded.params());
        assertEquals(net.getUpdater().getStateViewArray(), loaded.getUpdater().getStateViewArray());
        // N is the network's run-time state, not saved: a loaded network asks for it before training
        assertEquals(0, BayesianNetworks.getDatasetSize(loaded));
        IllegalStateException unset = assertThrows(IllegalStateException.class, () -> loaded.fit(x, y));
        assertTrue(unset.getMessage().contains("dataset size N is not set"), unset.getMessage());
        BayesianNetworks.setDatasetSize(loaded, 50);
        BayesianNetworks.setNoiseSeed(net, 5);
        BayesianNetworks.setNoiseSeed(loaded, 5);
        assertEquals(net.score(new org.nd4j.linalg.dataset.DataSet(x, y)),
                loaded.score(new org.nd4j.linalg.dataset.DataSet(x, y)), 0.0, "same parameters, noise and N: same score");

        BayesianNetworks.setInferenceMode(net, InferenceMode.MEAN);
        BayesianNetworks.setInferenceMode(loaded, InferenceMode.MEAN);
        assertEquals(net.output(x), loaded.output(x));

        // sampling mode: draws differ from call to call, and the means are what MEAN mode uses
        BayesianNetworks.setInferenceMode(loaded, InferenceMode.SAMPLE);
        assertNotEquals(loaded.output(x), loaded.output(x));
        // training continues after loading
        loaded.fit(x, y);
    }

    /** Configurations saved when the run-time settings lived in the configuration still load (and ignore them). */
    @Test
    void jsonOfEarlierVersionsLoads() {
        MultiLayerConfiguration conf = mixed();
        String json = conf.toJson();
        String old = json.replace("\"initialPosteriorStd\" : 0.1",
                "\"datasetSize\" : 123, \"inferenceMode\" : \"MEAN\", \"initialPosteriorStd\" : 0.1, \"klWeight\" : 0.5");
        assertNotEquals(json, old, "the test must inject the old fields");
        MultiLayerConfiguration restored = MultiLayerConfiguration.fromJson(old);
        assertEquals(conf, restored);
        MultiLayerNetwork net = TestNets.init(restored);
        assertEquals(0, BayesianNetworks.getDatasetSize(net));
        assertEquals(1.0, BayesianNetworks.getKlWeight(net));
        assertEquals(InferenceMode.SAMPLE, BayesianNetworks.getInferenceMode(net));
    }
}
