package io.github.dl4jbayes.training;

import io.github.dl4jbayes.internal.fused.FusedDenseStack;

import io.github.dl4jbayes.layers.BayesianConvolutionLayer;
import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.layers.Estimator;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused step computes what DL4J's standard step computes: two networks from one configuration and seed, one
 * fitted with the fused step and one with DL4J's, end with the same parameters and the same ELBO trace. Both draw
 * the same noise (each layer's own generator), so the only differences are rounding: the fused step works in double
 * precision, DL4J in the network's type. Tolerances: DOUBLE networks 1e-9 (rounding of ~1e-16 per operation,
 * amplified by Adam's normalization over the steps); FLOAT networks 1e-4 (float rounding of 6e-8 per operation,
 * the same amplification), on parameters of order 1.
 */
class FusedDenseStackTest {

    /** The fused step is the CPU backend's: on a GPU backend (mvn -Dcuda) these tests are skipped. */
    @org.junit.jupiter.api.BeforeAll
    static void cpuBackendOnly() {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.github.dl4jbayes.internal.HostLoops.backendInHostMemory(),
                "the fused step runs on the CPU backend only");
    }

    private static final int STEPS = 40;

    private static double tolerance(DataType type) {
        return type == DataType.DOUBLE ? 1e-9 : 1e-4;
    }

    /** Two-class data with y = 1 when x1 + x2 &gt; 0, seeded. */
    private static DataSet data(DataType type, int n, int nIn, int classes, boolean oneHot) {
        Random r = new Random(11);
        double[][] x = new double[n][nIn];
        double[][] y = new double[n][oneHot ? classes : classes == 0 ? 2 : 1];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < nIn; j++) {
                x[i][j] = r.nextGaussian();
                s += x[i][j] * (j + 1);
            }
            if (oneHot) {
                y[i][(int) Math.floorMod(Math.round(s), classes)] = 1;
            } else if (classes == 0) {                 // regression: two targets
                y[i][0] = s + 0.1 * r.nextGaussian();
                y[i][1] = 0.5 * s * s - 1 + 0.1 * r.nextGaussian();
            } else {
                y[i][0] = s > 0 ? 1 : 0;
            }
        }
        return new DataSet(Nd4j.create(x).castTo(type), Nd4j.create(y).castTo(type));
    }

    private static MultiLayerNetwork build(DataType type, IUpdater updater, GradientNormalization gn, Layer... layers) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(3).dataType(type)
                .updater(updater).gradientNormalization(gn).gradientNormalizationThreshold(0.5).list();
        for (Layer l : layers) {
            list.layer(l);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
    }

    /** The notebook's network: 2-5-5-1 tanh, no biases, Bernoulli likelihood. */
    private static MultiLayerNetwork seedNet(DataType type, IUpdater updater) {
        return build(type, updater, GradientNormalization.None,
                new BayesianDenseLayer.Builder().nIn(2).nOut(5).activation(Activation.TANH).hasBias(false).build(),
                new BayesianDenseLayer.Builder().nIn(5).nOut(5).activation(Activation.TANH).hasBias(false).build(),
                new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(5).nOut(1)
                        .activation(Activation.SIGMOID).hasBias(false).build());
    }

    /** Fits two networks from {@code factory}, one per path, and compares parameters and ELBO traces. */
    private static void assertPathsAgree(Function<Void, MultiLayerNetwork> factory, DataType type,
                                         Function<Advi.Builder, Advi.Builder> options,
                                         Function<MultiLayerNetwork, Function<Advi, ElboHistory>> fit) {
        MultiLayerNetwork fused = factory.apply(null);
        MultiLayerNetwork standard = factory.apply(null);
        assertNull(FusedDenseStack.whyNot(fused), "the fused path should cover this network");
        ElboHistory a = fit.apply(fused).apply(options.apply(Advi.builder().iterations(STEPS).printEvery(0)).build());
        ElboHistory b = fit.apply(standard).apply(options.apply(Advi.builder().iterations(STEPS).printEvery(0))
                .fused(false).build());
        INDArray pa = fused.params().castTo(DataType.DOUBLE);
        INDArray pb = standard.params().castTo(DataType.DOUBLE);
        double diff = pa.sub(pb).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance(type), "parameters differ by " + diff + " after " + STEPS + " steps");
        double[] ea = a.elbos();
        double[] eb = b.elbos();
        assertEquals(eb.length, ea.length);
        for (int i = 0; i < ea.length; i++) {
            assertEquals(eb[i], ea[i], tolerance(type) * Math.max(1, Math.abs(eb[i])), "ELBO at step " + (i + 1));
        }
        assertTrue(pa.sub(factory.apply(null).params().castTo(DataType.DOUBLE)).amaxNumber().doubleValue() > 1e-3,
                "the fit should have moved the parameters");
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void notebookNetworkFullBatchWithAdam(DataType type) {
        DataSet d = data(type, 200, 2, 2, false);
        assertPathsAgree(v -> seedNet(type, new Adam(0.01)), type, o -> o.datasetSize(200),
                net -> advi -> advi.fit(net, d));
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void softmaxReluWithBiasesOnMinibatchesWithKlWarmupAndScheduledSgd(DataType type) {
        DataSet d = data(type, 120, 3, 4, true);
        List<DataSet> batches = d.batchBy(30);
        IUpdater sgd = new Sgd(new ExponentialSchedule(ScheduleType.ITERATION, 0.1, 0.99));
        assertPathsAgree(v -> build(type, sgd, GradientNormalization.None,
                        new BayesianDenseLayer.Builder().nIn(3).nOut(8).activation(Activation.RELU).build(),
                        new BayesianDenseLayer.Builder().nIn(8).nOut(6).activation(Activation.SIGMOID).build(),
                        new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(4)
                                .activation(Activation.SOFTMAX).build()),
                type, o -> o.datasetSize(120).klAnnealingIterations(15),
                net -> advi -> advi.fit(net, new ListDataSetIterator<>(batches, 1)));
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void regressionWithTwoMonteCarloSamplesAndDl4jUpdaterForGradientClipping(DataType type) {
        DataSet d = data(type, 64, 2, 0, false);
        assertPathsAgree(v -> build(type, new Adam(0.02), GradientNormalization.ClipElementWiseAbsoluteValue,
                        new BayesianDenseLayer.Builder().nIn(2).nOut(6).activation(Activation.IDENTITY).build(),
                        new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(6).nOut(2)
                                .activation(Activation.IDENTITY).build()),
                type, o -> o.datasetSize(64).mcSamples(2), net -> advi -> advi.fit(net, d));
        MultiLayerNetwork clipped = build(type, new Adam(0.02), GradientNormalization.ClipElementWiseAbsoluteValue,
                new BayesianDenseLayer.Builder().nIn(2).nOut(6).build(),
                new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(6).nOut(1)
                        .activation(Activation.IDENTITY).build());
        assertTrue(!FusedDenseStack.of(clipped).hasJavaUpdater(), "gradient clipping is left to DL4J's updater");
    }

    @Test
    void aFusedFitContinuesOnTheStandardPathWithTheSameUpdaterState() {
        DataSet d = data(DataType.DOUBLE, 100, 2, 2, false);
        MultiLayerNetwork mixed = seedNet(DataType.DOUBLE, new Adam(0.01));
        MultiLayerNetwork standard = seedNet(DataType.DOUBLE, new Adam(0.01));
        // no KL warm-up: its default length follows each fit's iterations, which differ between the two
        Advi.builder().datasetSize(100).iterations(20).printEvery(0).klAnnealingIterations(0).build().fit(mixed, d);
        Advi.builder().datasetSize(100).iterations(20).printEvery(0).klAnnealingIterations(0).fused(false).build()
                .fit(mixed, d);
        Advi.builder().datasetSize(100).iterations(40).printEvery(0).klAnnealingIterations(0).fused(false).build()
                .fit(standard, d);
        assertEquals(40, mixed.getIterationCount());
        double diff = mixed.params().sub(standard.params()).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-9, "parameters differ by " + diff);
    }

    @Test
    void maskedMinibatchesTakeDl4jsStepAndTheRestTheFusedOne() {
        DataSet d = data(DataType.DOUBLE, 40, 2, 2, false);
        DataSet masked = d.copy();
        masked.setLabelsMaskArray(Nd4j.ones(DataType.DOUBLE, 40, 1));
        MultiLayerNetwork a = seedNet(DataType.DOUBLE, new Adam(0.01));
        MultiLayerNetwork b = seedNet(DataType.DOUBLE, new Adam(0.01));
        // an all-ones mask changes nothing: both fits compute the same steps, one on DL4J's path, one fused
        Advi.builder().datasetSize(40).iterations(10).printEvery(0).build().fit(a, masked);
        Advi.builder().datasetSize(40).iterations(10).printEvery(0).build().fit(b, d);
        assertEquals(10, a.getIterationCount());
        double diff = a.params().sub(b.params()).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-9, "parameters differ by " + diff);
    }

    /**
     * The fused step works on host memory: a GPU backend (taken here by a kernel policy without host memory) gets
     * DL4J's step; so does a network whose layers are all above the policy's native threshold.
     */
    @Test
    void notOnAGpuBackend() {
        MultiLayerNetwork net = seedNet(DataType.FLOAT, new Adam(0.01));
        assertNull(FusedDenseStack.whyNot(net));
        io.github.dl4jbayes.layers.BayesianNetworks.setKernelPolicy(net,
                io.github.dl4jbayes.layers.KernelPolicy.defaults().withHostMemory(false));
        assertTrue(FusedDenseStack.whyNot(net).contains("not in host memory"), FusedDenseStack.whyNot(net));
        io.github.dl4jbayes.layers.BayesianNetworks.setKernelPolicy(net,
                io.github.dl4jbayes.layers.KernelPolicy.defaults().withNativeThreshold(5));
        assertTrue(FusedDenseStack.whyNot(net).contains("large"), FusedDenseStack.whyNot(net));
    }

    @Test
    void networksOutsideTheFusedPathAreNamedWithTheReason() {
        assertTrue(FusedDenseStack.whyNot(seedNet(DataType.HALF, new Adam(0.01))).contains("HALF"));
        MultiLayerNetwork flipout = build(DataType.FLOAT, new Adam(0.01), GradientNormalization.None,
                new BayesianDenseLayer.Builder().nIn(2).nOut(4).estimator(Estimator.FLIPOUT).build(),
                new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(4).nOut(1)
                        .activation(Activation.SIGMOID).build());
        assertTrue(FusedDenseStack.whyNot(flipout).contains("FLIPOUT"));
        MultiLayerNetwork plain = build(DataType.FLOAT, new Adam(0.01), GradientNormalization.None,
                new DenseLayer.Builder().nIn(2).nOut(4).build(),
                new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(4).nOut(1)
                        .activation(Activation.SIGMOID).build());
        assertTrue(FusedDenseStack.whyNot(plain).contains("layer 0"));
        MultiLayerNetwork leaky = build(DataType.FLOAT, new Adam(0.01), GradientNormalization.None,
                new BayesianDenseLayer.Builder().nIn(2).nOut(4).activation(Activation.LEAKYRELU).build(),
                new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(4).nOut(1)
                        .activation(Activation.SIGMOID).build());
        assertTrue(FusedDenseStack.whyNot(leaky).contains("activation"));
        MultiLayerNetwork large = build(DataType.FLOAT, new Adam(0.01), GradientNormalization.None,
                new BayesianDenseLayer.Builder().nIn(100).nOut(100).build(),
                new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(100).nOut(1)
                        .activation(Activation.SIGMOID).build());
        assertTrue(FusedDenseStack.whyNot(large).contains("large"));
        MultiLayerNetwork wrongLoss = build(DataType.FLOAT, new Adam(0.01), GradientNormalization.None,
                new BayesianDenseLayer.Builder().nIn(2).nOut(4).build(),
                new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(1)
                        .activation(Activation.TANH).build());
        assertTrue(FusedDenseStack.whyNot(wrongLoss).contains("loss"));
        MultiLayerNetwork conv = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new BayesianConvolutionLayer.Builder(3, 3).nOut(2).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 1)).build());
        conv.init();
        assertNotNull(FusedDenseStack.whyNot(conv));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FusedDenseStack.of(conv));
        assertTrue(e.getMessage().contains("does not cover"));
    }

    @Test
    void aMinibatchThatDoesNotMatchTheNetworkIsRejectedWithItsShape() {
        FusedDenseStack stack = FusedDenseStack.of(seedNet(DataType.FLOAT, new Adam(0.01)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stack.prepare(data(DataType.FLOAT, 10, 3, 2, false)));
        assertTrue(e.getMessage().contains("nIn = 2"), e.getMessage());
        DataSet badLabels = new DataSet(Nd4j.zeros(DataType.FLOAT, 10, 2), Nd4j.zeros(DataType.FLOAT, 10, 2));
        e = assertThrows(IllegalArgumentException.class, () -> stack.prepare(badLabels));
        assertTrue(e.getMessage().contains("[10, 2]"), e.getMessage());
    }
}
