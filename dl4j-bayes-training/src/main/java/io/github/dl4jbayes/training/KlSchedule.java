package io.github.dl4jbayes.training;

import io.github.dl4jbayes.internal.ArgumentChecks;
import java.util.Locale;

/**
 * The weight on the KL term at each optimizer step, shared by every trainer of the library ({@link Advi},
 * {@code HierarchicalAdvi}, {@code ActiveLearning}'s default training): a linear warm-up from {@code 1 / K} to 1 over
 * the first {@code K} steps, times a temperature (1, the exact ELBO, unless tempered). The step is the network's own
 * iteration count, counted from 1, so that a network's warm-up continues over several fits and after it is saved and
 * loaded, and two networks trained with one trainer each get their own warm-up. Immutable.
 */
public final class KlSchedule {
    /** The default warm-up lasts {@code iterations / DEFAULT_WARM_UP_FRACTION} steps (the defaults study). */
    public static final int DEFAULT_WARM_UP_FRACTION = 4;

    private final int warmUpSteps;
    private final double temperature;

    /**
     * @param warmUpSteps K, the length of the linear warm-up (&gt;= 0; 0 for none)
     * @param temperature the KL term's multiplier after the warm-up (finite, &gt; 0; 1 for the exact ELBO)
     */
    public KlSchedule(int warmUpSteps, double temperature) {
        ArgumentChecks.nonNegative("warmUpSteps", warmUpSteps);
        ArgumentChecks.positiveFinite("temperature", temperature);
        this.warmUpSteps = warmUpSteps;
        this.temperature = temperature;
    }

    /** @return the schedule without warm-up or temperature: weight 1 at every step (the exact ELBO) */
    public static KlSchedule none() {
        return new KlSchedule(0, 1.0);
    }

    /** @return the default warm-up length for a fit of {@code iterations} steps: a quarter of them */
    public static int defaultWarmUp(int iterations) {
        return iterations / DEFAULT_WARM_UP_FRACTION;
    }

    /**
     * @param step the network's step, counted from 1 (its iteration count before the step, plus one)
     * @return the KL weight of that step: {@code temperature * min(1, step / K)}, or the temperature without warm-up
     */
    public double weightAt(long step) {
        if (step < 1) {
            throw new IllegalArgumentException("step counts from 1, got " + step);
        }
        double warmUp = warmUpSteps > 0 ? Math.min(1.0, (double) step / warmUpSteps) : 1.0;
        return temperature * warmUp;
    }

    /** @return K, the warm-up length in steps (0 for none) */
    public int warmUpSteps() {
        return warmUpSteps;
    }

    /** @return the KL term's multiplier after the warm-up */
    public double temperature() {
        return temperature;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "KlSchedule(warm-up %d steps, temperature %s)", warmUpSteps, temperature);
    }
}
