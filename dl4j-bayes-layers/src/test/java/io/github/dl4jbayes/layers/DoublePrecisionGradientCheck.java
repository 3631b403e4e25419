package io.github.dl4jbayes.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The setting shared by the gradient-check tests: ND4J's default type is DOUBLE while they run, and every evaluation
 * of the score re-seeds the layers' noise generators (weights, signs, per-example noise), so the noise is frozen.
 */
abstract class DoublePrecisionGradientCheck {
    private static DataType previous;

    @BeforeAll
    static void doublePrecision() {
        previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(previous, previous);
    }

    /** @return whether DL4J's finite-difference check passes (epsilon 1e-6, max relative error 1e-5) */
    static boolean check(MultiLayerNetwork net, INDArray x, INDArray y) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
                .callEachIter(n -> BayesianNetworks.setNoiseSeed(n, 1234)));
    }
}
