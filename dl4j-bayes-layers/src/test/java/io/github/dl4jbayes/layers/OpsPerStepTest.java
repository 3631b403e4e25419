package io.github.dl4jbayes.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training step's ND4J operations do not grow with the minibatch: each ND4J call costs microseconds of overhead and
 * a few native allocations (which only the garbage collector frees), so a loop of calls per example made the
 * small-image CNN's step 40-80 times slower than plain DL4J's. Counted with ND4J's own op profiler, for a CNN with a
 * Bayesian convolution (NCHW and NHWC) and Bayesian dense and output layers, in each estimator the layers take.
 */
class OpsPerStepTest {

    @ParameterizedTest
    @EnumSource(value = Estimator.class, names = {"REPARAMETERIZATION", "FLIPOUT"})
    void convolutionStepMakesAsManyOpsForTwoExamplesAsForThirtyTwo(Estimator estimator) {
        for (CNN2DFormat format : CNN2DFormat.values()) {
            boolean nhwc = format == CNN2DFormat.NHWC;
            long small = opsPerStep(cnn(estimator, format), nhwc ? new long[]{2, 8, 8, 2} : new long[]{2, 2, 8, 8});
            long large = opsPerStep(cnn(estimator, format), nhwc ? new long[]{32, 8, 8, 2} : new long[]{32, 2, 8, 8});
            assertTrue(small > 0, "the profiler counted no operation");
            assertEquals(small, large, estimator + ", " + format + ": ND4J operations per step, batch 2 vs 32");
        }
    }

    @ParameterizedTest
    @EnumSource(Estimator.class)
    void denseStepMakesAsManyOpsForTwoExamplesAsForThirtyTwo(Estimator estimator) {
        long small = opsPerStep(dense(estimator), new long[]{2, 5});
        long large = opsPerStep(dense(estimator), new long[]{32, 5});
        assertTrue(small > 0, "the profiler counted no operation");
        assertEquals(small, large, estimator + ": ND4J operations per step, batch 2 vs 32");
    }

    /**
     * The local reparameterization's element-wise work is a fixed set of ND4J calls per layer beyond the
     * reparameterization's step: forward {@code x^2}, {@code sigma^2} (one call over the whole block, weights and
     * biases), the variance's product and bias, {@code sqrt(v)}, {@code sqrt(v) zeta}, its sum into {@code z} and the
     * zero guard (8); backward {@code dL/dz zeta}, the division by {@code sqrt(v)}, the variance's two products, its bias
     * gradient (a sum and its copy into the gradient view), {@code x o dx_v} and its sum into {@code dx} (8). The
     * multiplication of the variance gradient by sigma is the posterior kernel's (no ND4J call): 19 calls per layer
     * before it was.
     */
    @Test
    void localReparameterizationAddsSixteenOpsPerLayer() {
        long reparameterization = opsPerStep(dense(Estimator.REPARAMETERIZATION), new long[]{32, 5});
        long local = opsPerStep(dense(Estimator.LOCAL_REPARAMETERIZATION), new long[]{32, 5});
        assertEquals(2 * 16, local - reparameterization, "ND4J operations of the two layers' local reparameterization");
    }

    private static MultiLayerConfiguration cnn(Estimator estimator, CNN2DFormat format) {
        return new NeuralNetConfiguration.Builder().seed(3).updater(new Adam(1e-3)).list()
                .layer(new BayesianConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU)
                        .dataFormat(format).estimator(estimator).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .dataFormat(format).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).estimator(estimator == Estimator.FLIPOUT ? estimator
                                : Estimator.REPARAMETERIZATION).build())
                .setInputType(InputType.convolutional(8, 8, 2, format))
                .build();
    }

    private static MultiLayerConfiguration dense(Estimator estimator) {
        return new NeuralNetConfiguration.Builder().seed(3).updater(new Adam(1e-3)).list()
                .layer(new BayesianDenseLayer.Builder().nIn(5).nOut(6).activation(Activation.TANH)
                        .estimator(estimator).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                        .activation(Activation.SOFTMAX).estimator(estimator).build())
                .build();
    }

    /** ND4J operations of the third {@code fit} on one minibatch of features {@code inShape} (two fits warm up). */
    private static long opsPerStep(MultiLayerConfiguration conf, long[] inShape) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        BayesianNetworks.setDatasetSize(net, 100);
        int batch = (int) inShape[0];
        DataSet data = new DataSet(Nd4j.rand(DataType.FLOAT, inShape), TestNets.oneHot(batch, 3, 5, DataType.FLOAT));
        net.fit(data);
        net.fit(data);
        try {
            Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().checkElapsedTime(true).build());
            OpProfiler.getInstance().reset();
            net.fit(data);
            return OpProfiler.getInstance().getInvocationsCount();
        } finally {
            Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build());
            OpProfiler.getInstance().reset();
        }
    }
}
