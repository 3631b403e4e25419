package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.internal.meanfield.MeanFieldPosterior;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Sgd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel is chosen by backend as well as by size: on a GPU backend no layer uses the Java-loop kernel or the Java
 * noise sampler. The GPU's paths are taken here on the CPU backend by a kernel policy without host memory
 * ({@link KernelPolicy#withHostMemory}), set on each network, and checked the way the host paths are
 * (finite-difference gradient checks in double precision with frozen noise).
 */
class HostLoopsTest extends DoublePrecisionGradientCheck {

    @Test
    void kernelChoiceBySizeBackendAndPruning() {
        int threshold = KernelPolicy.DEFAULT_NATIVE_THRESHOLD;
        DataType f = DataType.FLOAT;
        DataType h = DataType.HALF;
        assertFalse(MeanFieldPosterior.usesNd4jKernel(threshold - 1, false, true, threshold, f), "small block on the CPU");
        assertFalse(MeanFieldPosterior.usesNd4jKernel(threshold, false, true, threshold, f), "large FLOAT block on the CPU");
        assertFalse(MeanFieldPosterior.usesNd4jKernel(threshold, false, true, threshold, DataType.DOUBLE), "large DOUBLE block");
        assertFalse(MeanFieldPosterior.usesNd4jKernel(threshold - 1, false, true, threshold, h), "small HALF block on the CPU");
        assertTrue(MeanFieldPosterior.usesNd4jKernel(threshold, false, true, threshold, h), "large HALF block on the CPU");
        assertTrue(MeanFieldPosterior.usesNd4jKernel(1, false, false, threshold, f), "small block on a GPU");
        assertTrue(MeanFieldPosterior.usesNd4jKernel(threshold, false, false, threshold, f), "large block on a GPU");
        assertFalse(MeanFieldPosterior.usesNd4jKernel(threshold, true, true, threshold, h), "pruned block on the CPU");
        assertFalse(MeanFieldPosterior.usesNd4jKernel(threshold, true, false, threshold, f), "pruned block on a GPU");
    }

    /**
     * The detection itself: on ND4J's CPU backend the arrays are in host memory (skipped on other backends); a policy
     * set on one network leaves another network, built from the same configuration, alone.
     */
    @Test
    void thePolicyIsTheNetworksOwn() {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.nd4j.linalg.factory.Nd4j.getEnvironment().isCPU(),
                "runs on the CPU backend");
        assertTrue(KernelPolicy.defaults().withHostMemory(null).hostMemory());
        assertFalse(KernelPolicy.defaults().withHostMemory(false).hostMemory());
        org.deeplearning4j.nn.conf.MultiLayerConfiguration conf = TestNets.classifier(true, true, DataType.FLOAT,
                new Sgd(0.1));
        MultiLayerNetwork device = TestNets.init(conf, KernelPolicy.defaults().withHostMemory(false));
        MultiLayerNetwork host = TestNets.init(conf);
        assertFalse(BayesianNetworks.getKernelPolicy(device).hostMemory());
        assertTrue(BayesianNetworks.getKernelPolicy(host).hostMemory());
        assertTrue(TestNets.posterior(BayesianNetworks.bayesianLayers(device).get(0)).usesNd4jKernel());
        assertFalse(TestNets.posterior(BayesianNetworks.bayesianLayers(host).get(0)).usesNd4jKernel());
        // and back: the layers choose their kernel again
        BayesianNetworks.setKernelPolicy(device, KernelPolicy.defaults());
        assertFalse(TestNets.posterior(BayesianNetworks.bayesianLayers(device).get(0)).usesNd4jKernel());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> KernelPolicy.defaults().withNativeThreshold(0));
        assertTrue(e.getMessage().contains("nativeThreshold"), e.getMessage());
    }

    /** The notebook's small layers: Java loops on the CPU, ND4J operations when host loops are not allowed. */
    @Test
    void smallLayersFollowTheBackend() {
        for (boolean host : new boolean[]{true, false}) {
            MultiLayerNetwork net = TestNets.init(TestNets.classifier(true, true, DataType.FLOAT, new Sgd(0.1)),
                    KernelPolicy.defaults().withHostMemory(host));
            for (BayesianLayer layer : BayesianNetworks.bayesianLayers(net)) {
                assertTrue(TestNets.posterior(layer).usesNd4jKernel() != host, "host=" + host);
            }
        }
    }

    /** Training steps on the GPU's paths in every data type: finite scores, parameters that move. */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"HALF", "FLOAT", "DOUBLE"})
    void trainsInEveryDataType(DataType type) {
        MultiLayerNetwork net = TestNets.init(TestNets.classifier(true, true, type, new Sgd(0.05)),
                KernelPolicy.defaults().withHostMemory(false));
        BayesianNetworks.setDatasetSize(net, 60);
        org.nd4j.linalg.api.ndarray.INDArray before = net.params().dup();
        org.nd4j.linalg.dataset.DataSet data = new org.nd4j.linalg.dataset.DataSet(TestNets.randn(3, type, 12, 3),
                TestNets.oneHot(12, 2, 4, type));
        for (int i = 0; i < 5; i++) {
            net.fit(data);
            assertTrue(Double.isFinite(net.score()), type + ": score " + net.score());
        }
        assertTrue(net.params().neq(before).castTo(DataType.INT).sumNumber().intValue() > 0, type + ": no update");
    }

    @ParameterizedTest
    @EnumSource(Estimator.class)
    void denseGradientCheckOnTheGpuPaths(Estimator estimator) {
        new EstimatorGradientCheckTest().denseAndOutput(estimator, true, KernelPolicy.defaults().withHostMemory(false));
    }

    @ParameterizedTest
    @EnumSource(value = Estimator.class, names = {"REPARAMETERIZATION", "FLIPOUT"})
    void convolutionGradientCheckOnTheGpuPaths(Estimator estimator) {
        new EstimatorGradientCheckTest().convolution(estimator, true, 3, 1, 0, 1, ConvolutionMode.Truncate,
                KernelPolicy.defaults().withHostMemory(false));
    }
}
