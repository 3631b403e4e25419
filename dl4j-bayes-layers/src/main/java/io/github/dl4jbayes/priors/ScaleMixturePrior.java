package io.github.dl4jbayes.priors;

import io.github.dl4jbayes.internal.ArgumentChecks;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * Blundell et al.'s scale-mixture prior (Weight Uncertainty in Neural Networks, 2015) on every parameter:
 *
 * <pre>
 *   p(w) = pi N(w; 0, sigma1^2) + (1 - pi) N(w; 0, sigma2^2)
 * </pre>
 *
 * With a wide first component and a narrow second one ({@code sigma1 >> sigma2}) it is a continuous spike-and-slab:
 * most weights are pulled hard towards zero, a few are free to be large. The KL to a Gaussian posterior has no closed
 * form: the layer uses the Monte-Carlo KL ({@link MonteCarloKl}). The log density is computed as a log-sum-exp, so it
 * stays finite far in the tails of the narrow component.
 *
 * <p>Blundell et al.'s best settings had {@code pi} 1/4 or 1/2, {@code sigma1} of {@code exp(0)} to {@code exp(-2)},
 * {@code sigma2} of {@code exp(-6)} to {@code exp(-8)}.
 */
public final class ScaleMixturePrior implements Prior {
    private static final long serialVersionUID = 1L;
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

    private final double pi;
    private final double sigma1;
    private final double sigma2;

    /**
     * @param pi     the weight of the first component, in (0, 1)
     * @param sigma1 the first component's standard deviation (finite, &gt; 0)
     * @param sigma2 the second component's standard deviation (finite, &gt; 0)
     * @throws IllegalArgumentException naming the bad argument
     */
    @JsonCreator
    public ScaleMixturePrior(@JsonProperty("pi") double pi, @JsonProperty("sigma1") double sigma1,
                             @JsonProperty("sigma2") double sigma2) {
        if (!(pi > 0 && pi < 1)) {
            throw new IllegalArgumentException("ScaleMixturePrior pi must be in (0, 1), got " + pi);
        }
        ArgumentChecks.positiveFinite("ScaleMixturePrior sigma1", sigma1);
        ArgumentChecks.positiveFinite("ScaleMixturePrior sigma2", sigma2);
        this.pi = pi;
        this.sigma1 = sigma1;
        this.sigma2 = sigma2;
    }

    /** @return the weight of the first component */
    public double getPi() {
        return pi;
    }

    /** @return the first component's standard deviation */
    public double getSigma1() {
        return sigma1;
    }

    /** @return the second component's standard deviation */
    public double getSigma2() {
        return sigma2;
    }

    /** @return {@code log p(w)} */
    public double logDensity(double w) {
        double a = Math.log(pi) - Math.log(sigma1) - 0.5 * (w / sigma1) * (w / sigma1);
        double b = Math.log1p(-pi) - Math.log(sigma2) - 0.5 * (w / sigma2) * (w / sigma2);
        double max = Math.max(a, b);
        return max + Math.log(Math.exp(a - max) + Math.exp(b - max)) - HALF_LOG_TWO_PI;
    }

    /** @return {@code d log p(w) / dw = -w (r1 / sigma1^2 + r2 / sigma2^2)}, with r the components' responsibilities */
    public double dLogDensity(double w) {
        double a = Math.log(pi) - Math.log(sigma1) - 0.5 * (w / sigma1) * (w / sigma1);
        double b = Math.log1p(-pi) - Math.log(sigma2) - 0.5 * (w / sigma2) * (w / sigma2);
        double r1 = 1.0 / (1.0 + Math.exp(b - a));
        return -w * (r1 / (sigma1 * sigma1) + (1.0 - r1) / (sigma2 * sigma2));
    }

    @Override
    public double logDensity(MeanFieldSample q) {
        double sum = 0.0;
        for (int i = 0; i < q.size(); i++) {
            sum += logDensity(q.weight(i));
        }
        return sum;
    }

    @Override
    public void addLogDensityGradient(MeanFieldSample q, double scale, double[] gradW) {
        for (int i = 0; i < q.size(); i++) {
            gradW[i] += scale * dLogDensity(q.weight(i));
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ScaleMixturePrior)) {
            return false;
        }
        ScaleMixturePrior that = (ScaleMixturePrior) o;
        return Double.compare(pi, that.pi) == 0 && Double.compare(sigma1, that.sigma1) == 0
                && Double.compare(sigma2, that.sigma2) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(pi, sigma1, sigma2);
    }

    @Override
    public String toString() {
        return "ScaleMixturePrior(pi=" + pi + ", sigma1=" + sigma1 + ", sigma2=" + sigma2 + ")";
    }
}
