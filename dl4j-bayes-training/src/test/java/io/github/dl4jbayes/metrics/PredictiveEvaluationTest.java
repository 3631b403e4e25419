package io.github.dl4jbayes.metrics;

import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.training.Advi;
import io.github.dl4jbayes.training.TestData;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.evaluation.regression.RegressionEvaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DL4J's evaluation objects of the posterior predictive mean, from one pass over a test iterator, against the
 * library's own metrics computed on the same predictive means: two implementations of accuracy and AUROC that must
 * agree; a regression's MSE against the one computed by hand from the same draws.
 */
class PredictiveEvaluationTest {

    /** Features 2-D standard normal; classes by the angle of (x1, x2): 1 (sigmoid), 2 or 3 (softmax) outputs. */
    static DataSet data(int n, int outputs, long seed) {
        INDArray x = TestData.randn(seed, DataType.DOUBLE, n, 2);
        int classes = Math.max(2, outputs);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, outputs);
        for (int i = 0; i < n; i++) {
            double angle = Math.atan2(x.getDouble(i, 1), x.getDouble(i, 0)) + Math.PI;
            int c = Math.min(classes - 1, (int) (angle / (2 * Math.PI) * classes));
            if (outputs == 1) {
                y.putScalar(i, 0, c);
            } else {
                y.putScalar(i, c, 1.0);
            }
        }
        return new DataSet(x, y);
    }

    static MultiLayerNetwork classifier(int outputs) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.DOUBLE).updater(new Adam(0.02)).list()
                .layer(new BayesianDenseLayer.Builder().nIn(2).nOut(8).activation(Activation.TANH).build())
                .layer(new BayesianOutputLayer.Builder(outputs == 1 ? LossFunctions.LossFunction.XENT
                        : LossFunctions.LossFunction.MCXENT).nIn(8).nOut(outputs)
                        .activation(outputs == 1 ? Activation.SIGMOID : Activation.SOFTMAX).build())
                .build());
        net.init();
        Advi.builder().datasetSize(200).iterations(200).printEvery(0).build().fit(net, data(200, outputs, 1));
        return net;
    }

    static ListDataSetIterator<DataSet> minibatches(DataSet data, int size) {
        return new ListDataSetIterator<>(data.batchBy(size), 1);
    }

    @ParameterizedTest(name = "{0} output(s)")
    @ValueSource(ints = {1, 2, 3})
    void dl4jsEvaluationsAgreeWithTheLibrarysMetrics(int outputs) {
        MultiLayerNetwork net = classifier(outputs);
        DataSet test = data(150, outputs, 2);
        BayesianNetworks.setNoiseSeed(net, 9);
        PredictiveEvaluation.Classification c = PredictiveEvaluation.of(net).samples(50)
                .classification(minibatches(test, 40));
        assertEquals(150, c.evaluation().getNumRowCounter());
        assertEquals(c.metrics().accuracy(), c.evaluation().accuracy(), 1e-12, "accuracy, DL4J vs the library");
        assertTrue(c.metrics().accuracy() > 0.6, "a classifier that learned: " + c.metrics().accuracy());
        if (outputs <= 2) {
            // the same predictive means, recomputed with the same draws, through the library's AUROC
            BayesianNetworks.setNoiseSeed(net, 9);
            PosteriorPredictive predictive = PosteriorPredictive.of(net).samples(50).keepSamples(false);
            List<Double> positive = new ArrayList<>();
            List<Double> negative = new ArrayList<>();
            for (DataSet batch : test.batchBy(40)) {
                INDArray p = predictive.predict(batch.getFeatures()).mean();
                for (int i = 0; i < p.rows(); i++) {
                    double score = p.getDouble(i, p.columns() - 1);
                    double label = batch.getLabels().getDouble(i, batch.getLabels().columns() - 1);
                    (label > 0.5 ? positive : negative).add(score);
                }
            }
            // Auroc.of(in, out) tells "out" (higher scores) from "in": here the positives from the negatives
            double auroc = Auroc.of(negative.stream().mapToDouble(Double::doubleValue).toArray(),
                    positive.stream().mapToDouble(Double::doubleValue).toArray());
            assertEquals(auroc, c.roc().calculateAUC(), 1e-9, "AUROC, DL4J vs the library");
            assertThrows(IllegalStateException.class, c::rocMultiClass);
        } else {
            assertTrue(c.rocMultiClass().calculateAverageAUC() > 0.6);
            assertThrows(IllegalStateException.class, c::roc);
        }
        assertTrue(c.calibration().getReliabilityDiagram(0) != null);
    }

    /** RegressionEvaluation's MSE is the mean squared error of the predictive mean of the same draws. */
    @Test
    void regressionMeanSquaredError() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(4).dataType(DataType.DOUBLE).updater(new Adam(0.02)).list()
                .layer(new BayesianDenseLayer.Builder().nIn(2).nOut(6).activation(Activation.TANH).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(6).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .build());
        net.init();
        INDArray x = TestData.randn(6, DataType.DOUBLE, 90, 2);
        DataSet test = new DataSet(x, x.getColumn(0, true).mul(x.getColumn(1, true)));
        BayesianNetworks.setNoiseSeed(net, 2);
        RegressionEvaluation evaluation = PredictiveEvaluation.of(net).samples(30).regression(minibatches(test, 30));
        BayesianNetworks.setNoiseSeed(net, 2);
        PosteriorPredictive predictive = PosteriorPredictive.of(net).samples(30).keepSamples(false);
        double squared = 0;
        for (DataSet batch : test.batchBy(30)) {
            INDArray error = predictive.predict(batch.getFeatures()).mean().sub(batch.getLabels());
            squared += error.mul(error).sumNumber().doubleValue();
        }
        assertEquals(squared / 90, evaluation.meanSquaredError(0), 1e-12);

        // with a label-scaling normalizer on the iterator: the errors in the target's units, s^2 times those of z
        org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize normalizer =
                new org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize();
        normalizer.fitLabel(true);
        normalizer.fit(test);
        // (a pre-processor normalizes the iterator's DataSets in place: one fresh iterator over copies per pass)
        ListDataSetIterator<DataSet> scaled = minibatches(test.copy(), 30);
        scaled.setPreProcessor(normalizer);
        BayesianNetworks.setNoiseSeed(net, 2);
        double inZ = PredictiveEvaluation.of(net).samples(30).regression(scaled).meanSquaredError(0);
        scaled = minibatches(test.copy(), 30);
        scaled.setPreProcessor(normalizer);
        BayesianNetworks.setNoiseSeed(net, 2);
        double inY = PredictiveEvaluation.of(net).samples(30).normalizer(normalizer).regression(scaled)
                .meanSquaredError(0);
        double s = normalizer.getLabelStd().getDouble(0);
        assertEquals(inZ * s * s, inY, 1e-9 * inY);
    }

    /** PosteriorPredictive streams an iterator: every example once, each minibatch's predictive as predict gives it. */
    @Test
    void predictiveStreamsAnIterator() {
        MultiLayerNetwork net = classifier(2);
        DataSet test = data(130, 2, 7);
        List<INDArray> streamed = new ArrayList<>();
        BayesianNetworks.setNoiseSeed(net, 4);
        long seen = PosteriorPredictive.of(net).samples(20).forEach(minibatches(test, 50),
                (batch, predictive) -> streamed.add(predictive.mean()));
        assertEquals(130, seen);
        assertEquals(3, streamed.size());
        BayesianNetworks.setNoiseSeed(net, 4);
        PosteriorPredictive predictive = PosteriorPredictive.of(net).samples(20);
        List<DataSet> batches = test.batchBy(50);
        for (int b = 0; b < 3; b++) {
            assertEquals(predictive.predict(batches.get(b).getFeatures()).mean(), streamed.get(b), "minibatch " + b);
        }
    }

    @Test
    void badInput() {
        MultiLayerNetwork net = classifier(2);
        PredictiveEvaluation e = PredictiveEvaluation.of(net);
        assertThrows(IllegalArgumentException.class, () -> e.samples(0));
        assertThrows(IllegalArgumentException.class, () -> e.classification(null));
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> e.classification(minibatches(data(20, 3, 5), 10)));
        assertTrue(wrong.getMessage().contains("do not match"), wrong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> e.classification(
                new ListDataSetIterator<>(new ArrayList<DataSet>(), 1)));
    }
}
