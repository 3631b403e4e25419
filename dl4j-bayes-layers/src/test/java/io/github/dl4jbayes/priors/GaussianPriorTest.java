package io.github.dl4jbayes.priors;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GaussianPriorTest {

    private static double logNormal(double x, double mean, double std) {
        double z = (x - mean) / std;
        return -0.5 * z * z - Math.log(std) - 0.5 * Math.log(2 * Math.PI);
    }

    /**
     * The closed form against the Monte-Carlo estimate mean(log q(w) - log p(w)), w ~ q: they must agree within
     * four standard errors of the estimate (the standard error computed from the same draws).
     */
    @Test
    void closedFormMatchesMonteCarlo() {
        GaussianPrior prior = new GaussianPrior(0.3, 0.7);
        double[] mu = {0.5, -1.2, 0.0, 2.0};
        double[] sigma = {0.1, 0.9, 0.7, 1.5};
        double exact = prior.klDivergence(new MeanFieldSample(mu, sigma, new double[4]));
        int draws = 400_000;
        SplittableRandom random = new SplittableRandom(7);
        double sum = 0;
        double sumSq = 0;
        for (int d = 0; d < draws; d++) {
            double value = 0;
            for (int i = 0; i < mu.length; i++) {
                double w = mu[i] + sigma[i] * random.nextGaussian();
                value += logNormal(w, mu[i], sigma[i]) - logNormal(w, 0.3, 0.7);
            }
            sum += value;
            sumSq += value * value;
        }
        double mean = sum / draws;
        double standardError = Math.sqrt((sumSq / draws - mean * mean) / draws);
        assertTrue(Math.abs(mean - exact) < 4 * standardError,
                "closed form " + exact + " vs Monte Carlo " + mean + " +- " + standardError);
        // the KL to itself is zero, and positive otherwise
        assertEquals(0.0, prior.klDivergence(new MeanFieldSample(new double[]{0.3}, new double[]{0.7}, new double[1])), 1e-15);
        assertTrue(exact > 0);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        GaussianPrior prior = new GaussianPrior(-0.2, 1.3);
        double[] mu = {0.4, -0.9};
        double[] sigma = {0.3, 2.1};
        double[] gradMu = new double[2];
        double[] gradSigma = new double[2];
        prior.addKlGradient(new MeanFieldSample(mu, sigma, new double[2]), 2.5, gradMu, gradSigma);
        double h = 1e-6;
        for (int i = 0; i < 2; i++) {
            double[] muPlus = mu.clone();
            double[] muMinus = mu.clone();
            muPlus[i] += h;
            muMinus[i] -= h;
            double numericMu = 2.5 * (kl(prior, muPlus, sigma) - kl(prior, muMinus, sigma)) / (2 * h);
            double[] sPlus = sigma.clone();
            double[] sMinus = sigma.clone();
            sPlus[i] += h;
            sMinus[i] -= h;
            double numericSigma = 2.5 * (kl(prior, mu, sPlus) - kl(prior, mu, sMinus)) / (2 * h);
            assertEquals(numericMu, gradMu[i], 1e-7);
            assertEquals(numericSigma, gradSigma[i], 1e-7);
        }
    }

    private static double kl(GaussianPrior p, double[] mu, double[] sigma) {
        return p.klDivergence(new MeanFieldSample(mu, sigma, new double[mu.length]));
    }

    /** The bulk (ND4J) forms agree with the element-wise ones, for GaussianPrior's own and for the default bridge. */
    @Test
    void bulkFormsMatchElementWise() {
        GaussianPrior gaussian = new GaussianPrior(0.25, 0.6);
        Prior elementWiseOnly = new Prior() {
            @Override
            public boolean hasAnalyticKl() {
                return true;
            }

            @Override
            public double logDensity(MeanFieldSample q) {
                return gaussian.logDensity(q);
            }

            @Override
            public void addLogDensityGradient(MeanFieldSample q, double scale, double[] gradW) {
                gaussian.addLogDensityGradient(q, scale, gradW);
            }

            @Override
            public double klDivergence(MeanFieldSample q) {
                return gaussian.klDivergence(q);
            }

            @Override
            public void addKlGradient(MeanFieldSample q, double scale, double[] gradMu, double[] gradSigma) {
                gaussian.addKlGradient(q, scale, gradMu, gradSigma);
            }
        };
        double[] mu = {0.5, -1.2, 0.0, 2.0, 0.3};
        double[] sigma = {0.1, 0.9, 0.7, 1.5, 0.02};
        double[] eps = {0.3, -0.1, 1.2, 0.0, -2.0};
        double expected = gaussian.klDivergence(new MeanFieldSample(mu, sigma, eps));
        double[] gMu = {1, 2, 3, 4, 5};
        double[] gSigma = {-1, 0, 1, 0.5, 2};
        double[] expectedMu = gMu.clone();
        double[] expectedSigma = gSigma.clone();
        gaussian.addKlGradient(new MeanFieldSample(mu, sigma, eps), 0.7, expectedMu, expectedSigma);
        for (Prior prior : new Prior[]{gaussian, elementWiseOnly}) {
            org.nd4j.linalg.api.ndarray.INDArray m = org.nd4j.linalg.factory.Nd4j.createFromArray(mu);
            org.nd4j.linalg.api.ndarray.INDArray s = org.nd4j.linalg.factory.Nd4j.createFromArray(sigma);
            org.nd4j.linalg.api.ndarray.INDArray e = org.nd4j.linalg.factory.Nd4j.createFromArray(eps);
            assertEquals(expected, prior.klDivergence(m, s, e, new PriorScratch(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 5)), 1e-12);
            org.nd4j.linalg.api.ndarray.INDArray gm = org.nd4j.linalg.factory.Nd4j.createFromArray(gMu);
            org.nd4j.linalg.api.ndarray.INDArray gs = org.nd4j.linalg.factory.Nd4j.createFromArray(gSigma);
            prior.addKlGradient(m, s, e, 0.7, gm, gs, new PriorScratch(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 5));
            org.junit.jupiter.api.Assertions.assertArrayEquals(expectedMu, gm.toDoubleVector(), 1e-12);
            org.junit.jupiter.api.Assertions.assertArrayEquals(expectedSigma, gs.toDoubleVector(), 1e-12);
        }
    }

    @Test
    void rejectsBadArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GaussianPrior(0, 0));
        assertTrue(e.getMessage().contains("std"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GaussianPrior(0, -1));
        assertThrows(IllegalArgumentException.class, () -> new GaussianPrior(0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new GaussianPrior(0, Double.POSITIVE_INFINITY));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new GaussianPrior(Double.NaN, 1))
                .getMessage().contains("mean"));
    }
}
