package io.github.dl4jbayes.training;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.internal.NetworkAdapter;
import io.github.dl4jbayes.likelihoods.LossGaussianNll;
import io.github.dl4jbayes.metrics.ClassificationMetrics;
import io.github.dl4jbayes.metrics.RegressionMetrics;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.predict.PredictiveSamples;
import io.github.dl4jbayes.predict.RegressionUncertainty;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * When {@link Advi} stops before its {@code iterations}: every {@code every} steps it measures the fit, and after
 * {@code patience} measurements without improvement it stops and (by default) puts back the parameters of the best
 * measurement. Two measures:
 * <ul>
 *   <li>{@link #onValidationNll(DataSet)}: the negative log-likelihood of held-out data under the posterior predictive
 *   ({@code samples} draws; lower is better): for softmax or sigmoid outputs the NLL of the predictive mean
 *   ({@link ClassificationMetrics}), for the Gaussian likelihood ({@link LossGaussianNll}) the mixture's
 *   ({@link RegressionMetrics});</li>
 *   <li>{@link #onElbo()}: the training ELBO averaged over the last {@code every} steps (higher is better): no
 *   held-out data needed, it stops when the optimization has converged.</li>
 * </ul>
 *
 * <pre>{@code
 * Advi advi = Advi.builder().datasetSize(n).iterations(50_000)
 *         .earlyStopping(EarlyStopping.onValidationNll(validation).every(500).patience(5)).build();
 * }</pre>
 *
 * <p>Only the parameters are put back, not the optimizer's state. The validation predictive draws from the layers'
 * own noise generators, so a fit with early stopping draws different training noise after its first check than one
 * without (and repeats exactly from the same seed).
 */
public final class EarlyStopping {
    private static final Logger log = LoggerFactory.getLogger(EarlyStopping.class);

    private final DataSet validation;
    private final int every;
    private final int patience;
    private final int samples;
    private final double minImprovement;
    private final boolean restoreBest;

    private EarlyStopping(DataSet validation, int every, int patience, int samples, double minImprovement,
                          boolean restoreBest) {
        this.validation = validation;
        this.every = every;
        this.patience = patience;
        this.samples = samples;
        this.minImprovement = minImprovement;
        this.restoreBest = restoreBest;
    }

    /**
     * @param validation held-out examples (features and labels), not used for training
     * @return early stopping on their predictive NLL: every 500 steps, patience 5, 50 draws, best parameters restored
     */
    public static EarlyStopping onValidationNll(DataSet validation) {
        if (validation == null || validation.getFeatures() == null || validation.getLabels() == null
                || validation.getFeatures().size(0) == 0) {
            throw new IllegalArgumentException("validation must hold features and labels of at least one example");
        }
        for (INDArray a : new INDArray[]{validation.getFeatures(), validation.getLabels()}) {
            if (a.dataType().isFPType() && (a.isNaN().any() || a.isInfinite().any())) {
                throw new IllegalArgumentException("validation " + (a == validation.getLabels() ? "labels" : "features")
                        + " hold NaN or infinite values: the validation NLL would be NaN and never improve");
            }
        }
        return new EarlyStopping(validation, 500, 5, 50, 0.0, true);
    }

    /** @return early stopping on the training ELBO's mean over each window: every 500 steps, patience 5 */
    public static EarlyStopping onElbo() {
        return new EarlyStopping(null, 500, 5, 50, 0.0, true);
    }

    /** @param every steps between two measurements (&gt; 0) */
    public EarlyStopping every(int every) {
        return new EarlyStopping(validation, ArgumentChecks.positive("every", every), patience, samples, minImprovement,
                restoreBest);
    }

    /** @param patience measurements without improvement before stopping (&gt; 0) */
    public EarlyStopping patience(int patience) {
        return new EarlyStopping(validation, every, ArgumentChecks.positive("patience", patience), samples,
                minImprovement, restoreBest);
    }

    /** @param samples posterior draws of the validation predictive (&gt; 0) */
    public EarlyStopping samples(int samples) {
        return new EarlyStopping(validation, every, patience, ArgumentChecks.positive("samples", samples),
                minImprovement, restoreBest);
    }

    /** @param minImprovement how much better (in nats per example, or ELBO units) a measurement must be to count (&ge; 0) */
    public EarlyStopping minImprovement(double minImprovement) {
        ArgumentChecks.nonNegativeFinite("minImprovement", minImprovement);
        return new EarlyStopping(validation, every, patience, samples, minImprovement, restoreBest);
    }

    /** @param restoreBest whether the parameters of the best measurement are put back when the fit ends (default) */
    public EarlyStopping restoreBest(boolean restoreBest) {
        return new EarlyStopping(validation, every, patience, samples, minImprovement, restoreBest);
    }

    /** @return the measurements of one fit of {@code net} */
    Monitor start(Model net) {
        return new Monitor(net);
    }

    /** The measurements of one fit: the best so far, its parameters, the checks since. */
    final class Monitor {
        private final Model net;
        private final boolean classification;
        private double best = Double.POSITIVE_INFINITY;
        private long bestStep;
        private INDArray bestParams;
        private int checksWithoutImprovement;
        private boolean stopped;

        private Monitor(Model net) {
            this.net = net;
            this.classification = validation != null && checkOutput(net);
        }

        /** @return whether the output is a classifier's (else the Gaussian likelihood); rejects other outputs */
        private boolean checkOutput(Model model) {
            org.deeplearning4j.nn.conf.layers.Layer out = NetworkAdapter.of(model).outputLayer(0).conf().getLayer();
            if (out instanceof BaseOutputLayer) {
                BaseOutputLayer o = (BaseOutputLayer) out;
                if (o.getLossFn() instanceof LossGaussianNll) {
                    return false;
                }
                if (o.getActivationFn() instanceof ActivationSoftmax || o.getActivationFn() instanceof ActivationSigmoid) {
                    return true;
                }
            }
            throw new IllegalArgumentException("Early stopping on the validation NLL needs a probabilistic output: "
                    + "softmax or sigmoid probabilities, or the Gaussian likelihood (LossGaussianNll); the output layer "
                    + "is " + out.getClass().getSimpleName() + ". Use EarlyStopping.onElbo() instead.");
        }

        /**
         * Measures after step {@code stepInFit} (counted from 1 in this fit) when it is due.
         *
         * @return whether the fit should stop now
         */
        boolean afterStep(int stepInFit, long stepOverall, ElboHistory history) {
            if (stepInFit % every != 0) {
                return false;
            }
            // lower is better: the validation NLL, or minus the window's mean ELBO
            double value = validation != null ? validationNll() : -history.meanOfLast(every);
            if (value < best - minImprovement) {
                best = value;
                bestStep = stepOverall;
                checksWithoutImprovement = 0;
                if (restoreBest) {
                    bestParams = net.params().dup();
                }
            } else {
                checksWithoutImprovement++;
            }
            log.info(String.format(Locale.ROOT, "Early stopping check at step %d: %s %.4f (best %.4f at step %d, %d "
                    + "check(s) without improvement)", stepOverall, validation != null ? "validation NLL" : "-ELBO",
                    value, best, bestStep, checksWithoutImprovement));
            stopped = checksWithoutImprovement >= patience;
            return stopped;
        }

        /** Puts back the best parameters, if asked and if the fit stopped early. */
        void finish() {
            if (stopped && restoreBest && bestParams != null) {
                net.params().assign(bestParams);
                log.info("Early stopping: the parameters of step {} are back", bestStep);
            }
        }

        /** @return the step of the best measurement (0 before any) */
        long bestStep() {
            return bestStep;
        }

        private double validationNll() {
            if (classification) {
                PredictiveSamples p = PosteriorPredictive.of(net).samples(samples).keepSamples(false)
                        .predict(validation.getFeatures());
                return ClassificationMetrics.of(p.mean().castTo(DataType.DOUBLE),
                        validation.getLabels().castTo(DataType.DOUBLE)).negativeLogLikelihood();
            }
            PredictiveSamples p = PosteriorPredictive.of(net).samples(samples).predict(validation.getFeatures());
            return -RegressionMetrics.of(RegressionUncertainty.of(net, p), validation.getLabels()).meanLogLikelihood();
        }
    }
}
