package io.github.dl4jbayes.predict;

import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import io.github.dl4jbayes.likelihoods.LossGaussianNll;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * The posterior predictive of a Gaussian regression network over S draws, and its decomposition. Draw s predicts
 * {@code N(mu_s, sigma_s^2)} for each target; the predictive distribution is their equal-weight mixture, with
 * <pre>
 *   mean       mean_s mu_s
 *   epistemic  var_s mu_s             (the draws disagree about the mean; shrinks with more data)
 *   aleatoric  mean_s sigma_s^2       (noise the model expects in the data)
 *   total      epistemic + aleatoric  (the mixture's variance)
 * </pre>
 * Intervals are central intervals of the moment-matched normal {@code N(mean, total)}; the log-likelihood of an
 * observation is that of the exact mixture.
 *
 * <pre>{@code
 * // net's output layer: new BayesianOutputLayer.Builder(new LossGaussianNll()), nOut = 2 per target
 * RegressionUncertainty u = RegressionUncertainty.of(net, PosteriorPredictive.of(net).samples(200).predict(x));
 * INDArray[] band = u.interval(0.9);                     // lower, upper
 * }</pre>
 */
public final class RegressionUncertainty {
    private final double[][][] mu;
    private final double[][][] sigma;
    private final int draws;
    private final int rows;
    private final int targets;

    private RegressionUncertainty(double[][][] mu, double[][][] sigma) {
        this.mu = mu;
        this.sigma = sigma;
        this.draws = mu.length;
        this.rows = mu[0].length;
        this.targets = mu[0][0].length;
    }

    /**
     * @param net        a network (a graph: its first output) whose output layer has the Gaussian likelihood ({@code LossGaussianNll}), which turns
     *                   the raw scales into standard deviations (its {@code minStd} included)
     * @param predictive the predictive of {@code net} (outputs: d means, then d raw scales), with the samples kept
     * @throws IllegalArgumentException if the network's output layer does not use {@code LossGaussianNll}
     */
    public static RegressionUncertainty of(Model net, PredictiveSamples predictive) {
        org.deeplearning4j.nn.conf.layers.Layer out = io.github.dl4jbayes.internal.NetworkAdapter.of(net).outputLayer(0)
                .conf().getLayer();
        ILossFunction loss = out instanceof BaseOutputLayer ? ((BaseOutputLayer) out).getLossFn() : null;
        if (!(loss instanceof LossGaussianNll)) {
            throw new IllegalArgumentException("RegressionUncertainty.of(net, ...) needs an output layer with the "
                    + "Gaussian likelihood (LossGaussianNll), got " + (loss == null ? out.getClass().getSimpleName()
                    : "loss " + loss) + "; for a network that predicts means only, use ofMeans(predictive, noiseStd)");
        }
        return of(predictive, (LossGaussianNll) loss);
    }

    /**
     * @param predictive the predictive of a network whose output layer uses {@code likelihood} (outputs: d means,
     *                   then d raw scales), with the samples kept
     * @param likelihood the network's loss, which turns raw scales into standard deviations
     * @deprecated a likelihood other than the network's (another {@code minStd}) gives wrong sigmas without a word:
     *             use {@link #of(Model, PredictiveSamples)}, which takes it from the network
     */
    @Deprecated
    public static RegressionUncertainty of(PredictiveSamples predictive, LossGaussianNll likelihood) {
        INDArray s = checked(predictive.samples());
        if (s.size(2) % 2 != 0) {
            throw new IllegalArgumentException("a Gaussian-likelihood network outputs a mean and a scale per target: "
                    + "expected an even number of outputs, got " + s.size(2));
        }
        int d = (int) s.size(2) / 2;
        double[][][] all = toArray(s);
        double[][][] mu = new double[all.length][all[0].length][d];
        double[][][] sigma = new double[all.length][all[0].length][d];
        for (int k = 0; k < all.length; k++) {
            for (int i = 0; i < all[0].length; i++) {
                for (int j = 0; j < d; j++) {
                    mu[k][i][j] = all[k][i][j];
                    sigma[k][i][j] = likelihood.std(all[k][i][d + j]);
                }
            }
        }
        return new RegressionUncertainty(mu, sigma);
    }

    /**
     * For a network that predicts means only (e.g. trained with MSE for a known noise level).
     *
     * @param noiseStd the known observation noise standard deviation (&gt; 0)
     */
    public static RegressionUncertainty ofMeans(PredictiveSamples predictive, double noiseStd) {
        if (!(noiseStd > 0) || !Double.isFinite(noiseStd)) {
            throw new IllegalArgumentException("noiseStd must be a finite number > 0 (the likelihood's noise; with 0 "
                    + "every log-likelihood would be -Infinity or NaN), got " + noiseStd);
        }
        double[][][] mu = toArray(checked(predictive.samples()));
        double[][][] sigma = new double[mu.length][mu[0].length][mu[0][0].length];
        for (double[][] draw : sigma) {
            for (double[] row : draw) {
                Arrays.fill(row, noiseStd);
            }
        }
        return new RegressionUncertainty(mu, sigma);
    }

    private static INDArray checked(INDArray samples) {
        if (samples.rank() != 3 || samples.size(0) == 0) {
            throw new IllegalArgumentException("samples must be [draws, rows, outputs], got "
                    + Arrays.toString(samples.shape()));
        }
        return samples;
    }

    private static double[][][] toArray(INDArray s) {
        // one flat copy (slicing per draw and row would make a native call each)
        double[] flat = s.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        int draws = (int) s.size(0);
        int rows = (int) s.size(1);
        int cols = (int) s.size(2);
        double[][][] out = new double[draws][rows][cols];
        for (int k = 0; k < draws; k++) {
            for (int i = 0; i < rows; i++) {
                System.arraycopy(flat, (k * rows + i) * cols, out[k][i], 0, cols);
            }
        }
        return out;
    }

    private interface Cell {
        double value(int i, int j);
    }

    private INDArray matrix(Cell cell) {
        double[][] out = new double[rows][targets];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < targets; j++) {
                out[i][j] = cell.value(i, j);
            }
        }
        return Nd4j.createFromArray(out);
    }

    private double meanOf(int i, int j) {
        double sum = 0;
        for (int k = 0; k < draws; k++) {
            sum += mu[k][i][j];
        }
        return sum / draws;
    }

    private double epistemicVariance(int i, int j) {
        double m = meanOf(i, j);
        double sum = 0;
        for (int k = 0; k < draws; k++) {
            sum += (mu[k][i][j] - m) * (mu[k][i][j] - m);
        }
        return sum / draws;
    }

    private double aleatoricVariance(int i, int j) {
        double sum = 0;
        for (int k = 0; k < draws; k++) {
            sum += sigma[k][i][j] * sigma[k][i][j];
        }
        return sum / draws;
    }

    /** @return the predictive mean, {@code [rows, targets]} */
    public INDArray mean() {
        return matrix(this::meanOf);
    }

    /** @return the epistemic standard deviation {@code sqrt(var_s mu_s)}, {@code [rows, targets]} */
    public INDArray epistemicStd() {
        return matrix((i, j) -> Math.sqrt(epistemicVariance(i, j)));
    }

    /** @return the aleatoric standard deviation {@code sqrt(mean_s sigma_s^2)}, {@code [rows, targets]} */
    public INDArray aleatoricStd() {
        return matrix((i, j) -> Math.sqrt(aleatoricVariance(i, j)));
    }

    /** @return the total predictive standard deviation, {@code [rows, targets]} */
    public INDArray totalStd() {
        return matrix((i, j) -> Math.sqrt(epistemicVariance(i, j) + aleatoricVariance(i, j)));
    }

    /**
     * @param level the central probability, in (0, 1), e.g. 0.9
     * @return {lower, upper}, each {@code [rows, targets]}: {@code mean -+ z * totalStd} with z the normal quantile
     */
    public INDArray[] interval(double level) {
        double z = normalQuantile(0.5 + level / 2);
        return new INDArray[]{
                matrix((i, j) -> meanOf(i, j) - z * Math.sqrt(epistemicVariance(i, j) + aleatoricVariance(i, j))),
                matrix((i, j) -> meanOf(i, j) + z * Math.sqrt(epistemicVariance(i, j) + aleatoricVariance(i, j)))};
    }

    /**
     * @param labels observations, {@code [rows, targets]}
     * @return the log-density of each observation under the predictive mixture, summed over targets, {@code [rows]}
     */
    public double[] logLikelihood(INDArray labels) {
        double[][] y = checkLabels(labels);
        double[] out = new double[rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < targets; j++) {
                double[] terms = new double[draws];
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < draws; k++) {
                    double s = sigma[k][i][j];
                    double z = (y[i][j] - mu[k][i][j]) / s;
                    terms[k] = -0.5 * Math.log(2 * Math.PI) - Math.log(s) - 0.5 * z * z;
                    max = Math.max(max, terms[k]);
                }
                double sum = 0;
                for (double t : terms) {
                    sum += Math.exp(t - max);
                }
                out[i] += max + Math.log(sum / draws);
            }
        }
        return out;
    }

    double[][] checkLabels(INDArray labels) {
        if (labels == null || labels.rank() != 2 || labels.size(0) != rows || labels.size(1) != targets) {
            throw new IllegalArgumentException("labels must be [" + rows + ", " + targets + "], got "
                    + (labels == null ? "null" : Arrays.toString(labels.shape())));
        }
        return labels.castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    /** The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9). */
    static double normalQuantile(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("level must be in (0, 1)");
        }
        double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
                -3.066479806614716e+01, 2.506628277459239e+00};
        double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
                -1.328068155288572e+01};
        double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
                4.374664141464968e+00, 2.938163982698783e+00};
        double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
        double low = 0.02425;
        if (p < low) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) {
            return -normalQuantile(1 - p);
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
}
