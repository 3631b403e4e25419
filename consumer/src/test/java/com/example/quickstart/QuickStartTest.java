package com.example.quickstart;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the README's quick start, at the README's sizes, against the library resolved from a Maven repository. */
class QuickStartTest {

    @Test
    void theQuickStartLearnsTheMoons() {
        QuickStart.Result r = QuickStart.run(10_000, 500);

        assertEquals(10_000, r.elbo().size());
        assertTrue(Double.isFinite(r.elbo().last()), "the final ELBO is finite");
        assertArrayEquals(new long[]{500, 1}, r.probability().shape());
        assertArrayEquals(new long[]{500, 1}, r.uncertainty().shape());
        // total variance = aleatoric + epistemic: the outcome's spread is never below the probability's
        // (up to the divisor S - 1 of the sample std, a factor sqrt(500 / 499))
        assertTrue(r.total().mul(Math.sqrt(500.0 / 499)).sub(r.uncertainty()).minNumber().doubleValue() >= -1e-6);
        // 2-5-5-1: 15 + 30 + 6 weights and biases, one row each below the header
        assertEquals(51, r.summary().lines().count() - 1);
        // the two moons with noise 0.2 overlap a little: the Bayes-optimal boundary is about 97% right on them
        // (the repository's moons example: 97.5%); a network that did not learn them is at 50%
        assertTrue(r.testAccuracy() >= 0.9, "test accuracy " + r.testAccuracy());
    }
}
