package io.github.dl4jbayes.training;

import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Early stopping in {@link Advi}: on a validation set's predictive NLL, and on the training ELBO's plateau. */
class EarlyStoppingTest {

    /** An empty validation set, or NaN / infinite values in it, are refused with a message naming the part. */
    @Test
    void badValidationSetsAreRefused() {
        INDArray x = TestData.randn(3, DataType.DOUBLE, 4, 2);
        INDArray y = TestData.randn(4, DataType.DOUBLE, 4, 1);
        assertThrows(IllegalArgumentException.class, () -> EarlyStopping.onValidationNll(
                new DataSet(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 0)), y)));
        INDArray nanLabels = y.dup();
        nanLabels.putScalar(2, 0, Double.NaN);
        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class,
                () -> EarlyStopping.onValidationNll(new DataSet(x, nanLabels)));
        assertTrue(labels.getMessage().startsWith("validation labels"), labels.getMessage());
        INDArray infFeatures = x.dup();
        infFeatures.putScalar(0, 1, Double.POSITIVE_INFINITY);
        IllegalArgumentException features = assertThrows(IllegalArgumentException.class,
                () -> EarlyStopping.onValidationNll(new DataSet(infFeatures, y)));
        assertTrue(features.getMessage().startsWith("validation features"), features.getMessage());
    }

    /**
     * Validation labels opposite to the training rule: the better the network learns the training data, the worse its
     * validation NLL, so the first check is the best: the fit stops after {@code patience} more checks and puts back
     * the parameters of the first check, those of a fit of {@code every} steps without early stopping.
     */
    @Test
    void stopsWhenTheValidationNllWorsensAndRestoresTheBest() {
        DataSet train = AdviTest.data(200);
        INDArray xv = TestData.randn(23, DataType.DOUBLE, 100, 2);
        DataSet flipped = new DataSet(xv, xv.sum(true, 1).gt(0).castTo(DataType.DOUBLE).rsub(1.0));
        MultiLayerNetwork net = AdviTest.net(0.05, false);
        // no KL warm-up: its default length follows the iterations, which differ between this fit and its twin
        ElboHistory history = Advi.builder().datasetSize(200).iterations(1000).printEvery(0).klAnnealingIterations(0)
                .earlyStopping(EarlyStopping.onValidationNll(flipped).every(20).patience(3).samples(20)).build()
                .fit(net, train);
        assertEquals(80, history.size(), "stopped at the 4th check");
        assertEquals(80, net.getIterationCount());

        MultiLayerNetwork twin = AdviTest.net(0.05, false);
        Advi.builder().datasetSize(200).iterations(20).printEvery(0).klAnnealingIterations(0).build().fit(twin, train);
        assertEquals(twin.params(), net.params(), "the parameters of step 20 are back");
    }

    /** With a learning rate of ~0 the ELBO only fluctuates: the windows stop improving and the fit ends early. */
    @Test
    void stopsOnAnElboPlateau() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.DOUBLE).updater(new Sgd(1e-12)).list()
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(2).nOut(1)
                        .activation(Activation.SIGMOID).build())
                .build());
        net.init();
        ElboHistory history = Advi.builder().datasetSize(200).iterations(5000).printEvery(0)
                .earlyStopping(EarlyStopping.onElbo().every(50).patience(3)).build().fit(net, AdviTest.data(200));
        assertTrue(history.size() < 5000, "ran all " + history.size() + " iterations");
        assertEquals(0, history.size() % 50, "stops at a check");
        assertEquals(1.0, BayesianNetworks.getKlWeight(net), 0.0);
    }

    @Test
    void badInput() {
        assertThrows(IllegalArgumentException.class, () -> EarlyStopping.onElbo().every(0));
        assertThrows(IllegalArgumentException.class, () -> EarlyStopping.onElbo().patience(-1));
        assertThrows(IllegalArgumentException.class, () -> EarlyStopping.onElbo().minImprovement(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> EarlyStopping.onValidationNll(null));
        MultiLayerNetwork mse = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.DOUBLE).list()
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(2).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .build());
        mse.init();
        DataSet data = AdviTest.data(20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Advi.builder().datasetSize(20)
                .iterations(10).earlyStopping(EarlyStopping.onValidationNll(data)).build().fit(mse, data));
        assertTrue(e.getMessage().contains("onElbo"), e.getMessage());
    }
}
