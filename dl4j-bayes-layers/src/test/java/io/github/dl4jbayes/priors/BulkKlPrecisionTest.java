package io.github.dl4jbayes.priors;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The bulk KL of a large layer (a million parameters) against a double-precision reference over the very same
 * values: the sums must be accumulated in double whatever the layer's type, and {@code (mu - mean)^2} formed without
 * cancelling when the prior mean is far from zero (as informed priors centred on trained weights are).
 */
class BulkKlPrecisionTest {
    private static final int N = 1_000_000;

    @ParameterizedTest(name = "{0}, prior N({1}, {2}), posterior means around {3}")
    @CsvSource({
            "FLOAT, 0, 1, 0",
            "FLOAT, 30, 1, 30",
            "FLOAT, 30, 0.05, 30",
            "HALF, 0, 1, 0",
            "DOUBLE, 30, 1, 30"
    })
    void matchesADoublePrecisionReference(DataType type, double priorMean, double priorStd, double center) {
        SplittableRandom random = new SplittableRandom(2026);
        double[] mu = new double[N];
        double[] sigma = new double[N];
        double[] eps = new double[N];
        for (int i = 0; i < N; i++) {
            // posteriors close to the prior: the KL is small against the size of its terms
            mu[i] = center + 0.01 * priorStd * random.nextGaussian();
            sigma[i] = priorStd * (0.9 + 0.2 * random.nextDouble());
        }
        INDArray muArray = Nd4j.createFromArray(mu).castTo(type);
        INDArray sigmaArray = Nd4j.createFromArray(sigma).castTo(type);
        // the reference sees the values exactly as the layer holds them
        double[] muHeld = muArray.castTo(DataType.DOUBLE).toDoubleVector();
        double[] sigmaHeld = sigmaArray.castTo(DataType.DOUBLE).toDoubleVector();
        GaussianPrior prior = new GaussianPrior(priorMean, priorStd);
        double reference = prior.klDivergence(new MeanFieldSample(muHeld, sigmaHeld, eps));

        double bulk = prior.klDivergence(muArray, sigmaArray, Nd4j.zeros(type, N), new PriorScratch(type, N));
        assertEquals(reference, bulk, 1e-6 * Math.abs(reference), "relative error " + (bulk - reference) / reference);
    }
}
