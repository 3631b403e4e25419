package io.github.dl4jbayes.priors;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * An isotropic Gaussian prior {@code p(w_i) = N(mean, std^2)} on every parameter of a layer, with the analytic KL
 * divergence to the mean-field posterior {@code q(w_i) = N(mu_i, sigma_i^2)}:
 *
 * <pre>
 *   KL(q || p) = sum_i [ log(std / sigma_i) + (sigma_i^2 + (mu_i - mean)^2) / (2 std^2) - 1/2 ]
 *   dKL/dmu_i    = (mu_i - mean) / std^2
 *   dKL/dsigma_i = sigma_i / std^2 - 1 / sigma_i
 * </pre>
 *
 * <p>{@code new GaussianPrior(0, 1)} is the Normal(0, 1) prior of the PyMC3 "Bayesian Deep Learning" notebook.
 */
public final class GaussianPrior implements Prior {
    private static final long serialVersionUID = 1L;

    private final double mean;
    private final double std;

    /**
     * @param mean the prior mean (finite)
     * @param std  the prior standard deviation (finite and &gt; 0)
     * @throws IllegalArgumentException if {@code mean} is not finite or {@code std} is not a finite positive number
     */
    @JsonCreator
    public GaussianPrior(@JsonProperty("mean") double mean, @JsonProperty("std") double std) {
        if (!Double.isFinite(mean)) {
            throw new IllegalArgumentException("GaussianPrior mean must be finite, got " + mean);
        }
        if (!(std > 0) || !Double.isFinite(std)) {
            throw new IllegalArgumentException("GaussianPrior std must be a finite number > 0, got " + std);
        }
        this.mean = mean;
        this.std = std;
    }

    /** @return the standard normal prior N(0, 1) */
    public static GaussianPrior standardNormal() {
        return new GaussianPrior(0.0, 1.0);
    }

    /** @return the prior mean */
    public double getMean() {
        return mean;
    }

    /** @return the prior standard deviation */
    public double getStd() {
        return std;
    }

    @Override
    public double klDivergence(MeanFieldSample q) {
        double variance = std * std;
        double logStd = Math.log(std);
        double sum = 0.0;
        for (int i = 0; i < q.size(); i++) {
            double sigma = q.sigma(i);
            double diff = q.mu(i) - mean;
            sum += logStd - Math.log(sigma) + (sigma * sigma + diff * diff) / (2.0 * variance) - 0.5;
        }
        return sum;
    }

    @Override
    public void addKlGradient(MeanFieldSample q, double scale, double[] gradMu, double[] gradSigma) {
        double invVariance = 1.0 / (std * std);
        for (int i = 0; i < q.size(); i++) {
            double sigma = q.sigma(i);
            gradMu[i] += scale * (q.mu(i) - mean) * invVariance;
            gradSigma[i] += scale * (sigma * invVariance - 1.0 / sigma);
        }
    }

    /**
     * The KL of a block in double precision whatever the layer's type: the sums of {@code sigma^2}, {@code log sigma}
     * and {@code (mu - mean)^2} are taken over a double copy, with {@code mu - mean} formed before squaring (expanding
     * it would cancel catastrophically when the prior mean is far from zero).
     */
    @Override
    public double klDivergence(INDArray mu, INDArray sigma, INDArray eps, PriorScratch scratch) {
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
        return Double.compare(mean, that.mean) == 0 && Double.compare(std, that.std) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(mean, std);
    }

    @Override
    public String toString() {
        return "GaussianPrior(mean=" + mean + ", std=" + std + ")";
    }
}
