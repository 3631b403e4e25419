package io.github.dl4jbayes.priors;

import io.github.dl4jbayes.internal.ArgumentChecks;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * A Laplace prior on every parameter, the Bayesian analogue of L1 regularization:
 *
 * <pre>
 *   p(w) = exp(-|w - location| / scale) / (2 scale)
 * </pre>
 *
 * Its mode at {@code location} is sharp, so it favours weights at exactly that value more than a Gaussian of the same
 * variance ({@code 2 scale^2}) does, with heavier tails. The layer uses the Monte-Carlo KL ({@link MonteCarloKl});
 * the derivative of {@code |w - location|} is taken as 0 at the kink (a set of draws of probability zero).
 */
public final class LaplacePrior implements Prior {
    private static final long serialVersionUID = 1L;

    private final double location;
    private final double scale;

    /**
     * @param location the prior's centre (finite)
     * @param scale    the prior's scale {@code b} (finite, &gt; 0): the standard deviation is {@code sqrt(2) b}
     * @throws IllegalArgumentException naming the bad argument
     */
    @JsonCreator
    public LaplacePrior(@JsonProperty("location") double location, @JsonProperty("scale") double scale) {
        if (!Double.isFinite(location)) {
            throw new IllegalArgumentException("LaplacePrior location must be finite, got " + location);
        }
        ArgumentChecks.positiveFinite("LaplacePrior scale", scale);
        this.location = location;
        this.scale = scale;
    }

    /** @return the prior's centre */
    public double getLocation() {
        return location;
    }

    /** @return the prior's scale {@code b} */
    public double getScale() {
        return scale;
    }

    @Override
    public double logDensity(MeanFieldSample q) {
        double sumAbs = 0.0;
        for (int i = 0; i < q.size(); i++) {
            sumAbs += Math.abs(q.weight(i) - location);
        }
        return -q.size() * Math.log(2 * scale) - sumAbs / scale;
    }

    @Override
    public void addLogDensityGradient(MeanFieldSample q, double s, double[] gradW) {
        for (int i = 0; i < q.size(); i++) {
            gradW[i] -= s * Math.signum(q.weight(i) - location) / scale;
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LaplacePrior)) {
            return false;
        }
        LaplacePrior that = (LaplacePrior) o;
        return Double.compare(location, that.location) == 0 && Double.compare(scale, that.scale) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(location, scale);
    }

    @Override
    public String toString() {
        return "LaplacePrior(location=" + location + ", scale=" + scale + ")";
    }
}
