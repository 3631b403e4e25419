package io.github.dl4jbayes.layers;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Sgd;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each bad argument raises an exception whose message names the problem. */
class BadInputTest {

    private static void assertMessage(Throwable e, String... words) {
        String message = e.getMessage();
        for (String word : words) {
            assertTrue(message != null && message.contains(word), "message '" + message + "' should name '" + word + "'");
        }
    }

    @Test
    void layerSizes() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new BayesianDenseLayer.Builder().nIn(0)), "nIn");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new BayesianDenseLayer.Builder().nOut(-3)), "nOut");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new BayesianOutputLayer.Builder().nIn(-1L)), "nIn");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new BayesianOutputLayer.Builder().nOut(0)), "nOut");
    }

    @Test
    void posteriorStdAndPrior() {
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> new BayesianDenseLayer.Builder().initialPosteriorStd(0)), "initialPosteriorStd");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> new BayesianOutputLayer.Builder().initialPosteriorStd(Double.NaN)), "initialPosteriorStd");
        assertMessage(assertThrows(NullPointerException.class, () -> new BayesianDenseLayer.Builder().prior(null)), "prior");
    }

    @Test
    void datasetSize() {
        MultiLayerNetwork net = TestNets.init(TestNets.classifier(true, true, DataType.FLOAT, new Sgd(0.1)));
        INDArray x = TestNets.randn(1, DataType.FLOAT, 4, 3);
        INDArray y = TestNets.oneHot(4, 2, 1, DataType.FLOAT);
        // fitting with N unset says how to set it
        assertMessage(assertThrows(IllegalStateException.class, () -> net.fit(x, y)), "dataset size", "datasetSize");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> BayesianNetworks.setDatasetSize(net, 0)),
                "datasetSize");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> BayesianNetworks.setDatasetSize(net, -5)),
                "datasetSize");
    }

    @Test
    void inputAndLabelShapes() {
        MultiLayerNetwork net = TestNets.init(TestNets.classifier(true, true, DataType.FLOAT, new Sgd(0.1)));
        BayesianNetworks.setDatasetSize(net, 100);
        INDArray wide = TestNets.randn(1, DataType.FLOAT, 4, 5);
        assertMessage(assertThrows(RuntimeException.class, () -> net.output(wide)), "Input size");
        INDArray x = TestNets.randn(1, DataType.FLOAT, 4, 3);
        INDArray badLabels = TestNets.oneHot(4, 3, 1, DataType.FLOAT);
        assertMessage(assertThrows(RuntimeException.class, () -> net.fit(x, badLabels)), "labels", "nOut");
        INDArray fewLabels = TestNets.oneHot(3, 2, 1, DataType.FLOAT);
        assertMessage(assertThrows(RuntimeException.class, () -> net.fit(x, fewLabels)), "labels");
    }
}
