package io.github.dl4jbayes.baselines;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.predict.PredictiveModel;
import io.github.dl4jbayes.predict.PredictiveSamples;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Random;

/**
 * A last-layer Laplace approximation (MacKay 1992; Daxberger et al. 2021, "Laplace Redux") of a trained plain
 * network: the weights of its output layer get the Gaussian posterior {@code N(theta*, (G + delta I)^-1)} around the
 * trained weights {@code theta*}, with G the generalized Gauss-Newton curvature (here equal to the Fisher) of the
 * training log-likelihood and {@code delta} the precision of an isotropic Gaussian prior. The network is not
 * retrained and not changed.
 *
 * <pre>{@code
 * LaplaceApproximation laplace = LaplaceApproximation.lastLayer(trainedNet).fit(trainIterator);
 * PredictiveSamples p = laplace.samples(100).predict(xTest);   // 100 draws of the last layer's weights
 * INDArray probabilities = laplace.probit(xTest);               // closed-form approximation, no sampling
 * laplace.save(new File("model-laplace.zip"));                   // the network, and the curvature beside it
 * }</pre>
 *
 * <ul>
 *   <li><b>Likelihood</b>, from the output layer: softmax with MCXENT or NEGATIVELOGLIKELIHOOD (categorical), sigmoid
 *   with XENT (independent Bernoulli outputs), identity with MSE or L2 (Gaussian with a noise standard deviation,
 *   given or estimated from the training residuals).</li>
 *   <li><b>Curvature</b>: {@link Structure#FULL}, the whole {@code d x d} matrix for the {@code d = (nIn + 1) nOut}
 *   weights, or {@link Structure#KRONECKER}, Kronecker factors {@code (nIn + 1)^2 + nOut^2}; {@link Structure#AUTO}
 *   (the default) takes the full matrix up to {@value #DEFAULT_FULL_LIMIT} weights (an 8 MB matrix; its eigenvectors,
 *   by Jacobi rotations in Java, take seconds) and the factors above.</li>
 *   <li><b>Prior precision</b>: by default the one that maximizes the Laplace estimate of the marginal likelihood
 *   (the evidence), {@link #logMarginalLikelihood}; or a fixed value, or the best of a grid by validation NLL.</li>
 *   <li><b>Predictive</b>: {@link #predict} samples the last layer's weights ({@link #samples} draws; the features
 *   below the last layer are computed once); {@link #probit} gives the classification predictive in closed form
 *   (the probit approximation of the Gaussian-softmax integral) and {@link #functionVariance} the variance of the
 *   outputs before the activation.</li>
 * </ul>
 */
public final class LaplaceApproximation implements PredictiveModel {
    private static final Logger LOG = LoggerFactory.getLogger(LaplaceApproximation.class);
    private static final String SAVED_KEY = "dl4jbayes-last-layer-laplace";
    /** The largest number of last-layer weights for which {@link Structure#AUTO} keeps the full curvature. */
    public static final int DEFAULT_FULL_LIMIT = 1000;

    /** How the curvature is stored. */
    public enum Structure {
        /** Full up to {@link Fitter#fullLimit} weights, Kronecker-factored above. */
        AUTO,
        /** The whole matrix, {@code d x d}. */
        FULL,
        /** Kronecker factors: the inputs' second moments and the outputs' mean Hessian. */
        KRONECKER
    }

    /** The likelihood of the output layer. */
    public enum Likelihood {
        /** Softmax outputs, one-hot labels. */
        CATEGORICAL,
        /** Sigmoid outputs, 0/1 labels per output. */
        BERNOULLI,
        /** Identity outputs, real labels with Gaussian noise of one standard deviation for all outputs. */
        GAUSSIAN
    }

    private final LastLayer last;
    private final Curvature curvature;
    private final INDArray weights;
    private final double squaredNorm;
    private final double priorPrecision;
    private final double noiseStd;
    private final double logLikelihood;
    private final double fitSeconds;
    private int samples = 100;
    private boolean keepSamples = true;
    private Random random = new Random(0);

    private LaplaceApproximation(LastLayer last, Curvature curvature, double priorPrecision, double noiseStd,
                                 double logLikelihood, double fitSeconds) {
        this.last = last;
        this.curvature = curvature;
        this.weights = last.weights();
        this.squaredNorm = weights.mul(weights).sumNumber().doubleValue();
        this.priorPrecision = priorPrecision;
        this.noiseStd = noiseStd;
        this.logLikelihood = logLikelihood;
        this.fitSeconds = fitSeconds;
    }

    /**
     * @param net a trained {@code MultiLayerNetwork} or {@code ComputationGraph} (one input, one output) whose last
     *            layer is DL4J's {@code OutputLayer} with one of the supported activation and loss pairs
     * @return the options of the fit
     * @throws IllegalArgumentException if the network is not of that form, naming what is not
     */
    public static Fitter lastLayer(Model net) {
        return new Fitter(LastLayer.of(net));
    }

    /** The options of a fit; {@link #fit} computes the curvature in one pass over the training data. */
    public static final class Fitter {
        private final LastLayer last;
        private Structure structure = Structure.AUTO;
        private int fullLimit = DEFAULT_FULL_LIMIT;
        private double priorPrecision = Double.NaN;
        private DataSet validation;
        private double[] grid;
        private double noiseStd = Double.NaN;

        private Fitter(LastLayer last) {
            this.last = last;
        }

        /** @param structure how the curvature is stored (default {@link Structure#AUTO}) */
        public Fitter structure(Structure structure) {
            if (structure == null) {
                throw new IllegalArgumentException("structure must not be null");
            }
            this.structure = structure;
            return this;
        }

        /** @param weights the most last-layer weights for which {@link Structure#AUTO} keeps the full matrix */
        public Fitter fullLimit(int weights) {
            this.fullLimit = ArgumentChecks.positive("fullLimit", weights);
            return this;
        }

        /** @param delta a fixed prior precision (&gt; 0), instead of maximizing the marginal likelihood */
        public Fitter priorPrecision(double delta) {
            this.priorPrecision = ArgumentChecks.positiveFinite("priorPrecision", delta);
            this.validation = null;
            return this;
        }

        /**
         * Chooses the prior precision of the grid whose closed-form predictive ({@link #probit}, or the Gaussian
         * predictive for regression) has the lowest NLL on {@code validation}, instead of maximizing the marginal
         * likelihood.
         *
         * @param validation labelled validation data
         * @param grid       candidate precisions, each &gt; 0
         */
        public Fitter priorPrecisionByValidation(DataSet validation, double... grid) {
            if (validation == null || validation.getFeatures() == null || validation.getFeatures().isEmpty()) {
                throw new IllegalArgumentException("validation: a non-empty labelled data set is needed");
            }
            if (grid == null || grid.length == 0) {
                throw new IllegalArgumentException("grid: at least one prior precision is needed");
            }
            for (double g : grid) {
                ArgumentChecks.positiveFinite("grid value", g);
            }
            this.validation = validation;
            this.grid = grid.clone();
            this.priorPrecision = Double.NaN;
            return this;
        }

        /**
         * @param std the Gaussian likelihood's noise standard deviation (&gt; 0), in the units of the labels; by
         *            default estimated as the root mean squared training residual. Only for an identity output.
         */
        public Fitter noiseStd(double std) {
            if (last.likelihood() != Likelihood.GAUSSIAN) {
                throw new IllegalArgumentException("noiseStd: the network's likelihood is " + last.likelihood()
                        + ", which has no noise scale");
            }
            this.noiseStd = ArgumentChecks.positiveFinite("noiseStd", std);
            return this;
        }

        /** Fits on an in-memory training set. */
        public LaplaceApproximation fit(DataSet train) {
            if (train == null) {
                throw new IllegalArgumentException("train must not be null");
            }
            return fit(new org.nd4j.linalg.dataset.adapter.SingletonDataSetIterator(
                    new org.nd4j.linalg.dataset.DataSet(train.getFeatures(), train.getLabels())));
        }

        /**
         * One pass over the training data (reset first where it can be): the curvature and the log-likelihood at the
         * trained weights, then the prior precision.
         *
         * @throws IllegalArgumentException if the iterator is empty, its labels do not match the outputs, or the
         *                                  curvature is not finite (NaN or Inf in the data)
         */
        public LaplaceApproximation fit(DataSetIterator train) {
            if (train == null) {
                throw new IllegalArgumentException("train must not be null");
            }
            long start = System.nanoTime();
            int d = last.parameters();
            boolean full = structure == Structure.FULL || (structure == Structure.AUTO && d <= fullLimit);
            CurvatureSum sum = new CurvatureSum(last, full);
            if (train.resetSupported()) {
                train.reset();
            }
            while (train.hasNext()) {
                DataSet batch = train.next();
                sum.add(last.features(batch.getFeatures()), batch.getLabels());
            }
            if (sum.examples == 0) {
                throw new IllegalArgumentException("train: the iterator is empty");
            }
            double sigma = last.likelihood() != Likelihood.GAUSSIAN ? Double.NaN
                    : Double.isNaN(noiseStd) ? Math.sqrt(sum.squaredError / ((double) sum.examples * last.outputs()))
                    : noiseStd;
            if (last.likelihood() == Likelihood.GAUSSIAN && !(sigma > 0)) {
                throw new IllegalArgumentException("train: the training residuals are all zero, so the noise cannot be "
                        + "estimated; give noiseStd(...)");
            }
            Curvature curvature = sum.curvature(sigma);
            double logLik = sum.logLikelihood(sigma);
            LaplaceApproximation laplace = new LaplaceApproximation(last, curvature, 1.0, sigma, logLik, 0);
            double delta = !Double.isNaN(priorPrecision) ? priorPrecision
                    : validation != null ? laplace.bestOnValidation(validation, grid)
                    : laplace.maximizeMarginalLikelihood();
            double seconds = (System.nanoTime() - start) / 1e9;
            LaplaceApproximation out = new LaplaceApproximation(last, curvature, delta, sigma, logLik, seconds);
            LOG.info(String.format(Locale.ROOT, "Last-layer Laplace: %d weights (%s), %d examples, %s, prior "
                            + "precision %.4g, log marginal likelihood %.2f, %.2f s", d, full ? "full" : "Kronecker",
                    sum.examples, last.likelihood(), delta, out.logMarginalLikelihood(delta), seconds));
            return out;
        }
    }

    /** Sums the curvature over minibatches: the full matrix or the two Kronecker factors. */
    private static final class CurvatureSum {
        private final LastLayer last;
        private final boolean full;
        private final int rows;
        private final int outputs;
        private INDArray g;
        private final INDArray a;
        private final INDArray b;
        private final INDArray weights;
        private long examples;
        private double squaredError;
        private double logLikelihood;

        CurvatureSum(LastLayer last, boolean full) {
            this.last = last;
            this.full = full;
            this.rows = last.rows();
            this.outputs = last.outputs();
            int d = last.parameters();
            boolean gaussian = last.likelihood() == Likelihood.GAUSSIAN;
            this.g = full && !gaussian ? Nd4j.zeros(DataType.DOUBLE, d, d) : null;
            this.a = Nd4j.zeros(DataType.DOUBLE, rows, rows);
            this.b = Nd4j.zeros(DataType.DOUBLE, outputs, outputs);
            this.weights = last.weights();
        }

        void add(INDArray phi, INDArray labels) {
            if (labels == null || labels.rank() != 2 || labels.size(0) != phi.size(0) || labels.size(1) != outputs) {
                throw new IllegalArgumentException("labels of shape " + (labels == null ? "null"
                        : java.util.Arrays.toString(labels.shape())) + " for " + phi.size(0) + " rows and "
                        + outputs + " outputs");
            }
            INDArray y = labels.castTo(DataType.DOUBLE);
            INDArray logits = phi.mmul(weights);
            INDArray p = last.activate(logits);
            examples += phi.size(0);
            switch (last.likelihood()) {
                case GAUSSIAN -> {
                    a.addi(phi.transpose().mmul(phi));
                    INDArray r = y.sub(logits);
                    squaredError += r.mul(r).sumNumber().doubleValue();
                }
                case BERNOULLI -> {
                    INDArray h = p.mul(p.rsub(1.0));
                    if (full) {
                        for (int k = 0; k < outputs; k++) {
                            block(k, k).addi(phi.mulColumnVector(h.getColumn(k, true)).transpose().mmul(phi));
                        }
                    } else {
                        a.addi(phi.transpose().mmul(phi));
                        b.addi(Nd4j.diag(h.sum(0)));
                    }
                    logLikelihood += classificationLogLikelihood(Likelihood.BERNOULLI, p, y);
                }
                case CATEGORICAL -> {
                    if (full) {
                        INDArray weighted = Nd4j.create(DataType.DOUBLE, phi.size(0), (long) rows * outputs);
                        for (int k = 0; k < outputs; k++) {
                            INDArray scaled = phi.mulColumnVector(p.getColumn(k, true));
                            weighted.get(NDArrayIndex.all(), NDArrayIndex.interval((long) k * rows,
                                    (long) (k + 1) * rows)).assign(scaled);
                            block(k, k).addi(scaled.transpose().mmul(phi));
                        }
                        g.subi(weighted.transpose().mmul(weighted));
                    } else {
                        a.addi(phi.transpose().mmul(phi));
                        b.addi(Nd4j.diag(p.sum(0))).subi(p.transpose().mmul(p));
                    }
                    logLikelihood += classificationLogLikelihood(Likelihood.CATEGORICAL, p, y);
                }
                default -> throw new IllegalStateException(String.valueOf(last.likelihood()));
            }
        }

        private INDArray block(int k, int l) {
            return g.get(NDArrayIndex.interval((long) k * rows, (long) (k + 1) * rows),
                    NDArrayIndex.interval((long) l * rows, (long) (l + 1) * rows));
        }

        Curvature curvature(double sigma) {
            if (last.likelihood() == Likelihood.GAUSSIAN) {
                INDArray scaledA = a.div(sigma * sigma);
                if (full) {
                    g = Nd4j.zeros(DataType.DOUBLE, last.parameters(), last.parameters());
                    for (int k = 0; k < outputs; k++) {
                        block(k, k).assign(scaledA);
                    }
                } else {
                    return finite(Curvature.kronecker(a, Nd4j.eye(outputs).castTo(DataType.DOUBLE)
                            .divi(sigma * sigma), rows, outputs));
                }
            }
            if (full) {
                checkFinite(g);
                return Curvature.full(g, rows, outputs);
            }
            checkFinite(a);
            checkFinite(b);
            return finite(Curvature.kronecker(a, b.div(examples), rows, outputs));
        }

        private static Curvature finite(Curvature c) {
            for (INDArray array : c.arrays()) {
                checkFinite(array);
            }
            return c;
        }

        private static void checkFinite(INDArray array) {
            if (array.isInfinite().any() || array.isNaN().any()) {
                throw new IllegalArgumentException("train: the curvature is not finite (NaN or Inf in the features "
                        + "or the network's outputs)");
            }
        }

        double logLikelihood(double sigma) {
            if (last.likelihood() != Likelihood.GAUSSIAN) {
                return logLikelihood;
            }
            double n = (double) examples * outputs;
            return -0.5 * (squaredError / (sigma * sigma) + n * Math.log(2 * Math.PI * sigma * sigma));
        }
    }

    /**
     * The Laplace estimate of the log marginal likelihood (evidence) of the training data under prior precision
     * {@code delta}, with the weights at their trained values:
     * {@code log p(D | theta*) + (d/2) log delta - (delta/2) |theta*|^2 - (1/2) log det(G + delta I)}
     * (the {@code 2 pi} terms of the prior and of the Gaussian integral cancel). Exact for a linear-Gaussian model
     * whose trained weights are the posterior mean under {@code delta}.
     */
    public double logMarginalLikelihood(double delta) {
        ArgumentChecks.positiveFinite("delta", delta);
        int d = last.parameters();
        return logLikelihood + 0.5 * d * Math.log(delta) - 0.5 * delta * squaredNorm
                - 0.5 * curvature.logDetPrecision(delta);
    }

    private double maximizeMarginalLikelihood() {
        // a grid over 12 decades, then golden-section search between the best point's neighbours
        double lo = -6;
        double step = 0.1;
        int best = 0;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int i = 0; i <= 120; i++) {
            double value = logMarginalLikelihood(Math.pow(10, lo + i * step));
            if (value > bestValue) {
                bestValue = value;
                best = i;
            }
        }
        double left = lo + Math.max(best - 1, 0) * step;
        double right = lo + Math.min(best + 1, 120) * step;
        double ratio = (Math.sqrt(5) - 1) / 2;
        double x1 = right - ratio * (right - left);
        double x2 = left + ratio * (right - left);
        double f1 = logMarginalLikelihood(Math.pow(10, x1));
        double f2 = logMarginalLikelihood(Math.pow(10, x2));
        while (right - left > 1e-9) {
            if (f1 > f2) {
                right = x2;
                x2 = x1;
                f2 = f1;
                x1 = right - ratio * (right - left);
                f1 = logMarginalLikelihood(Math.pow(10, x1));
            } else {
                left = x1;
                x1 = x2;
                f1 = f2;
                x2 = left + ratio * (right - left);
                f2 = logMarginalLikelihood(Math.pow(10, x2));
            }
        }
        return Math.pow(10, (left + right) / 2);
    }

    private double bestOnValidation(DataSet validation, double[] grid) {
        INDArray phi = last.features(validation.getFeatures());
        INDArray y = validation.getLabels().castTo(DataType.DOUBLE);
        double best = Double.NaN;
        double bestNll = Double.POSITIVE_INFINITY;
        for (double delta : grid) {
            double nll = validationNll(phi, y, delta);
            LOG.debug("Last-layer Laplace: prior precision {} gives validation NLL {}", delta, nll);
            if (nll < bestNll) {
                bestNll = nll;
                best = delta;
            }
        }
        return best;
    }

    private double validationNll(INDArray phi, INDArray y, double delta) {
        INDArray mean = phi.mmul(weights);
        INDArray variance = curvature.functionVariance(phi, delta);
        long n = phi.size(0);
        switch (last.likelihood()) {
            case GAUSSIAN -> {
                INDArray total = variance.add(noiseStd * noiseStd);
                INDArray r = y.sub(mean);
                return 0.5 * (r.mul(r).divi(total).sumNumber().doubleValue()
                        + Transforms.log(total.mul(2 * Math.PI), false).sumNumber().doubleValue()) / n;
            }
            default -> {
                return -classificationLogLikelihood(last.likelihood(), probit(mean, variance), y) / n;
            }
        }
    }

    /**
     * @return the summed log-likelihood of labels {@code y} under probabilities {@code p} (clipped at 1e-300):
     *         Bernoulli per output, or categorical over the outputs
     */
    private static double classificationLogLikelihood(Likelihood likelihood, INDArray p, INDArray y) {
        INDArray logP = Transforms.log(Transforms.max(p, 1e-300, true), false);
        if (likelihood == Likelihood.CATEGORICAL) {
            return y.mul(logP).sumNumber().doubleValue();
        }
        INDArray logQ = Transforms.log(Transforms.max(p.rsub(1.0), 1e-300, true), false);
        return y.mul(logP).addi(y.rsub(1.0).muli(logQ)).sumNumber().doubleValue();
    }

    /** The probit approximation: the activation of {@code mean / sqrt(1 + pi/8 variance)}. */
    private INDArray probit(INDArray mean, INDArray variance) {
        INDArray scale = Transforms.sqrt(variance.mul(Math.PI / 8).addi(1.0), false);
        return last.activate(mean.div(scale));
    }

    /** @param samples the number of weight draws of {@link #predict} (&gt; 0; default 100) */
    public LaplaceApproximation samples(int samples) {
        this.samples = ArgumentChecks.positive("samples", samples);
        return this;
    }

    /** @param keepSamples whether {@link #predict} keeps every draw's output (default true) */
    public LaplaceApproximation keepSamples(boolean keepSamples) {
        this.keepSamples = keepSamples;
        return this;
    }

    /** @param seed the seed of the weight draws: the same seed gives the same draws (default 0, set at the fit) */
    public LaplaceApproximation seed(long seed) {
        this.random = new Random(seed);
        return this;
    }

    /**
     * The sampled predictive: the features below the last layer computed once, then {@link #samples} draws of the
     * last layer's weights from the posterior, each one matrix product and the output activation. For a Gaussian
     * likelihood the draws are of the mean (the epistemic part; add {@link #noiseStd()} for the predictive of
     * outcomes, e.g. with {@code RegressionUncertainty.ofMeans}).
     */
    @Override
    public PredictiveSamples predict(INDArray features) {
        INDArray phi = last.features(features);
        int d = last.parameters();
        double[] normals = new double[samples * d];
        for (int i = 0; i < normals.length; i++) {
            normals[i] = random.nextGaussian();
        }
        INDArray deviations = curvature.deviations(Nd4j.create(normals, new long[]{samples, d}, DataType.DOUBLE),
                priorPrecision);
        DataType type = Networks.dataType(last.model());
        PredictiveSamples.Accumulator accumulator = new PredictiveSamples.Accumulator(samples, keepSamples);
        for (int s = 0; s < samples; s++) {
            INDArray w = weights.add(deviations.getRow(s).reshape('c', last.outputs(), last.rows()).transpose());
            accumulator.add(last.activate(phi.mmul(w)).castTo(type));
        }
        return accumulator.result();
    }

    /**
     * The closed-form classification predictive (probit approximation): the output activation of
     * {@code f / sqrt(1 + pi/8 var f)} per output, f the trained network's pre-activation and var f
     * {@link #functionVariance}. Softmax outputs are renormalized by the softmax itself.
     *
     * @return probabilities, {@code [rows, outputs]}, in the network's data type
     * @throws IllegalStateException for a Gaussian likelihood (its predictive is {@code N(f, var f + noise^2)})
     */
    public INDArray probit(INDArray features) {
        if (last.likelihood() == Likelihood.GAUSSIAN) {
            throw new IllegalStateException("probit: the likelihood is Gaussian; its predictive is normal with the "
                    + "network's mean and variance functionVariance(x) + noiseStd()^2");
        }
        INDArray phi = last.features(features);
        return probit(phi.mmul(weights), curvature.functionVariance(phi, priorPrecision))
                .castTo(Networks.dataType(last.model()));
    }

    /**
     * @return the posterior variance of each output before the activation (the logits of a classifier, the mean
     *         of a regression), {@code [rows, outputs]}, double
     */
    public INDArray functionVariance(INDArray features) {
        return curvature.functionVariance(last.features(features), priorPrecision);
    }

    /**
     * @return the dense posterior covariance of the last layer's weights, {@code [d, d]} with
     *         {@code d = (nIn + 1) nOut} ordered output by output (weight {@code [i, k]} of {@code [W; b]} at
     *         {@code k (nIn + 1) + i}), double; built on demand ({@code d^2} doubles)
     */
    public INDArray posteriorCovariance() {
        return curvature.covariance(priorPrecision);
    }

    /** @return the posterior mean, the trained weights {@code [W; b]}, {@code [nIn + 1, nOut]}, double (a copy) */
    public INDArray posteriorMean() {
        return weights.dup();
    }

    /** @return the prior precision in use */
    public double priorPrecision() {
        return priorPrecision;
    }

    /** @return the Gaussian likelihood's noise standard deviation (NaN for classification) */
    public double noiseStd() {
        return noiseStd;
    }

    /** @return the likelihood read from the output layer */
    public Likelihood likelihood() {
        return last.likelihood();
    }

    /** @return {@link Structure#FULL} or {@link Structure#KRONECKER}, as fitted */
    public Structure structure() {
        return curvature instanceof Curvature.Full ? Structure.FULL : Structure.KRONECKER;
    }

    /** @return the wall time of the fit, seconds (NaN after {@link #load}) */
    public double fitSeconds() {
        return fitSeconds;
    }

    /** @return the network (not a copy) */
    public Model network() {
        return last.model();
    }

    /**
     * Writes the network with DL4J's {@code ModelSerializer} (with its updater) and the approximation beside it in
     * the same zip, so that {@code ModelSerializer} still reads the network from the file.
     */
    public void save(File file) {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        try {
            ModelSerializer.writeModel(last.model(), file, true);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
        INDArray[] arrays = curvature.arrays();
        double[][] data = new double[arrays.length][];
        long[][] shapes = new long[arrays.length][];
        for (int i = 0; i < arrays.length; i++) {
            data[i] = arrays[i].dup('c').data().asDouble();
            shapes[i] = arrays[i].shape();
        }
        ModelSerializer.addObjectToFile(file, SAVED_KEY, new Saved(1, last.model() instanceof ComputationGraph,
                structure().name(), priorPrecision, noiseStd, logLikelihood, data, shapes));
    }

    /**
     * Reads what {@link #save} wrote: the network and its approximation, with the same prior precision and noise.
     *
     * @throws IllegalArgumentException if the file has no saved Laplace approximation
     */
    public static LaplaceApproximation load(File file) {
        if (file == null || !file.isFile()) {
            throw new IllegalArgumentException("file: " + file + " is not a file");
        }
        try {
            if (!ModelSerializer.listObjectsInFile(file).contains(SAVED_KEY)) {
                throw new IllegalArgumentException("file: " + file + " holds no last-layer Laplace approximation "
                        + "(written by LaplaceApproximation.save)");
            }
            Saved saved = ModelSerializer.getObjectFromFile(file, SAVED_KEY);
            Model net = saved.graph() ? ModelSerializer.restoreComputationGraph(file, true)
                    : ModelSerializer.restoreMultiLayerNetwork(file, true);
            LastLayer last = LastLayer.of(net);
            INDArray[] arrays = new INDArray[saved.data().length];
            for (int i = 0; i < arrays.length; i++) {
                arrays[i] = Nd4j.create(saved.data()[i], saved.shapes()[i], DataType.DOUBLE);
            }
            Curvature curvature = Structure.valueOf(saved.structure()) == Structure.FULL
                    ? new Curvature.Full(last.rows(), last.outputs(), arrays[0], arrays[1])
                    : new Curvature.Kronecker(last.rows(), last.outputs(), arrays[0], arrays[1], arrays[2], arrays[3]);
            return new LaplaceApproximation(last, curvature, saved.priorPrecision(), saved.noiseStd(),
                    saved.logLikelihood(), Double.NaN);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    /** What is saved beside the network: the curvature in its eigenbasis and the fitted constants. */
    private record Saved(int version, boolean graph, String structure, double priorPrecision, double noiseStd,
                         double logLikelihood, double[][] data, long[][] shapes) implements Serializable {
    }
}
