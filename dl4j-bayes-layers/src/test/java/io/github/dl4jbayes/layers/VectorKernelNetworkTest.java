package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.internal.meanfield.PrunedParameters;
import io.github.dl4jbayes.internal.meanfield.VectorSupport;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.priors.Prior;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Large FLOAT layers on the SIMD kernel in real networks: which layers take it, the same gradients as the Java-loop
 * kernel where the noise does not differ between them (the local reparameterization draws no weight noise), the same
 * training run twice from one seed, and the switch that turns it off.
 */
class VectorKernelNetworkTest {

    @BeforeEach
    void needsWideVectors() {
        // the build resolves the module (VectorKernelTest checks it); a CPU with SIMD narrower than 256 bits keeps the
        // Java loops by design, and these tests of the kernel's choice then do not apply
        Assumptions.assumeTrue(VectorSupport.wideEnough(), "SIMD narrower than 256 bits: the kernel is off");
    }

    /** 64-48-3: a first layer of 2 x 3,120 parameters (SIMD kernel), an output layer of 2 x 147 (Java loops). */
    private static MultiLayerNetwork net(DataType type, Estimator estimator, Prior prior) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7).dataType(type)
                .updater(new Adam(1e-2)).list()
                .layer(new BayesianDenseLayer.Builder().nIn(64).nOut(48).activation(Activation.TANH)
                        .estimator(estimator).prior(prior).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(48).nOut(3)
                        .activation(Activation.SOFTMAX).estimator(estimator).build())
                .build());
        net.init();
        BayesianNetworks.setDatasetSize(net, 500);
        return net;
    }

    private static DataSet data(DataType type) {
        return new DataSet(TestNets.randn(11, type, 32, 64), TestNets.oneHot(32, 3, 5, type));
    }

    @Test
    void largeFloatLayersTakeTheSimdKernel() {
        List<BayesianLayer> layers = BayesianNetworks.bayesianLayers(net(DataType.FLOAT, Estimator.REPARAMETERIZATION,
                GaussianPrior.standardNormal()));
        assertTrue(TestNets.posterior(layers.get(0)).usesVectorKernel(), "64 x 48 FLOAT layer");
        assertFalse(TestNets.posterior(layers.get(1)).usesVectorKernel(), "48 x 3 layer: below the threshold");
        for (DataType type : new DataType[]{DataType.HALF, DataType.DOUBLE}) {
            assertFalse(TestNets.posterior(BayesianNetworks.bayesianLayers(net(type, Estimator.REPARAMETERIZATION,
                    GaussianPrior.standardNormal())).get(0)).usesVectorKernel(), type.toString());
        }
        MultiLayerNetwork off = net(DataType.FLOAT, Estimator.REPARAMETERIZATION, GaussianPrior.standardNormal());
        BayesianNetworks.setKernelPolicy(off, KernelPolicy.defaults().withVectorKernel(false));
        assertFalse(TestNets.posterior(BayesianNetworks.bayesianLayers(off).get(0)).usesVectorKernel(), "turned off");
    }

    /**
     * The local reparameterization draws per-example noise from the layer's generator and no weight noise, so both
     * kernels see the same noise: the score and every gradient agree to single precision, on the isotropic Gaussian's
     * SIMD path and on the double fallback of a per-parameter prior.
     */
    @Test
    void sameGradientsAsTheJavaLoopKernel() {
        for (Prior prior : new Prior[]{new GaussianPrior(0.1, 0.8),
                GaussianPrior.perParameter(Nd4j.linspace(-0.5, 0.5, 64 * 48 + 48, DataType.DOUBLE),
                        Nd4j.linspace(0.3, 0.8, 64 * 48 + 48, DataType.DOUBLE))}) {
            MultiLayerNetwork simd = net(DataType.FLOAT, Estimator.LOCAL_REPARAMETERIZATION, prior);
            MultiLayerNetwork loops = net(DataType.FLOAT, Estimator.LOCAL_REPARAMETERIZATION, prior);
            BayesianNetworks.setKernelPolicy(loops, KernelPolicy.defaults().withVectorKernel(false));
            assertTrue(TestNets.posterior(BayesianNetworks.bayesianLayers(simd).get(0)).usesVectorKernel());
            assertFalse(TestNets.posterior(BayesianNetworks.bayesianLayers(loops).get(0)).usesVectorKernel());
            DataSet data = data(DataType.FLOAT);
            simd.setInput(data.getFeatures());
            simd.setLabels(data.getLabels());
            simd.computeGradientAndScore();
            loops.setInput(data.getFeatures());
            loops.setLabels(data.getLabels());
            loops.computeGradientAndScore();
            assertEquals(loops.score(), simd.score(), 1e-5 * Math.abs(loops.score()), prior + ": score");
            INDArray a = simd.getGradientsViewArray().castTo(DataType.DOUBLE);
            INDArray b = loops.getGradientsViewArray().castTo(DataType.DOUBLE);
            double scale = b.amaxNumber().doubleValue();
            double worst = a.sub(b).amaxNumber().doubleValue();
            assertTrue(worst <= 1e-5 * scale, prior + ": largest gradient difference " + worst + " of " + scale);
        }
    }

    /**
     * Pruned weights written straight into the parameters (not through {@link Pruning}) are noticed at the next draw:
     * the layer moves to the Java loops, which skip them, and the pruned weight is drawn as exactly 0.
     */
    @Test
    void prunedWeightsWrittenInMoveTheLayerToTheJavaLoops() {
        MultiLayerNetwork net = net(DataType.FLOAT, Estimator.REPARAMETERIZATION, GaussianPrior.standardNormal());
        BayesianLayer layer = BayesianNetworks.bayesianLayers(net).get(0);
        assertTrue(TestNets.posterior(layer).usesVectorKernel());
        INDArray rho = net.getLayer(0).getParam("Wrho");
        INDArray mu = net.getLayer(0).getParam("Wmu");
        rho.putScalar(new long[]{5, 7}, PrunedParameters.PRUNED_RHO);
        mu.putScalar(new long[]{5, 7}, 0.0);
        BayesianNetworks.setInferenceMode(net, InferenceMode.SAMPLE);
        net.output(data(DataType.FLOAT).getFeatures());
        assertFalse(TestNets.posterior(layer).usesVectorKernel(), "moved to the Java loops");
        assertTrue(TestNets.posterior(layer).hasPruned());
        assertEquals(0.0, TestNets.posterior(layer).drawnWeights().getDouble(5, 7), "the pruned weight is drawn as 0");
    }

    /** One seed, one run: two networks trained side by side end with the same parameters, bit for bit. */
    @Test
    void trainingIsAFunctionOfTheSeed() {
        for (Estimator estimator : Estimator.values()) {
            MultiLayerNetwork a = net(DataType.FLOAT, estimator, GaussianPrior.standardNormal());
            MultiLayerNetwork b = net(DataType.FLOAT, estimator, GaussianPrior.standardNormal());
            DataSet data = data(DataType.FLOAT);
            for (int i = 0; i < 30; i++) {
                a.fit(data);
                b.fit(data);
            }
            assertTrue(Double.isFinite(a.score()), estimator + ": score " + a.score());
            assertEquals(a.params(), b.params(), estimator.toString());
        }
    }
}
