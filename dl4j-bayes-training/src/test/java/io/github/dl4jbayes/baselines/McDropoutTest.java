package io.github.dl4jbayes.baselines;

import io.github.dl4jbayes.metrics.PredictiveEvaluation;
import io.github.dl4jbayes.predict.PredictiveSamples;
import io.github.dl4jbayes.training.TestData;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class McDropoutTest {

    @Test
    void passesDifferRepeatWithTheSeedAndLeaveTheNetworkAsItWas() {
        DataSet data = BaselineNets.blobs(1, 60, 3);
        MultiLayerNetwork net = BaselineNets.trained(BaselineNets.classifier(2, 3, 0.7), data, 30);
        INDArray x = data.getFeatures().getRows(0, 1, 2, 3, 4, 5);
        INDArray params = net.params().dup();
        INDArray output = net.output(x);
        int iterations = net.getIterationCount();
        int epochs = net.getEpochCount();

        PredictiveSamples p = McDropout.of(net).samples(50).seed(7).predict(x);
        assertEquals(List.of(50L, 6L, 3L), List.of(p.samples().size(0), p.samples().size(1), p.samples().size(2)));
        assertTrue(p.std().minNumber().doubleValue() > 0, "every output varies over the passes");
        assertNotEquals(p.sample(0), p.sample(1));
        PredictiveSamples again = McDropout.of(net).samples(50).seed(7).predict(x);
        assertEquals(p.samples(), again.samples(), "the same seed gives the same passes");
        PredictiveSamples other = McDropout.of(net).samples(50).seed(8).predict(x);
        assertNotEquals(p.samples(), other.samples());

        assertEquals(params, net.params(), "parameters unchanged");
        assertEquals(output, net.output(x), "the network's own output unchanged");
        assertEquals(iterations, net.getIterationCount());
        assertEquals(epochs, net.getEpochCount());
        assertTrue(net.getLayer(0).input() == null, "the layers' inputs cleared, as after output()");
    }

    @Test
    void batchNormalizationUsesItsRunningStatistics() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).updater(new Adam(0.01)).list()
                .layer(new DenseLayer.Builder().nIn(2).nOut(8).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().nOut(8).build())
                .layer(new DenseLayer.Builder().nIn(8).nOut(8).activation(Activation.TANH).dropOut(1.0).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build()).build());
        net.init();
        DataSet data = BaselineNets.blobs(4, 60, 3);
        BaselineNets.trained(net, data, 30);
        INDArray x = data.getFeatures().getRows(0, 1, 2);
        // retain probability 1: the passes are deterministic, so they must equal inference exactly
        PredictiveSamples p = McDropout.of(net).samples(3).predict(x);
        assertEquals(net.output(x), p.mean());
        assertNotEquals(net.output(x, true), p.mean(), "DL4J's training-mode output normalizes by the batch");
        org.deeplearning4j.nn.api.Layer bn = net.getLayer(1);
        assertTrue(bn instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization, "put back: " + bn);
        // a pass that fails (3 input columns for 2) leaves the network's own layers in place as well
        assertThrows(Exception.class, () -> McDropout.of(net).samples(2).predict(
                TestData.randn(1, DataType.DOUBLE, 3, 3)));
        assertSame(bn, net.getLayer(1), "put back after an exception");
        assertSame(bn, net.getLayers()[1]);

        // the same as a graph, through its own vertex-by-vertex pass
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).updater(new Adam(0.01)).graphBuilder().addInputs("in")
                .addLayer("d", new DenseLayer.Builder().nIn(2).nOut(8).activation(Activation.IDENTITY).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().nOut(8).build(), "d")
                .addLayer("h", new DenseLayer.Builder().nIn(8).nOut(8).activation(Activation.TANH).dropOut(1.0)
                        .build(), "bn")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "h")
                .setOutputs("out").build());
        graph.init();
        for (int i = 0; i < 30; i++) {
            graph.fit(data);
        }
        PredictiveSamples g = McDropout.of(graph).samples(2).predict(x);
        assertEquals(graph.outputSingle(x), g.mean());
        assertNotEquals(graph.outputSingle(true, x), g.mean());
        assertTrue(graph.getVertex("bn").getLayer()
                instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization, "put back in the graph");
    }

    /** Weight noise alone (DropConnect) is MC "dropout" too: each pass draws its own noisy weights. */
    @Test
    void weightNoiseDrawsAnewEveryPass() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(11)
                .dataType(DataType.DOUBLE).list()
                .layer(new DenseLayer.Builder().nIn(2).nOut(8).activation(Activation.TANH)
                        .weightNoise(new org.deeplearning4j.nn.conf.weightnoise.DropConnect(0.7)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build()).build());
        net.init();
        PredictiveSamples p = McDropout.of(net).samples(5).seed(4).predict(TestData.randn(5, DataType.DOUBLE, 4, 2));
        for (int s = 1; s < 5; s++) {
            assertNotEquals(p.sample(0), p.sample(s), "pass " + s + " drew its own weights");
        }
    }

    @Test
    void computationGraphsToo() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE)
                .updater(new Adam(0.02)).graphBuilder().addInputs("in")
                .addLayer("h", new DenseLayer.Builder().nIn(2).nOut(16).activation(Activation.TANH).dropOut(0.7)
                        .build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "h")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        DataSet data = BaselineNets.blobs(6, 60, 3);
        for (int i = 0; i < 30; i++) {
            graph.fit(data);
        }
        INDArray x = data.getFeatures().getRows(0, 1, 2, 3);
        INDArray params = graph.params().dup();
        PredictiveSamples p = McDropout.of(graph).samples(40).seed(1).predict(x);
        assertEquals(List.of(4L, 3L), List.of(p.mean().size(0), p.mean().size(1)));
        assertTrue(p.std().minNumber().doubleValue() > 0);
        assertEquals(p.samples(), McDropout.of(graph).samples(40).seed(1).predict(x).samples());
        assertEquals(params, graph.params());
    }

    @Test
    void evaluatedLikeAnyPredictive() {
        DataSet data = BaselineNets.blobs(7, 90, 3);
        MultiLayerNetwork net = BaselineNets.trained(BaselineNets.classifier(8, 3, 0.8), data, 60);
        PredictiveEvaluation.Classification c = PredictiveEvaluation.of(McDropout.of(net).samples(30).seed(2))
                .classification(new ListDataSetIterator<>(data.asList(), 30));
        assertEquals(90, c.evaluation().getNumRowCounter());
        assertTrue(c.evaluation().accuracy() > 0.8, "blobs are separable: " + c.evaluation().accuracy());
        assertThrows(IllegalStateException.class,
                () -> PredictiveEvaluation.of(McDropout.of(net)).samples(10));
    }

    @Test
    void rejectsANetworkWithoutDropout() {
        MultiLayerNetwork plain = BaselineNets.classifier(9, 3, 1.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> McDropout.of(plain));
        assertTrue(e.getMessage().contains("no layer has dropout"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> McDropout.of(null));
        MultiLayerNetwork net = BaselineNets.classifier(10, 3, 0.5);
        assertThrows(IllegalArgumentException.class, () -> McDropout.of(net).samples(0));
        assertThrows(IllegalArgumentException.class, () -> McDropout.of(net).predict(null));
        assertTrue(McDropout.of(net).samples(3).predict(TestData.randn(1, DataType.DOUBLE, 2, 2)).count() == 3);
    }
}
