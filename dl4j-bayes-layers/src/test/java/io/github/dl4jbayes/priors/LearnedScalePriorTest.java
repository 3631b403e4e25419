package io.github.dl4jbayes.priors;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The learned prior scale: its closed-form optimum, its gradient (the envelope theorem), its groups and hyperprior. */
class LearnedScalePriorTest {
    // a dense layer of 3 inputs and 2 units with biases: weights column-major [3, 2] (unit 0: 0-2, unit 1: 3-5), biases 6-7
    private static final ParameterBlock BLOCK = new ParameterBlock("d", 6, 2, true);
    private static final double[] MU = {0.5, -1.2, 0.1, 0.02, -0.05, 0.01, 0.3, -0.02};
    private static final double[] SIGMA = {0.1, 0.3, 0.2, 0.01, 0.03, 0.02, 0.5, 0.01};

    private static MeanFieldSample sample(double[] mu, double[] sigma) {
        return new MeanFieldSample(BLOCK, mu, sigma, new double[mu.length], null, mu.length);
    }

    private static double gaussianKl(double[] mu, double[] sigma, double s, int from, int[] positions) {
        double sum = 0;
        for (int i : positions) {
            sum += Math.log(s / sigma[i]) + (sigma[i] * sigma[i] + mu[i] * mu[i]) / (2 * s * s) - 0.5;
        }
        return sum;
    }

    /** The learned KL is the Gaussian KL at the best scale: no scale does better, and the best is sqrt(mean(mu^2 + sigma^2)). */
    @Test
    void perLayerScaleIsTheElboOptimum() {
        LearnedScalePrior prior = LearnedScalePrior.perLayer();
        MeanFieldSample q = sample(MU, SIGMA);
        double meanSquare = 0;
        for (int i = 0; i < MU.length; i++) {
            meanSquare += (MU[i] * MU[i] + SIGMA[i] * SIGMA[i]) / MU.length;
        }
        double s = prior.scales(q)[0];
        assertEquals(Math.sqrt(meanSquare), s, 1e-14);
        double learned = prior.klDivergence(q);
        int[] all = {0, 1, 2, 3, 4, 5, 6, 7};
        assertEquals(new GaussianPrior(0, s).klDivergence(q), learned, 1e-12);
        for (double factor : new double[]{0.5, 0.9, 0.999, 1.001, 1.1, 2}) {
            assertTrue(gaussianKl(MU, SIGMA, s * factor, 0, all) > learned, "scale " + s * factor + " beats the optimum");
        }
    }

    /** Per unit: unit j pools its incoming weights and its bias. */
    @Test
    void perUnitScalesPoolEachUnitsWeightsAndBias() {
        double[] scales = LearnedScalePrior.perUnit().scales(sample(MU, SIGMA));
        int[][] units = {{0, 1, 2, 6}, {3, 4, 5, 7}};
        for (int j = 0; j < 2; j++) {
            double m = 0;
            for (int i : units[j]) {
                m += (MU[i] * MU[i] + SIGMA[i] * SIGMA[i]) / 4;
            }
            assertEquals(Math.sqrt(m), scales[j], 1e-14, "unit " + j);
        }
        double kl = LearnedScalePrior.perUnit().klDivergence(sample(MU, SIGMA));
        assertEquals(gaussianKl(MU, SIGMA, scales[0], 0, units[0]) + gaussianKl(MU, SIGMA, scales[1], 0, units[1]), kl, 1e-12);
    }

    /** With an IG(a, b) hyperprior the scale minimizes KL - log IG(s^2): checked against a fine grid over s^2. */
    @Test
    void hyperpriorScaleMinimizesTheKlLessTheLogHyperprior() {
        double a = 3.0;
        double b = 0.2;
        LearnedScalePrior prior = LearnedScalePrior.perLayer().withInverseGammaHyperprior(a, b);
        MeanFieldSample q = sample(MU, SIGMA);
        double v = Math.pow(prior.scales(q)[0], 2);
        int[] all = {0, 1, 2, 3, 4, 5, 6, 7};
        double best = Double.POSITIVE_INFINITY;
        double argBest = 0;
        for (double grid = 0.01; grid < 1.0; grid += 1e-5) {
            double objective = gaussianKl(MU, SIGMA, Math.sqrt(grid), 0, all)
                    - (a * Math.log(b) - LearnedScalePrior.logGamma(a) - (a + 1) * Math.log(grid) - b / grid);
            if (objective < best) {
                best = objective;
                argBest = grid;
            }
        }
        assertEquals(argBest, v, 2e-5);
        assertEquals(best, prior.klDivergence(q), 1e-8);
    }

    /** The closed-form gradient with the scale held fixed is the total derivative (the envelope theorem). */
    @Test
    void gradientMatchesFiniteDifferencesOfTheLearnedKl() {
        for (LearnedScalePrior prior : new LearnedScalePrior[]{LearnedScalePrior.perLayer(), LearnedScalePrior.perUnit(),
                LearnedScalePrior.perUnit().withInverseGammaHyperprior(1.5, 0.01)}) {
            double[] gMu = new double[MU.length];
            double[] gSigma = new double[MU.length];
            prior.addKlGradient(sample(MU, SIGMA), 2.0, gMu, gSigma);
            double h = 1e-7;
            for (int i = 0; i < MU.length; i++) {
                double[] p = MU.clone();
                double[] m = MU.clone();
                p[i] += h;
                m[i] -= h;
                double numeric = 2.0 * (prior.klDivergence(sample(p, SIGMA)) - prior.klDivergence(sample(m, SIGMA))) / (2 * h);
                assertEquals(numeric, gMu[i], 1e-6 * Math.max(1, Math.abs(numeric)), prior + " dmu_" + i);
                double[] sp = SIGMA.clone();
                double[] sm = SIGMA.clone();
                sp[i] += h;
                sm[i] -= h;
                numeric = 2.0 * (prior.klDivergence(sample(MU, sp)) - prior.klDivergence(sample(MU, sm))) / (2 * h);
                assertEquals(numeric, gSigma[i], 1e-6 * Math.max(1, Math.abs(numeric)), prior + " dsigma_" + i);
            }
        }
    }

    @Test
    void scaleIsFlooredAtMinScale() {
        double[] tiny = new double[8];
        java.util.Arrays.fill(tiny, 1e-6);
        assertEquals(1e-3, LearnedScalePrior.perLayer().scales(sample(tiny, tiny))[0], 0);
        assertEquals(1e-5, LearnedScalePrior.perLayer().withMinScale(1e-5).scales(sample(tiny, tiny))[0], 1e-12);
    }

    @Test
    void logGammaMatchesKnownValues() {
        assertEquals(0.0, LearnedScalePrior.logGamma(1.0), 1e-13);
        assertEquals(0.0, LearnedScalePrior.logGamma(2.0), 1e-13);
        assertEquals(0.5 * Math.log(Math.PI), LearnedScalePrior.logGamma(0.5), 1e-13);
        assertEquals(Math.log(362880.0), LearnedScalePrior.logGamma(10.0), 1e-12);
        assertEquals(Math.log(0.5 * Math.sqrt(Math.PI)), LearnedScalePrior.logGamma(1.5), 1e-13);
    }

    @Test
    void badArgumentsAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LearnedScalePrior.perLayer().withMinScale(0))
                .getMessage().contains("minScale"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LearnedScalePrior.perLayer().withInverseGammaHyperprior(-1, 1)).getMessage().contains("shape"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LearnedScalePrior.perLayer().withInverseGammaHyperprior(1, Double.NaN)).getMessage().contains("scale"));
    }
}
