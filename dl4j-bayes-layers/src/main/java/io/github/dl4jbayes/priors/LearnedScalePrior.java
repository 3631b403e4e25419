package io.github.dl4jbayes.priors;

import io.github.dl4jbayes.internal.ArgumentChecks;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;

/**
 * A zero-mean Gaussian prior whose standard deviation is learned by maximizing the ELBO (empirical Bayes, or a
 * hierarchical prior inside one network): one scale for the whole layer ({@link #perLayer()}), or one per output unit,
 * its incoming weights and its bias ({@link #perUnit()}: automatic relevance determination).
 *
 * <p>For a group of {@code n} parameters with {@code S = sum_i (mu_i^2 + sigma_i^2)}, the ELBO's best variance has a
 * closed form, so the scale is not a separate parameter: it is recomputed from the posterior at every step, which
 * maximizes the ELBO over it exactly, and it is saved with the network through the posterior it is a function of.
 * Without a hyperprior, {@code s^2 = S / n}; with an inverse-gamma hyperprior {@code s^2 ~ IG(a, b)} (its mode), the
 * maximum a posteriori {@code s^2 = (S/2 + b) / (n/2 + a + 1)}. The KL term is then
 *
 * <pre>
 *   sum_groups [ KL(q_g || N(0, s_g^2)) - log IG(s_g^2; a, b) ]        (the hyperprior term only with a hyperprior)
 * </pre>
 *
 * and its gradient with respect to mu and sigma is the Gaussian prior's at {@code s_g} (the derivative through
 * {@code s_g} vanishes at the optimum).
 *
 * <p><b>Collapse.</b> Without a hyperprior, a group whose weights the data do not need can shrink towards zero
 * together with its scale (ARD switching a unit off). The scale is floored at {@code minScale} (default 1e-3), and the
 * first time a group reaches the floor a warning is logged; a hyperprior with {@code b > 0} keeps every scale above
 * {@code sqrt(b / (n/2 + a + 1))} on its own.
 */
public final class LearnedScalePrior implements Prior {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LearnedScalePrior.class);
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
    /** Default floor of the learned scale. */
    public static final double DEFAULT_MIN_SCALE = 1e-3;

    private final boolean perUnit;
    private final double hyperShape;
    private final double hyperScale;
    private final double minScale;
    /** Whether the floor warning was logged (once per prior object). */
    @JsonIgnore
    private transient volatile boolean warned;

    @JsonCreator
    private LearnedScalePrior(@JsonProperty("perUnit") boolean perUnit, @JsonProperty("hyperShape") double hyperShape,
                              @JsonProperty("hyperScale") double hyperScale, @JsonProperty("minScale") double minScale) {
        boolean none = hyperShape == 0 && hyperScale == 0;
        if (!none && (!(hyperShape > 0) || !Double.isFinite(hyperShape) || !(hyperScale > 0) || !Double.isFinite(hyperScale))) {
            throw new IllegalArgumentException("LearnedScalePrior inverse-gamma hyperprior needs finite shape > 0 and scale > 0, "
                    + "got shape " + hyperShape + ", scale " + hyperScale);
        }
        ArgumentChecks.positiveFinite("LearnedScalePrior minScale", minScale);
        this.perUnit = perUnit;
        this.hyperShape = hyperShape;
        this.hyperScale = hyperScale;
        this.minScale = minScale;
    }

    /** @return one learned scale for the whole layer, no hyperprior, floor {@value #DEFAULT_MIN_SCALE} */
    public static LearnedScalePrior perLayer() {
        return new LearnedScalePrior(false, 0, 0, DEFAULT_MIN_SCALE);
    }

    /** @return one learned scale per output unit (ARD), no hyperprior, floor {@value #DEFAULT_MIN_SCALE} */
    public static LearnedScalePrior perUnit() {
        return new LearnedScalePrior(true, 0, 0, DEFAULT_MIN_SCALE);
    }

    /**
     * @param shape the inverse-gamma hyperprior's shape {@code a} (&gt; 0)
     * @param scale its scale {@code b} (&gt; 0): the prior mode of the variance is {@code b / (a + 1)}
     * @return this prior with the hyperprior {@code s^2 ~ IG(a, b)}
     */
    public LearnedScalePrior withInverseGammaHyperprior(double shape, double scale) {
        return new LearnedScalePrior(perUnit, shape, scale, minScale);
    }

    /** @return this prior with the learned scale floored at {@code minScale} (finite, &gt; 0) */
    public LearnedScalePrior withMinScale(double minScale) {
        return new LearnedScalePrior(perUnit, hyperShape, hyperScale, minScale);
    }

    /** @return whether the scale is learned per output unit (else per layer) */
    @JsonProperty("perUnit")
    public boolean isPerUnit() {
        return perUnit;
    }

    /** @return the hyperprior's shape {@code a}, 0 without a hyperprior */
    @JsonProperty("hyperShape")
    public double getHyperShape() {
        return hyperShape;
    }

    /** @return the hyperprior's scale {@code b}, 0 without a hyperprior */
    @JsonProperty("hyperScale")
    public double getHyperScale() {
        return hyperScale;
    }

    /** @return the floor of the learned scale */
    @JsonProperty("minScale")
    public double getMinScale() {
        return minScale;
    }

    private boolean hasHyperprior() {
        return hyperShape > 0;
    }

    /**
     * @param q a layer's posterior
     * @return the learned standard deviation of each group (one for the layer, or one per unit) at that posterior
     */
    public double[] scales(MeanFieldSample q) {
        double[] variances = variances(q);
        for (int g = 0; g < variances.length; g++) {
            variances[g] = Math.sqrt(variances[g]);
        }
        return variances;
    }

    /** The ELBO-optimal variance of each group, floored at minScale^2. */
    private double[] variances(MeanFieldSample q) {
        int groups = perUnit ? q.block().units() : 1;
        double[] sum = new double[groups];
        double[] count = new double[groups];
        for (int i = 0; i < q.size(); i++) {
            int g = perUnit ? q.unit(i) : 0;
            sum[g] += q.mu(i) * q.mu(i) + q.sigma(i) * q.sigma(i);
            count[g]++;
        }
        double floor = minScale * minScale;
        for (int g = 0; g < groups; g++) {
            double v = hasHyperprior() ? (0.5 * sum[g] + hyperScale) / (0.5 * count[g] + hyperShape + 1)
                    : count[g] == 0 ? floor : sum[g] / count[g];
            if (!(v > floor)) {
                if (count[g] > 0 && !warned) {
                    warned = true;
                    LOG.warn("LearnedScalePrior: the learned prior scale of {} of {} reached the floor minScale={}: "
                                    + "the data do not support its weights, which shrink to zero with it (ARD switching it off). "
                                    + "Lower minScale to let it, or set an inverse-gamma hyperprior to hold it up.",
                            perUnit ? "unit " + g : "the layer", q.block().describe(), minScale);
                }
                v = floor;
            }
            sum[g] = v;
        }
        return sum;
    }

    /** -log IG(v; a, b) = (a + 1) log v + b / v + lgamma(a) - a log b. */
    private double negLogHyperprior(double v) {
        return (hyperShape + 1) * Math.log(v) + hyperScale / v + logGamma(hyperShape) - hyperShape * Math.log(hyperScale);
    }

    @Override
    public boolean hasAnalyticKl() {
        return true;
    }

    @Override
    public double klDivergence(MeanFieldSample q) {
        double[] v = variances(q);
        double sum = 0.0;
        for (int i = 0; i < q.size(); i++) {
            double var = v[perUnit ? q.unit(i) : 0];
            double sigma = q.sigma(i);
            sum += 0.5 * Math.log(var) - Math.log(sigma) + (sigma * sigma + q.mu(i) * q.mu(i)) / (2.0 * var) - 0.5;
        }
        return sum + hyperpriorTerm(v);
    }

    private double hyperpriorTerm(double[] v) {
        double sum = 0.0;
        for (int g = 0; hasHyperprior() && g < v.length; g++) {
            sum += negLogHyperprior(v[g]);
        }
        return sum;
    }

    @Override
    public void addKlGradient(MeanFieldSample q, double scale, double[] gradMu, double[] gradSigma) {
        double[] v = variances(q);
        for (int i = 0; i < q.size(); i++) {
            double inv = 1.0 / v[perUnit ? q.unit(i) : 0];
            double sigma = q.sigma(i);
            gradMu[i] += scale * q.mu(i) * inv;
            gradSigma[i] += scale * (sigma * inv - 1.0 / sigma);
        }
    }

    /** {@code log N(w; 0, s_g^2)} summed, less the hyperprior term: the joint {@code log p(w, s)} at the learned scales. */
    @Override
    public double logDensity(MeanFieldSample q) {
        double[] v = variances(q);
        double sum = 0.0;
        for (int i = 0; i < q.size(); i++) {
            double var = v[perUnit ? q.unit(i) : 0];
            double w = q.weight(i);
            sum -= 0.5 * w * w / var + 0.5 * Math.log(var) + HALF_LOG_TWO_PI;
        }
        return sum - hyperpriorTerm(v);
    }

    @Override
    public void addLogDensityGradient(MeanFieldSample q, double scale, double[] gradW) {
        double[] v = variances(q);
        for (int i = 0; i < q.size(); i++) {
            gradW[i] -= scale * q.weight(i) / v[perUnit ? q.unit(i) : 0];
        }
    }

    /**
     * The derivative of {@link #logDensity} through the learned variances: {@code d log p / dv_g} (the drawn weights
     * fixed) times {@code dv_g / dmu_i = mu_i / c_g} and {@code dv_g / dsigma_i = sigma_i / c_g}, with
     * {@code c_g = n_g / 2} (no hyperprior) or {@code n_g / 2 + a + 1}; zero where the variance sits at its floor.
     */
    @Override
    public void addLogDensityPosteriorGradient(MeanFieldSample q, double scale, double[] gradMu, double[] gradSigma) {
        double[] v = variances(q);
        int groups = v.length;
        double[] sumW2 = new double[groups];
        double[] count = new double[groups];
        for (int i = 0; i < q.size(); i++) {
            int g = perUnit ? q.unit(i) : 0;
            double w = q.weight(i);
            sumW2[g] += w * w;
            count[g]++;
        }
        double floor = minScale * minScale;
        double[] factor = new double[groups];
        for (int g = 0; g < groups; g++) {
            if (count[g] == 0 || v[g] <= floor) {
                continue;                                         // at the floor the variance does not move
            }
            double dLogPdV = 0.5 * (sumW2[g] / (v[g] * v[g]) - count[g] / v[g]);
            if (hasHyperprior()) {
                dLogPdV -= (hyperShape + 1) / v[g] - hyperScale / (v[g] * v[g]);
            }
            factor[g] = scale * dLogPdV / (0.5 * count[g] + (hasHyperprior() ? hyperShape + 1 : 0));
        }
        for (int i = 0; i < q.size(); i++) {
            double f = factor[perUnit ? q.unit(i) : 0];
            gradMu[i] += f * q.mu(i);
            gradSigma[i] += f * q.sigma(i);
        }
    }

    /** Lanczos approximation of log Gamma(x) for x &gt; 0 (relative error below 1e-13). */
    static double logGamma(double x) {
        double[] c = {57.1562356658629235, -59.5979603554754912, 14.1360979747417471, -0.491913816097620199,
                .339946499848118887e-4, .465236289270485756e-4, -.983744753048795646e-4, .158088703224912494e-3,
                -.210264441724104883e-3, .217439618115212643e-3, -.164318106536763890e-3, .844182239838527433e-4,
                -.261908384015814087e-4, .368991826595316234e-5};
        double y = x;
        double tmp = x + 5.24218750000000000;
        tmp = (x + 0.5) * Math.log(tmp) - tmp;
        double ser = 0.999999999999997092;
        for (double coefficient : c) {
            ser += coefficient / ++y;
        }
        return tmp + Math.log(2.5066282746310005 * ser / x);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LearnedScalePrior)) {
            return false;
        }
        LearnedScalePrior that = (LearnedScalePrior) o;
        return perUnit == that.perUnit && Double.compare(hyperShape, that.hyperShape) == 0
                && Double.compare(hyperScale, that.hyperScale) == 0 && Double.compare(minScale, that.minScale) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(perUnit, hyperShape, hyperScale, minScale);
    }

    @Override
    public String toString() {
        return "LearnedScalePrior(" + (perUnit ? "per unit" : "per layer")
                + (hasHyperprior() ? ", IG(" + hyperShape + ", " + hyperScale + ") hyperprior" : "")
                + ", minScale=" + minScale + ")";
    }
}
