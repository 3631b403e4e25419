package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.predict.PosteriorDraws;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.predict.PosteriorSummary;
import io.github.dl4jbayes.predict.PredictiveSamples;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.training.Advi;
import io.github.dl4jbayes.training.ElboHistory;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's quick start, line for line (fewer iterations and draws), so that it keeps compiling and running. */
class QuickStartTest {

    @Test
    void readmeQuickStartRuns() {
        MoonsData data = MoonsData.generate(1000, 0.2, 0);
        DataSet trainData = data.train();
        ListDataSetIterator<DataSet> trainIterator = new ListDataSetIterator<>(trainData.batchBy(50), 1);
        INDArray xTest = data.test().getFeatures();

        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(0).updater(new Adam(0.01)).list()
                .layer(new BayesianDenseLayer.Builder().nIn(2).nOut(5).activation(Activation.TANH)
                        .prior(new GaussianPrior(0, 1)).build())
                .layer(new BayesianDenseLayer.Builder().nIn(5).nOut(5).activation(Activation.TANH).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(5).nOut(1)
                        .activation(Activation.SIGMOID).build())          // Bernoulli likelihood
                .build());
        net.init();

        Advi advi = Advi.builder().datasetSize(500).iterations(200).printEvery(100).build();
        ElboHistory elbo = advi.fit(net, trainData, 50);
        advi.fit(net, trainIterator);

        PredictiveSamples p = PosteriorPredictive.of(net).samples(50).predict(xTest);
        INDArray probability = p.mean();
        INDArray uncertainty = p.std();
        INDArray total = p.bernoulliStd();
        PosteriorDraws trace = PosteriorDraws.sample(net, 500, 42);
        String table = PosteriorSummary.of(trace, 0.94).toTable();

        assertEquals(400, elbo.size(), "two fits of 200 iterations, one history");
        assertArrayEquals(new long[]{500, 1}, probability.shape());
        assertArrayEquals(new long[]{500, 1}, uncertainty.shape());
        // total variance = aleatoric + epistemic: the outcome's spread is never below the probability's
        // (up to the divisor S - 1 of the sample std, a factor sqrt(50 / 49))
        assertTrue(total.mul(Math.sqrt(50.0 / 49)).sub(uncertainty).minNumber().doubleValue() >= -1e-6);
        // weights and biases of three layers: 2*5+5, 5*5+5, 5*1+1
        assertEquals(15 + 30 + 6, table.lines().count() - 1);
    }
}
