package io.github.dl4jbayes.predict;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Anything that gives a predictive distribution of a network's outputs as samples: the posterior predictive of a
 * Bayesian network ({@link PosteriorPredictive}) and the baselines of the {@code baselines} package (MC dropout,
 * deep ensembles, last-layer Laplace). The metrics, evaluations, uncertainty decompositions, plots and the
 * active-learning loop take a {@code PredictiveModel}, so every method is scored and pictured the same way.
 *
 * <pre>{@code
 * PredictiveModel bayes = PosteriorPredictive.of(bayesianNet).samples(100);
 * PredictiveModel dropout = McDropout.of(plainNet).samples(100);
 * for (PredictiveModel m : List.of(bayes, dropout)) {
 *     ClassificationMetrics.of(m.predict(xTest).mean(), yTest).expectedCalibrationError(10);
 * }
 * }</pre>
 */
public interface PredictiveModel {

    /**
     * @param features the inputs, {@code [rows, nIn]} (or the shape of the network's input)
     * @return the sampled outputs (shape {@code [samples, rows, outputs]} where kept) with their mean and standard
     *         deviation
     * @throws IllegalArgumentException if {@code features} is null or empty
     */
    PredictiveSamples predict(INDArray features);

    /** What {@link #forEach} hands over for each minibatch. */
    @FunctionalInterface
    interface BatchConsumer {
        /**
         * @param batch      the minibatch as the iterator gave it (its pre-processor applied)
         * @param predictive the predictive of its features
         */
        void accept(DataSet batch, PredictiveSamples predictive);
    }

    /**
     * Streams a test set: the predictive of every minibatch of {@code data} (reset first where it can be), handed to
     * {@code consumer} one minibatch at a time, so that a large test set never sits in one array.
     *
     * @return the number of examples seen
     * @throws IllegalArgumentException if {@code data} or {@code consumer} is null, or the iterator is empty
     */
    default long forEach(DataSetIterator data, BatchConsumer consumer) {
        if (data == null || consumer == null) {
            throw new IllegalArgumentException("data and consumer must not be null");
        }
        if (data.resetSupported()) {
            data.reset();
        }
        long examples = 0;
        while (data.hasNext()) {
            DataSet batch = data.next();
            consumer.accept(batch, predict(batch.getFeatures()));
            examples += batch.getFeatures().size(0);
        }
        if (examples == 0) {
            throw new IllegalArgumentException("The iterator is empty");
        }
        return examples;
    }
}
