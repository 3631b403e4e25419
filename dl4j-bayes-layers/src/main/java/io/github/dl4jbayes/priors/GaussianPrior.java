package io.github.dl4jbayes.priors;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.internal.StableMath;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonInclude;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Arrays;
import java.util.Objects;

/**
 * A Gaussian prior {@code p(w_i) = N(m_i, s_i^2)} on every parameter of a layer, with the analytic KL divergence to
 * the mean-field posterior {@code q(w_i) = N(mu_i, sigma_i^2)}:
 *
 * <pre>
 *   KL(q || p) = sum_i [ log(s_i / sigma_i) + (sigma_i^2 + (mu_i - m_i)^2) / (2 s_i^2) - 1/2 ]
 *   dKL/dmu_i    = (mu_i - m_i) / s_i^2
 *   dKL/dsigma_i = sigma_i / s_i^2 - 1 / sigma_i
 * </pre>
 *
 * <p>Isotropic ({@code new GaussianPrior(mean, std)}: one mean and one standard deviation for every parameter;
 * {@code new GaussianPrior(0, 1)} is the Normal(0, 1) prior of the PyMC3 "Bayesian Deep Learning" notebook), or
 * <b>per parameter</b> ({@link #perParameter}): a mean, and a standard deviation or one for all, for each parameter of
 * the layer's block, in the layer's flattened order (its weights in the layer's weight order, then its biases), as an
 * informed prior centred on a trained network's weights is ({@code layers.InformedPriors}). Per-parameter values are stored in
 * the configuration's JSON as base64 ({@code PackedValues}: 4 bytes a value for float values, 8 otherwise).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class GaussianPrior implements Prior {
    private static final long serialVersionUID = 2L;
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

    private final double mean;
    private final double std;
    /** Per-parameter means, or null for {@link #mean} everywhere (in the JSON as {@code means}, packed). */
    @JsonIgnore
    private final double[] meanValues;
    /** Per-parameter standard deviations, or null for {@link #std} everywhere (in the JSON as {@code stds}, packed). */
    @JsonIgnore
    private final double[] stdValues;

    /**
     * @param mean the prior mean (finite)
     * @param std  the prior standard deviation (finite and &gt; 0)
     * @throws IllegalArgumentException if {@code mean} is not finite or {@code std} is not a finite positive number
     */
    public GaussianPrior(double mean, double std) {
        this(mean, std, null, null);
    }

    private GaussianPrior(double mean, double std, double[] means, double[] stds) {
        if (!Double.isFinite(mean)) {
            throw new IllegalArgumentException("GaussianPrior mean must be finite, got " + mean);
        }
        ArgumentChecks.positiveFinite("GaussianPrior std", std);
        if (means != null && stds != null && means.length != stds.length) {
            throw new IllegalArgumentException("GaussianPrior: " + means.length + " means but " + stds.length + " stds");
        }
        for (int i = 0; means != null && i < means.length; i++) {
            if (!Double.isFinite(means[i])) {
                throw new IllegalArgumentException("GaussianPrior mean of parameter " + i + " must be finite, got " + means[i]);
            }
        }
        for (int i = 0; stds != null && i < stds.length; i++) {
            if (!(stds[i] > 0) || !Double.isFinite(stds[i])) {
                throw new IllegalArgumentException("GaussianPrior std of parameter " + i + " must be a finite number > 0, got "
                        + stds[i]);
            }
        }
        this.mean = mean;
        this.std = std;
        this.meanValues = means;
        this.stdValues = stds;
    }

    @JsonCreator
    static GaussianPrior fromJson(@JsonProperty("mean") double mean, @JsonProperty("std") double std,
                                  @JsonProperty("means") byte[] means, @JsonProperty("stds") byte[] stds) {
        return new GaussianPrior(mean, std, PackedValues.unpack(means, "GaussianPrior means"),
                PackedValues.unpack(stds, "GaussianPrior stds"));
    }

    /** @return the standard normal prior N(0, 1) */
    public static GaussianPrior standardNormal() {
        return new GaussianPrior(0.0, 1.0);
    }

    /**
     * A prior with a mean per parameter and one standard deviation.
     *
     * @param means a vector with one finite value per parameter of the layer's block, in the layer's flattened order
     *              (weights in the layer's weight order, then biases); checked against the layer when it is built
     * @param std   the prior standard deviation of every parameter (finite, &gt; 0)
     */
    public static GaussianPrior perParameter(INDArray means, double std) {
        return new GaussianPrior(0.0, std, flat(means, "means"), null);
    }

    /**
     * A prior with a mean and a standard deviation per parameter.
     *
     * @param means one finite value per parameter of the layer's block, in the layer's flattened order
     * @param stds  one finite value &gt; 0 per parameter, same length
     */
    public static GaussianPrior perParameter(INDArray means, INDArray stds) {
        double[] s = flat(stds, "stds");
        return new GaussianPrior(0.0, s.length == 0 ? 1.0 : s[0], flat(means, "means"), s);
    }

    private static double[] flat(INDArray values, String name) {
        Objects.requireNonNull(values, name);
        if (!values.isVectorOrScalar()) {
            throw new IllegalArgumentException("GaussianPrior.perParameter: " + name + " must be a vector in the layer's "
                    + "flattened order, got shape " + java.util.Arrays.toString(values.shape()) + " (for weights in the "
                    + "layer's own shape use InformedPriors.centredAt, which flattens them in the layer's order)");
        }
        return values.dup().reshape(values.length()).toDoubleVector();
    }

    /** @return the prior mean (of every parameter unless the prior has a mean per parameter) */
    @JsonProperty("mean")
    public double getMean() {
        return mean;
    }

    /** @return the prior standard deviation (of every parameter unless the prior has one per parameter) */
    @JsonProperty("std")
    public double getStd() {
        return std;
    }

    /** @return the mean of the parameter at block position {@code position} */
    public double mean(int position) {
        return meanValues == null ? mean : meanValues[position];
    }

    /** @return the standard deviation of the parameter at block position {@code position} */
    public double std(int position) {
        return stdValues == null ? std : stdValues[position];
    }

    /** @return whether the prior holds a mean or a standard deviation per parameter */
    @JsonIgnore
    public boolean isPerParameter() {
        return meanValues != null || stdValues != null;
    }

    /** @return the per-parameter means, packed for the JSON (null when isotropic) */
    @JsonProperty("means")
    byte[] packedMeans() {
        return PackedValues.pack(meanValues);
    }

    /** @return the per-parameter standard deviations, packed for the JSON (null when shared) */
    @JsonProperty("stds")
    byte[] packedStds() {
        return PackedValues.pack(stdValues);
    }

    @Override
    public void validate(ParameterBlock block) {
        long n = meanValues != null ? meanValues.length : stdValues != null ? stdValues.length : -1;
        if (n >= 0 && n != block.size()) {
            throw new IllegalArgumentException("GaussianPrior holds " + n + " per-parameter values but " + block.describe()
                    + " has " + block.size() + ": the array must cover the layer's weights (in its flattened order) and "
                    + "then its biases");
        }
    }

    @Override
    public boolean hasAnalyticKl() {
        return true;
    }

    @Override
    public double logDensity(MeanFieldSample q) {
        double sum = 0.0;
        for (int i = 0; i < q.size(); i++) {
            int p = q.position(i);
            double s = std(p);
            double z = (q.weight(i) - mean(p)) / s;
            sum -= 0.5 * z * z + Math.log(s) + HALF_LOG_TWO_PI;
        }
        return sum;
    }

    @Override
    public void addLogDensityGradient(MeanFieldSample q, double scale, double[] gradW) {
        for (int i = 0; i < q.size(); i++) {
            int p = q.position(i);
            double s = std(p);
            gradW[i] -= scale * (q.weight(i) - mean(p)) / (s * s);
        }
    }

    @Override
    public double klDivergence(MeanFieldSample q) {
        double sum = 0.0;
        StableMath.LogSum logSigma = new StableMath.LogSum();
        StableMath.LogSum logStd = new StableMath.LogSum();
        for (int i = 0; i < q.size(); i++) {
            int p = q.position(i);
            double s = std(p);
            double sigma = q.sigma(i);
            double diff = q.mu(i) - mean(p);
            if (stdValues != null) {
                logStd.add(s);
            }
            sum += (sigma * sigma + diff * diff) / (2.0 * s * s);
        }
        logSigma.addAll(q.sigmas(), q.size());
        double sumLogStd = stdValues != null ? logStd.value() : q.size() * Math.log(std);
        return sum + sumLogStd - logSigma.value() - 0.5 * q.size();
    }

    @Override
    public void addKlGradient(MeanFieldSample q, double scale, double[] gradMu, double[] gradSigma) {
        for (int i = 0; i < q.size(); i++) {
            int p = q.position(i);
            double s = std(p);
            double invVariance = 1.0 / (s * s);
            double sigma = q.sigma(i);
            gradMu[i] += scale * (q.mu(i) - mean(p)) * invVariance;
            gradSigma[i] += scale * (sigma * invVariance - 1.0 / sigma);
        }
    }

    /**
     * The KL of a block in double precision whatever the layer's type: the sums of {@code sigma^2}, {@code log sigma}
     * and {@code (mu - mean)^2} are taken over a double copy, with {@code mu - mean} formed before squaring (expanding
     * it would cancel catastrophically when the prior mean is far from zero). A per-parameter prior goes through the
     * element-wise form.
     */
    @Override
    public double klDivergence(INDArray mu, INDArray sigma, INDArray eps, PriorScratch scratch) {
        if (isPerParameter()) {
            return Prior.super.klDivergence(mu, sigma, eps, scratch);
        }
        long n = mu.length();
        INDArray work = scratch.doubleCopy(sigma);
        double sumSigmaSq = Nd4j.getBlasWrapper().dot(work, work);
        Nd4j.getExecutioner().exec(new Log(work, work));
        double sumLogSigma = work.sumNumber().doubleValue();
        INDArray diff = scratch.doubleCopy(mu).subi(mean);
        double sumDiffSq = Nd4j.getBlasWrapper().dot(diff, diff);
        return n * (Math.log(std) - 0.5) - sumLogSigma + (sumSigmaSq + sumDiffSq) / (2.0 * std * std);
    }

    @Override
    public void addKlGradient(INDArray mu, INDArray sigma, INDArray eps, double scale, INDArray gradMu,
                              INDArray gradSigma, PriorScratch scratch) {
        if (isPerParameter()) {
            Prior.super.addKlGradient(mu, sigma, eps, scale, gradMu, gradSigma, scratch);
            return;
        }
        double invVariance = 1.0 / (std * std);
        INDArray buffer = scratch.buffer();
        axpy(scale * invVariance, mu, gradMu, buffer);
        if (mean != 0.0) {
            gradMu.subi(scale * mean * invVariance);
        }
        axpy(scale * invVariance, sigma, gradSigma, buffer);
        gradSigma.subi(sigma.rdiv(scale, buffer));
    }

    /** y += alpha x: BLAS for float and double; other types (half, bfloat16) through ND4J element-wise operations. */
    private static void axpy(double alpha, INDArray x, INDArray y, INDArray buffer) {
        boolean blas = x.dataType() == DataType.FLOAT || x.dataType() == DataType.DOUBLE;
        if (blas && x.dataType() == y.dataType()) {
            Nd4j.getBlasWrapper().axpy(alpha, x, y);
        } else {
            y.addi(x.mul(alpha, buffer));
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof GaussianPrior)) {
            return false;
        }
        GaussianPrior that = (GaussianPrior) o;
        return Double.compare(mean, that.mean) == 0 && Double.compare(std, that.std) == 0
                && Arrays.equals(meanValues, that.meanValues) && Arrays.equals(stdValues, that.stdValues);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mean, std, Arrays.hashCode(meanValues), Arrays.hashCode(stdValues));
    }

    @Override
    public String toString() {
        if (!isPerParameter()) {
            return "GaussianPrior(mean=" + mean + ", std=" + std + ")";
        }
        return "GaussianPrior(" + (meanValues != null ? meanValues.length + " per-parameter means" : "mean=" + mean) + ", "
                + (stdValues != null ? "per-parameter stds" : "std=" + std) + ")";
    }
}
