package io.github.dl4jbayes.layers;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * DL4J builds every network's layers from the same configuration objects: two networks from one
 * {@link MultiLayerConfiguration} (an ensemble, a baseline) must each behave as if alone, whatever the other's dataset
 * size, KL weight, inference mode, training and predictions.
 */
class SharedConfigurationTest {

    /**
     * Network A's schedule: fits, sampled outputs and scores. With {@code other} set, network B (same configuration,
     * N = 7, KL weight 0.25, MEAN mode) trains and predicts between A's steps.
     */
    private static List<INDArray> scheduleOfA(MultiLayerNetwork a, MultiLayerNetwork other, INDArray x, INDArray y) {
        BayesianNetworks.setDatasetSize(a, 40);
        if (other != null) {
            BayesianNetworks.setDatasetSize(other, 7);
            BayesianNetworks.setKlWeight(other, 0.25);
            BayesianNetworks.setInferenceMode(other, InferenceMode.MEAN);
        }
        List<INDArray> seen = new ArrayList<>();
        for (int step = 0; step < 6; step++) {
            a.fit(x, y);
            if (other != null) {
                other.fit(x, y);
                other.output(x);
            }
            seen.add(a.output(x));
            seen.add(Nd4j.scalar(a.score(new DataSet(x, y))));
            // ND4J's global RNG is not the layers' noise: using it changes nothing
            Nd4j.getRandom().nextLong();
        }
        seen.add(a.params().dup());
        return seen;
    }

    @Test
    void networksFromOneConfigurationEachBehaveAsIfAlone() {
        // plain SGD: DL4J keeps the iteration counter in the MultiLayerConfiguration itself, which Adam would read
        MultiLayerConfiguration conf = TestNets.classifier(true, true, DataType.DOUBLE, new Sgd(0.05));
        INDArray x = TestNets.randn(3, DataType.DOUBLE, 12, 3);
        INDArray y = TestNets.oneHot(12, 2, 4, DataType.DOUBLE);

        List<INDArray> alone = scheduleOfA(TestNets.init(conf), null, x, y);
        MultiLayerNetwork a = TestNets.init(conf);
        MultiLayerNetwork b = TestNets.init(conf);
        List<INDArray> together = scheduleOfA(a, b, x, y);
        assertEquals(alone, together, "network A must not see network B's settings, training or predictions");

        assertEquals(40, BayesianNetworks.getDatasetSize(a));
        assertEquals(7, BayesianNetworks.getDatasetSize(b));
        assertEquals(1.0, BayesianNetworks.getKlWeight(a));
        assertEquals(0.25, BayesianNetworks.getKlWeight(b));
        assertEquals(InferenceMode.SAMPLE, BayesianNetworks.getInferenceMode(a));
        assertEquals(InferenceMode.MEAN, BayesianNetworks.getInferenceMode(b));
        assertNotEquals(a.output(x), a.output(x), "A samples");
        assertEquals(b.output(x), b.output(x), "B uses the means");
    }

    @Test
    void noiseSeedRepeatsTheDraws() {
        MultiLayerNetwork net = TestNets.init(TestNets.classifier(true, true, DataType.FLOAT, new Sgd(0.05)));
        INDArray x = TestNets.randn(3, DataType.FLOAT, 5, 3);
        BayesianNetworks.setNoiseSeed(net, 77);
        INDArray first = net.output(x);
        INDArray second = net.output(x);
        BayesianNetworks.setNoiseSeed(net, 77);
        assertEquals(first, net.output(x));
        assertEquals(second, net.output(x));
        assertNotEquals(first, second);
        // a fresh network draws as if seeded with its configuration's seed
        MultiLayerNetwork fresh = TestNets.init(TestNets.classifier(true, true, DataType.FLOAT, new Sgd(0.05)));
        INDArray freshDraw = fresh.output(x);
        BayesianNetworks.setNoiseSeed(fresh, 42);
        assertEquals(freshDraw, fresh.output(x));
    }
}
