package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.internal.HostLoops;
import io.github.dl4jbayes.internal.meanfield.MeanFieldPosterior;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Sgd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel is chosen by backend as well as by size: on a GPU backend no layer uses the Java-loop kernel or the Java
 * noise sampler. The GPU's paths are taken here on the CPU backend through {@link HostLoops#override}, and checked the
 * way the host paths are (finite-difference gradient checks in double precision with frozen noise).
 */
class HostLoopsTest extends DoublePrecisionGradientCheck {

    @AfterEach
    void restoreDetection() {
        HostLoops.override(null);
    }

    @Test
    void kernelChoiceBySizeBackendAndPruning() {
        int threshold = MeanFieldPosterior.nativeThreshold();
        DataType f = DataType.FLOAT;
        DataType h = DataType.HALF;
        assertFalse(MeanFieldPosterior.usesNd4jKernel(threshold - 1, false, true, f), "small block on the CPU");
        assertFalse(MeanFieldPosterior.usesNd4jKernel(threshold, false, true, f), "large FLOAT block on the CPU");
        assertFalse(MeanFieldPosterior.usesNd4jKernel(threshold, false, true, DataType.DOUBLE), "large DOUBLE block");
        assertFalse(MeanFieldPosterior.usesNd4jKernel(threshold - 1, false, true, h), "small HALF block on the CPU");
        assertTrue(MeanFieldPosterior.usesNd4jKernel(threshold, false, true, h), "large HALF block on the CPU");
        assertTrue(MeanFieldPosterior.usesNd4jKernel(1, false, false, f), "small block on a GPU");
        assertTrue(MeanFieldPosterior.usesNd4jKernel(threshold, false, false, f), "large block on a GPU");
        assertFalse(MeanFieldPosterior.usesNd4jKernel(threshold, true, true, h), "pruned block on the CPU");
        assertFalse(MeanFieldPosterior.usesNd4jKernel(threshold, true, false, f), "pruned block on a GPU");
    }

    /** The detection itself: on ND4J's CPU backend host loops are allowed (skipped on other backends). */
    @Test
    void theCpuBackendAllowsHostLoops() {
        HostLoops.override(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(org.nd4j.linalg.factory.Nd4j.getEnvironment().isCPU(),
                "runs on the CPU backend");
        assertTrue(HostLoops.allowed());
        HostLoops.override(false);
        assertFalse(HostLoops.allowed());
    }

    /** The notebook's small layers: Java loops on the CPU, ND4J operations when host loops are not allowed. */
    @Test
    void smallLayersFollowTheBackend() {
        for (boolean host : new boolean[]{true, false}) {
            HostLoops.override(host);
            MultiLayerNetwork net = TestNets.init(TestNets.classifier(true, true, DataType.FLOAT, new Sgd(0.1)));
            for (BayesianLayer layer : BayesianNetworks.bayesianLayers(net)) {
                assertTrue(TestNets.posterior(layer).usesNd4jKernel() != host, "host=" + host);
            }
        }
    }

    /** Training steps on the GPU's paths in every data type: finite scores, parameters that move. */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"HALF", "FLOAT", "DOUBLE"})
    void trainsInEveryDataType(DataType type) {
        HostLoops.override(false);
        MultiLayerNetwork net = TestNets.init(TestNets.classifier(true, true, type, new Sgd(0.05)));
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
        HostLoops.override(false);
        new EstimatorGradientCheckTest().denseAndOutput(estimator, true);
    }

    @ParameterizedTest
    @EnumSource(value = Estimator.class, names = {"REPARAMETERIZATION", "FLIPOUT"})
    void convolutionGradientCheckOnTheGpuPaths(Estimator estimator) {
        HostLoops.override(false);
        new EstimatorGradientCheckTest().convolution(estimator, true, 3, 1, 0, 1, ConvolutionMode.Truncate);
    }
}
