package io.github.dl4jbayes.training;

import io.github.dl4jbayes.predict.PosteriorPredictive;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Same configuration seed, same result: a fit is a function of the network's seed and its data alone, not of what
 * the program did with ND4J's global RNG in between, of other networks built in the meantime, or of the thread that
 * runs it (ND4J's global RNG is per thread, and only the thread that built the network has it seeded).
 */
class ReproducibilityTest {

    private static final int ITERATIONS = 300;

    private static ElboHistory fit(MultiLayerNetwork net, DataSet data) {
        return Advi.builder().datasetSize(data.numExamples()).iterations(ITERATIONS).printEvery(0)
                .klAnnealingIterations(100).build().fit(net, data);
    }

    /** The notebook's network: FLOAT, means started from N(0, 1), Adam. */
    private static MultiLayerNetwork notebookNet() {
        MultiLayerNetwork net = new MultiLayerNetwork(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .seed(0).dataType(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                .updater(new org.nd4j.linalg.learning.config.Adam(0.01))
                .weightInit(new org.deeplearning4j.nn.conf.distribution.NormalDistribution(0, 1)).list()
                .layer(new io.github.dl4jbayes.layers.BayesianDenseLayer.Builder().nIn(2).nOut(5)
                        .activation(org.nd4j.linalg.activations.Activation.TANH).hasBias(false).build())
                .layer(new io.github.dl4jbayes.layers.BayesianDenseLayer.Builder().nIn(5).nOut(5)
                        .activation(org.nd4j.linalg.activations.Activation.TANH).hasBias(false).build())
                .layer(new io.github.dl4jbayes.layers.BayesianOutputLayer.Builder(
                        org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.XENT).nIn(5).nOut(1)
                        .activation(org.nd4j.linalg.activations.Activation.SIGMOID).hasBias(false).build())
                .build());
        net.init();
        return net;
    }

    @Test
    void twoFitsFromOneSeedGiveIdenticalParameters() throws Exception {
        DataSet data = AdviTest.data(200);
        data.setFeatures(data.getFeatures().castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
        data.setLabels(data.getLabels().castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
        MultiLayerNetwork first = notebookNet();
        MultiLayerNetwork second = notebookNet();   // built (and seeded) after the first
        assertEquals(first.params(), second.params(), "same seed, same initial parameters");

        ElboHistory firstElbo = fit(first, data);
        // what a program may do between two fits: use ND4J's global RNG, build and use other networks
        Nd4j.getRandom().setSeed(System.nanoTime());
        Nd4j.rand(3, 3);
        MultiLayerNetwork other = notebookNet();
        PosteriorPredictive.of(other).samples(3).predict(data.getFeatures());

        // ... and fit on another thread
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<ElboHistory> secondElbo = executor.submit(() -> fit(second, data));
            assertEquals(java.util.Arrays.toString(firstElbo.elbos()),
                    java.util.Arrays.toString(secondElbo.get().elbos()), "ELBO traces");
        } finally {
            executor.shutdown();
        }
        INDArray difference = first.params().sub(second.params());
        assertEquals(0.0, difference.amaxNumber().doubleValue(), 0.0, "parameters after " + ITERATIONS + " steps");
        assertEquals(first.params(), second.params());
    }
}
