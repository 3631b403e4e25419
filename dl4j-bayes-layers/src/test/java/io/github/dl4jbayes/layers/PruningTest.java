package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.internal.meanfield.PrunedParameters;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pruning by signal-to-noise ratio: nothing at 0, everything at a huge threshold, and a pruned network lives on. */
class PruningTest {

    /** A 784-3 dense layer (2,355 parameters a block: the ND4J kernel unpruned) and a 3-2 softmax output. */
    private static MultiLayerNetwork net(DataType type, IUpdater updater) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(21).dataType(type).updater(updater)
                .list()
                .layer(new BayesianDenseLayer.Builder().nIn(784).nOut(3).activation(Activation.TANH)
                        .initialPosteriorStd(0.02).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = TestNets.init(conf);
        BayesianNetworks.setDatasetSize(net, 100);
        return net;
    }

    private static INDArray outputInMeanMode(MultiLayerNetwork net, INDArray x) {
        InferenceMode before = BayesianNetworks.getInferenceMode(net);
        BayesianNetworks.setInferenceMode(net, InferenceMode.MEAN);
        try {
            return net.output(x);
        } finally {
            BayesianNetworks.setInferenceMode(net, before);
        }
    }

    @Test
    void thresholdZeroChangesNothing() {
        MultiLayerNetwork net = net(DataType.DOUBLE, new Sgd(0.1));
        INDArray x = TestNets.randn(1, DataType.DOUBLE, 10, 784);
        INDArray params = net.params().dup();
        double kl = BayesianNetworks.klDivergence(net);
        Pruning.Report report = BayesianNetworks.prune(net, 0.0);
        assertEquals(params, net.params());
        assertEquals(0.0, report.fractionPruned());
        assertEquals(kl, BayesianNetworks.klDivergence(net), 1e-9);
        assertFalse(TestNets.posterior(BayesianNetworks.bayesianLayers(net).get(0)).hasPruned());
        assertEquals(outputInMeanMode(net(DataType.DOUBLE, new Sgd(0.1)), x), outputInMeanMode(net, x));
    }

    /** A huge threshold prunes every weight, of every layer; biases stay; draws of the weights are exactly zero. */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"HALF", "FLOAT", "DOUBLE"})
    void hugeThresholdPrunesEveryWeight(DataType type) {
        MultiLayerNetwork net = net(type, new Sgd(0.05));
        Pruning.Report report = BayesianNetworks.prune(net, 1e30);
        assertEquals(1.0, report.fractionPruned());
        assertEquals(2, report.rows().size());
        assertEquals(784 * 3, report.rows().get(0).weights());
        assertEquals(784 * 3, report.rows().get(0).pruned());
        for (BayesianLayer layer : BayesianNetworks.bayesianLayers(net)) {
            assertTrue(TestNets.posterior(layer).hasPruned());
            assertEquals(0.0, TestNets.posterior(layer).meanWeights().amaxNumber().doubleValue(), 0.0);
        }
        // the output no longer depends on the input: only the (random) biases remain
        INDArray x = TestNets.randn(2, type, 6, 784);
        INDArray mean = outputInMeanMode(net, x);
        for (int r = 1; r < 6; r++) {
            assertEquals(mean.getRow(0), mean.getRow(r));
        }
        // a training step: the drawn weights are exactly zero, and the KL counts the biases only
        INDArray y = TestNets.oneHot(6, 2, 3, type);
        net.fit(x, y);
        BayesianLayer hidden = BayesianNetworks.bayesianLayers(net).get(0);
        assertEquals(0.0, TestNets.posterior(hidden).drawnWeights().amaxNumber().doubleValue(), 0.0);
        assertTrue(Double.isFinite(net.score()), "score " + net.score());
        double kl = BayesianNetworks.klDivergence(net);
        assertTrue(Double.isFinite(kl) && kl < 50, "KL of 5 biases " + kl);
    }

    /** Prune half the weights, train on with Adam, save, load, train on: pruned weights stay exactly zero throughout. */
    @Test
    void prunedNetworkTrainsPredictsSavesAndLoads(@TempDir File dir) throws Exception {
        MultiLayerNetwork net = net(DataType.FLOAT, new Adam(0.01));
        INDArray x = TestNets.randn(4, DataType.FLOAT, 20, 784);
        INDArray y = TestNets.oneHot(20, 2, 5, DataType.FLOAT);
        for (int i = 0; i < 5; i++) {
            net.fit(x, y);
        }
        double[] snr = Pruning.signalToNoiseRatios(net);
        assertEquals(784 * 3 + 3 * 2, snr.length);
        double median = snr[snr.length / 2];
        Pruning.Report report = BayesianNetworks.prune(net, median);
        assertEquals(0.5, report.fractionPruned(), 0.01);
        boolean[] pruned = prunedMask(net);
        for (int i = 0; i < 20; i++) {
            net.fit(x, y);
            assertTrue(Double.isFinite(net.score()));
        }
        assertPinned(net, pruned);
        File file = new File(dir, "pruned.zip");
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork loaded = ModelSerializer.restoreMultiLayerNetwork(file, true);
        BayesianNetworks.setDatasetSize(loaded, 100);
        assertTrue(TestNets.posterior(BayesianNetworks.bayesianLayers(loaded).get(0)).hasPruned());
        assertEquals(outputInMeanMode(net, x), outputInMeanMode(loaded, x));
        for (int i = 0; i < 5; i++) {
            loaded.fit(x, y);
        }
        assertPinned(loaded, pruned);
        assertEquals(0.5, Pruning.prune(loaded, 0.0).fractionPruned(), 0.01);
    }

    private static boolean[] prunedMask(MultiLayerNetwork net) {
        INDArray rho = net.getLayer(0).getParam(MeanFieldLayout.WEIGHT_RHO);
        double[] r = rho.dup('f').reshape(rho.length()).toDoubleVector();
        boolean[] mask = new boolean[r.length];
        for (int i = 0; i < r.length; i++) {
            mask[i] = PrunedParameters.isPruned(r[i]);
        }
        return mask;
    }

    private static void assertPinned(MultiLayerNetwork net, boolean[] pruned) {
        BayesianLayer hidden = BayesianNetworks.bayesianLayers(net).get(0);
        INDArray mu = TestNets.posterior(hidden).meanWeights();
        double[] m = mu.dup('f').reshape(mu.length()).toDoubleVector();
        boolean[] now = prunedMask(net);
        for (int i = 0; i < m.length; i++) {
            assertEquals(pruned[i], now[i], "pruned mark of weight " + i);
            if (pruned[i]) {
                assertEquals(0.0, m[i], 0.0, "mean of pruned weight " + i);
            }
        }
    }

    /** Convolution weights prune too. */
    @Test
    void convolutionWeightsPrune() {
        MultiLayerNetwork net = TestNets.init(new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).list()
                .layer(new BayesianConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 2)).build());
        BayesianNetworks.setDatasetSize(net, 10);
        double[] snr = Pruning.signalToNoiseRatios(net);
        Pruning.Report report = BayesianNetworks.prune(net, snr[(int) (0.9 * snr.length)]);
        assertEquals(0.9, report.fractionPruned(), 0.01);
        INDArray x = TestNets.randn(1, DataType.FLOAT, 3, 72).reshape(3, 2, 6, 6);
        net.fit(x, TestNets.oneHot(3, 2, 1, DataType.FLOAT));
        assertTrue(Double.isFinite(net.score()));
    }

    @Test
    void badThresholdIsNamed() {
        MultiLayerNetwork net = net(DataType.FLOAT, new Sgd(0.1));
        for (double bad : new double[]{-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BayesianNetworks.prune(net, bad));
            assertTrue(e.getMessage().contains("snrThreshold"), e.getMessage());
        }
    }
}
