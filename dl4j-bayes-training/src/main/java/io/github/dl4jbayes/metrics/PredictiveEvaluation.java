package io.github.dl4jbayes.metrics;

import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.predict.PredictiveModel;
import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.internal.NetworkAdapter;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.evaluation.classification.EvaluationCalibration;
import org.nd4j.evaluation.classification.ROC;
import org.nd4j.evaluation.classification.ROCMultiClass;
import org.nd4j.evaluation.regression.RegressionEvaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * DL4J's own evaluation objects for the posterior predictive mean of a Bayesian network, computed in one pass over a
 * test {@link DataSetIterator}, minibatch by minibatch (the features are never stacked; for the library's metrics the
 * predictive means and labels, rows x outputs, are kept), beside the library's Bayesian metrics.
 *
 * <pre>{@code
 * PredictiveEvaluation.Classification c = PredictiveEvaluation.of(net).samples(200).classification(testIterator);
 * c.evaluation().accuracy();  c.roc().calculateAUC();  c.calibration().getReliabilityDiagram(1);
 * c.metrics().negativeLogLikelihood();  c.metrics().expectedCalibrationError(10);
 * }</pre>
 *
 * <p>Classification: {@link Evaluation} (accuracy, precision, recall, F1, confusion matrix), {@link EvaluationCalibration}
 * (reliability diagrams, residual and probability histograms), {@link ROC} for one sigmoid output or two classes,
 * {@link ROCMultiClass} otherwise, all from DL4J, of the predictive mean; and {@link ClassificationMetrics} (NLL,
 * Brier score, ECE of the predictive mean), which DL4J does not compute. A single sigmoid output is given to DL4J's
 * classification objects as two columns {@code [1 - p, p]}. Regression: DL4J's {@link RegressionEvaluation} (MSE, MAE,
 * RMSE, R^2 per column) of the predictive mean of the mean outputs.
 */
public final class PredictiveEvaluation {
    private final Model net;
    private final PredictiveModel model;
    private int samples = 100;
    private DataNormalization normalizer;

    private PredictiveEvaluation(Model net, PredictiveModel model) {
        this.net = net;
        this.model = model;
    }

    /**
     * The same evaluations for any predictive: MC dropout, a deep ensemble, a last-layer Laplace approximation or a
     * configured {@link PosteriorPredictive}; each minibatch is scored by the predictive mean of {@code model}.
     *
     * @param model the predictive to evaluate (its own number of draws applies; {@link #samples} does not)
     * @throws IllegalArgumentException if {@code model} is null
     */
    public static PredictiveEvaluation of(PredictiveModel model) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        return new PredictiveEvaluation(null, model);
    }

    /** @param net a Bayesian {@code MultiLayerNetwork} or {@code ComputationGraph} of one input and one output */
    public static PredictiveEvaluation of(Model net) {
        NetworkAdapter adapter = NetworkAdapter.of(net);
        if (adapter.numInputs() != 1 || adapter.numOutputs() != 1) {
            throw new IllegalArgumentException("PredictiveEvaluation takes networks of one input and one output; the "
                    + "network has " + adapter.numInputs() + " and " + adapter.numOutputs());
        }
        PosteriorPredictive.of(net);   // checks that the network is Bayesian
        return new PredictiveEvaluation(net, null);
    }

    /**
     * @param samples the posterior draws per minibatch (&gt; 0; default 100)
     * @throws IllegalStateException if the evaluation was made {@link #of(PredictiveModel) of a predictive}, which
     *                               has its own number of draws
     */
    public PredictiveEvaluation samples(int samples) {
        if (model != null) {
            throw new IllegalStateException("samples: this evaluation is of a PredictiveModel, which has its own "
                    + "number of draws (set it on the model)");
        }
        this.samples = ArgumentChecks.positive("samples", samples);
        return this;
    }

    /**
     * @param normalizer the normalizer the test iterator applies (its pre-processor), or null: regression predictions
     *                   and labels are reverted to the target's own units ({@code revertLabels}) before DL4J's
     *                   evaluation, when the normalizer scales labels ({@code fitLabel(true)})
     */
    public PredictiveEvaluation normalizer(DataNormalization normalizer) {
        this.normalizer = normalizer;
        return this;
    }

    /**
     * Classification: one pass over {@code test} (reset first), the predictive mean of every minibatch from
     * {@code samples} whole-network draws.
     *
     * @throws IllegalArgumentException if the iterator is empty or its labels do not match the outputs
     */
    public Classification classification(DataSetIterator test) {
        List<INDArray> probabilities = new ArrayList<>();
        List<INDArray> labels = new ArrayList<>();
        Evaluation evaluation = new Evaluation();
        EvaluationCalibration calibration = new EvaluationCalibration();
        ROC[] binary = {null};
        ROCMultiClass[] multi = {null};
        forEach(test, (batch, mean) -> {
            INDArray y = batch.getLabels().castTo(DataType.DOUBLE);
            INDArray p = mean.castTo(DataType.DOUBLE);
            if (!java.util.Arrays.equals(y.shape(), p.shape())) {
                throw new IllegalArgumentException("labels of shape " + java.util.Arrays.toString(y.shape())
                        + " do not match the network's outputs " + java.util.Arrays.toString(p.shape()));
            }
            probabilities.add(p);
            labels.add(y);
            INDArray p2 = p.columns() == 1 ? Nd4j.hstack(p.rsub(1.0), p) : p;
            INDArray y2 = y.columns() == 1 ? Nd4j.hstack(y.rsub(1.0), y) : y;
            evaluation.eval(y2, p2);
            calibration.eval(y2, p2);
            if (p2.columns() == 2) {
                if (binary[0] == null) {
                    binary[0] = new ROC();
                }
                binary[0].eval(y2, p2);
            } else {
                if (multi[0] == null) {
                    multi[0] = new ROCMultiClass();
                }
                multi[0].eval(y2, p2);
            }
        });
        ClassificationMetrics metrics = ClassificationMetrics.of(Nd4j.vstack(probabilities.toArray(new INDArray[0])),
                Nd4j.vstack(labels.toArray(new INDArray[0])));
        return new Classification(evaluation, calibration, binary[0], multi[0], metrics);
    }

    /**
     * Regression: DL4J's {@link RegressionEvaluation} of the predictive mean of the network's mean outputs (the first
     * {@code labels.columns()} outputs: a network with a learned or predicted noise scale outputs the means first), in
     * the target's units when the {@link #normalizer} scales labels.
     */
    public RegressionEvaluation regression(DataSetIterator test) {
        RegressionEvaluation[] evaluation = {null};
        forEach(test, (batch, mean) -> {
            INDArray y = batch.getLabels().castTo(DataType.DOUBLE);
            if (mean.columns() < y.columns()) {
                throw new IllegalArgumentException("labels of " + y.columns() + " columns for a network of "
                        + mean.columns() + " outputs");
            }
            if (evaluation[0] == null) {
                evaluation[0] = new RegressionEvaluation(y.columns());
            }
            INDArray predicted = mean.get(NDArrayIndex.all(), NDArrayIndex.interval(0, y.columns()))
                    .castTo(DataType.DOUBLE).dup();
            if (normalizer != null) {
                y = y.dup();
                normalizer.revertLabels(y);            // both back to the target's units (no-op without fitLabel)
                normalizer.revertLabels(predicted);
            }
            evaluation[0].eval(y, predicted);
        });
        return evaluation[0];
    }

    private interface MeanConsumer {
        void accept(DataSet batch, INDArray predictiveMean);
    }

    private void forEach(DataSetIterator test, MeanConsumer consumer) {
        if (test == null) {
            throw new IllegalArgumentException("test must not be null");
        }
        PredictiveModel source = model != null ? model
                : PosteriorPredictive.of(net).samples(samples).keepSamples(false);
        source.forEach(test, (batch, predictive) -> consumer.accept(batch, predictive.mean()));
    }

    /** DL4J's classification evaluations of the predictive mean, and the library's Bayesian metrics. */
    public static final class Classification {
        private final Evaluation evaluation;
        private final EvaluationCalibration calibration;
        private final ROC roc;
        private final ROCMultiClass rocMultiClass;
        private final ClassificationMetrics metrics;

        Classification(Evaluation evaluation, EvaluationCalibration calibration, ROC roc, ROCMultiClass rocMultiClass,
                       ClassificationMetrics metrics) {
            this.evaluation = evaluation;
            this.calibration = calibration;
            this.roc = roc;
            this.rocMultiClass = rocMultiClass;
            this.metrics = metrics;
        }

        /** @return DL4J's {@link Evaluation}: accuracy, precision, recall, F1, confusion matrix */
        public Evaluation evaluation() {
            return evaluation;
        }

        /** @return DL4J's {@link EvaluationCalibration}: reliability diagrams, residual and probability histograms */
        public EvaluationCalibration calibration() {
            return calibration;
        }

        /**
         * @return DL4J's {@link ROC} for two classes (one sigmoid output or a two-class softmax)
         * @throws IllegalStateException for more classes: use {@link #rocMultiClass()}
         */
        public ROC roc() {
            if (roc == null) {
                throw new IllegalStateException("More than two classes: use rocMultiClass()");
            }
            return roc;
        }

        /**
         * @return DL4J's {@link ROCMultiClass} (one-vs-all) for more than two classes
         * @throws IllegalStateException for two classes: use {@link #roc()}
         */
        public ROCMultiClass rocMultiClass() {
            if (rocMultiClass == null) {
                throw new IllegalStateException("Two classes: use roc()");
            }
            return rocMultiClass;
        }

        /** @return NLL, Brier score, ECE and reliability data of the predictive mean (the library's) */
        public ClassificationMetrics metrics() {
            return metrics;
        }
    }
}
