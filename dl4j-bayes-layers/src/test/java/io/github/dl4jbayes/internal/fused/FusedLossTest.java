package io.github.dl4jbayes.internal.fused;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The fused losses and activations against DL4J's own, in double precision, over pre-activations from -30 to 30
 * (saturated outputs, where DL4J's clipping of probabilities decides the score and the gradient).
 */
class FusedLossTest {
    private static final int ROWS = 64;

    private static void assertSameAsDl4j(LossFunctions.LossFunction lossName, Activation activation, int n,
                                        boolean oneHot) {
        Random r = new Random(7);
        double[] z = new double[ROWS * n];
        double[] y = new double[ROWS * n];
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < n; j++) {
                z[i * n + j] = -30 + 60 * r.nextDouble();
                y[i * n + j] = oneHot ? 0 : (activation == Activation.IDENTITY ? r.nextGaussian() : r.nextInt(2));
            }
            if (oneHot) {
                y[i * n + r.nextInt(n)] = 1;
            }
        }
        ILossFunction loss = lossName.getILossFunction();
        IActivation fn = activation.getActivationFunction();
        FusedLoss fused = FusedLoss.of(loss, fn, n);
        assertNotNull(fused, lossName + " with " + activation);
        double[] delta = new double[ROWS * n];
        double score = fused.scoreAndDelta(z, y, ROWS, n, delta);
        INDArray zA = Nd4j.create(z, new long[]{ROWS, n}, DataType.DOUBLE);
        INDArray yA = Nd4j.create(y, new long[]{ROWS, n}, DataType.DOUBLE);
        double expectedScore = loss.computeScore(yA, zA.dup(), fn, null, false);
        double[] expectedDelta = loss.computeGradient(yA, zA.dup(), fn, null).reshape(ROWS * n).toDoubleVector();
        assertEquals(expectedScore, score, 1e-9 * Math.abs(expectedScore), lossName + " score");
        for (int k = 0; k < delta.length; k++) {
            assertEquals(expectedDelta[k], delta[k], 1e-9 * Math.max(1, Math.abs(expectedDelta[k])),
                    lossName + " gradient at " + k + " (z = " + z[k] + ")");
        }
    }

    @Test
    void binaryCrossEntropyWithSigmoidMatchesDl4jClippingIncluded() {
        assertSameAsDl4j(LossFunctions.LossFunction.XENT, Activation.SIGMOID, 3, false);
    }

    @Test
    void multiClassCrossEntropyWithSoftmaxMatchesDl4j() {
        assertSameAsDl4j(LossFunctions.LossFunction.MCXENT, Activation.SOFTMAX, 5, true);
        assertSameAsDl4j(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD, Activation.SOFTMAX, 5, true);
    }

    @Test
    void squaredErrorsWithIdentityMatchDl4j() {
        assertSameAsDl4j(LossFunctions.LossFunction.MSE, Activation.IDENTITY, 3, false);
        assertSameAsDl4j(LossFunctions.LossFunction.L2, Activation.IDENTITY, 3, false);
    }

    @Test
    void activationsMatchDl4j() {
        double[] z = new double[241];
        for (int i = 0; i < z.length; i++) {
            z[i] = -30 + 0.25 * i;
        }
        for (Activation a : new Activation[]{Activation.IDENTITY, Activation.TANH, Activation.SIGMOID, Activation.RELU}) {
            IActivation fn = a.getActivationFunction();
            FusedActivation fused = FusedActivation.of(fn);
            assertNotNull(fused, a.toString());
            INDArray zA = Nd4j.create(z, new long[]{1, z.length}, DataType.DOUBLE);
            double[] expected = fn.getActivation(zA.dup(), true).toDoubleVector();
            double[] expectedDerivative = fn.backprop(zA.dup(), Nd4j.ones(DataType.DOUBLE, 1, z.length)).getFirst()
                    .toDoubleVector();
            for (int i = 0; i < z.length; i++) {
                double out = fused.apply(z[i]);
                assertEquals(expected[i], out, 1e-12, a + " at " + z[i]);
                assertEquals(expectedDerivative[i], fused.derivative(z[i], out), 1e-12, a + "' at " + z[i]);
            }
        }
        assertNull(FusedActivation.of(Activation.LEAKYRELU.getActivationFunction()));
        assertNull(FusedLoss.of(LossFunctions.LossFunction.MSE.getILossFunction(),
                Activation.TANH.getActivationFunction(), 1));
    }
}
