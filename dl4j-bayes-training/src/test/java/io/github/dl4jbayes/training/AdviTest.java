package io.github.dl4jbayes.training;

import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class AdviTest {

    public static MultiLayerNetwork net(double learningRate, boolean sgd) {
        return net(learningRate, sgd, true);
    }

    /** The 2-5-1 tanh Bernoulli network; {@code miniBatch} is DL4J's division of the loss by the batch size. */
    static MultiLayerNetwork net(double learningRate, boolean sgd, boolean miniBatch) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(5).dataType(DataType.DOUBLE).updater(sgd ? new Sgd(learningRate) : new Adam(learningRate))
                .miniBatch(miniBatch)
                .list()
                .layer(new BayesianDenseLayer.Builder().nIn(2).nOut(5).activation(Activation.TANH).hasBias(false).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(5).nOut(1)
                        .activation(Activation.SIGMOID).hasBias(false).build())
                .build());
        net.init();
        return net;
    }

    /** Linearly separable toy data: y = 1 when x1 + x2 &gt; 0. */
    static DataSet data(int n) {
        INDArray x = TestData.randn(17, DataType.DOUBLE, n, 2);
        INDArray y = x.sum(true, 1).gt(0).castTo(DataType.DOUBLE);
        return new DataSet(x, y);
    }

    @Test
    void minibatchFitCyclesTheIteratorAndContinues(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = net(0.05, false);
        List<DataSet> batches = data(100).batchBy(20);
        // one list element (a minibatch of 20) per next(): the second argument counts list elements, not examples
        ListDataSetIterator<DataSet> iterator = new ListDataSetIterator<>(batches, 1);
        Advi advi = Advi.builder().datasetSize(100).iterations(120).printEvery(40).build();
        ElboHistory history = advi.fit(net, iterator);
        assertEquals(120, history.size());
        assertEquals(120, net.getIterationCount());
        assertEquals(24, net.getEpochCount(), "120 steps over 5 minibatches: 24 completed passes");
        assertEquals(100, BayesianNetworks.getDatasetSize(net));
        double early = history.meanOfLast(120);
        advi.fit(net, iterator);
        assertEquals(240, advi.history().size());
        long[] iterations = advi.history().iterations();
        assertEquals(1, iterations[0]);
        assertEquals(240, iterations[239]);
        assertTrue(advi.history().meanOfLast(40) > early, "ELBO should rise: " + early + " -> " + advi.history().meanOfLast(40));
        assertTrue(net.getListeners().isEmpty(), "Advi must restore the network's listeners");

        Path csv = dir.resolve("elbo.csv");
        history.writeCsv(csv);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("iteration,elbo", lines.get(0));
        assertEquals(241, lines.size());
    }

    /**
     * Masks reach DL4J's step: a labels mask alone (DL4J's own fit(MultiDataSet) would drop it) gives the parameters
     * of DL4J's fit(DataSet) with that mask, which differ from the unmasked ones; a features mask alone is accepted.
     */
    @Test
    void masksReachTheStep() {
        DataSet data = data(20);
        INDArray labelsMask = org.nd4j.linalg.factory.Nd4j.ones(DataType.DOUBLE, 20, 1);
        for (int i = 0; i < 10; i++) {
            labelsMask.putScalar(i, 0, 0.0);
        }
        DataSet masked = new DataSet(data.getFeatures(), data.getLabels(), null, labelsMask);
        MultiLayerNetwork viaAdvi = net(0.1, true);
        MultiLayerNetwork viaDl4j = net(0.1, true);
        MultiLayerNetwork unmasked = net(0.1, true);
        for (MultiLayerNetwork n : new MultiLayerNetwork[]{viaAdvi, viaDl4j, unmasked}) {
            BayesianNetworks.setDatasetSize(n, 20);
            BayesianNetworks.setNoiseSeed(n, 8);
        }
        Advi.builder().datasetSize(20).iterations(1).printEvery(0).fused(false).build().fit(viaAdvi, masked);
        viaDl4j.fit(masked);
        unmasked.fit(data);
        assertEquals(viaDl4j.params(), viaAdvi.params(), "Advi's step with the labels mask");
        assertTrue(viaDl4j.params().sub(unmasked.params()).amaxNumber().doubleValue() > 1e-6,
                "the mask should change the step");

        DataSet featuresMaskOnly = new DataSet(data.getFeatures(), data.getLabels(),
                org.nd4j.linalg.factory.Nd4j.ones(DataType.DOUBLE, 20, 1), null);
        MultiLayerNetwork other = net(0.1, true);
        Advi.builder().datasetSize(20).iterations(2).printEvery(0).build().fit(other, featuresMaskOnly);
        assertEquals(2, other.getIterationCount());
    }

    @Test
    void elboIsMinusNTimesTheScore() {
        MultiLayerNetwork net = net(0.01, false);
        DataSet data = data(50);
        Advi advi = Advi.builder().datasetSize(200).iterations(1).printEvery(0).build();
        advi.fit(net, data);
        assertEquals(-200 * net.score(), advi.history().last(), 1e-9);
    }

    /** DL4J's miniBatch(false) sums the loss over the batch; the reported ELBO is the same quantity. */
    @Test
    void elboWithoutMinibatchDivision() {
        MultiLayerNetwork net = net(0.01, false, false);
        DataSet data = data(50);
        Advi advi = Advi.builder().datasetSize(200).iterations(1).printEvery(0).build();
        advi.fit(net, data);
        // score = sum of 50 losses + (50 / 200) KL = (50 / 200) * (-ELBO)
        assertEquals(-200.0 / 50 * net.score(), advi.history().last(), 1e-9);
    }

    @Test
    void klAnnealingReachesOneAndTheTraceStaysTheElbo() {
        MultiLayerNetwork net = net(0.01, false);
        DataSet data = data(50);
        Advi advi = Advi.builder().datasetSize(50).iterations(10).klAnnealingIterations(20).printEvery(0).build();
        List<Double> weights = recordKlWeights(net);
        // the KL at each step's parameters, before its update (Gaussian priors: the KL is a function of them)
        List<Double> klBeforeUpdate = new java.util.ArrayList<>();
        List<org.deeplearning4j.optimize.api.TrainingListener> listeners = new java.util.ArrayList<>(net.getListeners());
        listeners.add(new org.deeplearning4j.optimize.api.BaseTrainingListener() {
            @Override
            public void onGradientCalculation(org.deeplearning4j.nn.api.Model model) {
                klBeforeUpdate.add(BayesianNetworks.klDivergence(model));
            }
        });
        net.setListeners(listeners);
        advi.fit(net, data);
        assertEquals(0.5, weights.get(9), 1e-12, "step 10 of a 20-step warm-up");
        double weightedScore = net.score();
        double stepKl = klBeforeUpdate.get(klBeforeUpdate.size() - 1);
        assertEquals(stepKl, BayesianNetworks.klDivergenceOfLastScore(net), 1e-9 * stepKl);
        org.junit.jupiter.api.Assertions.assertNotEquals(stepKl, BayesianNetworks.klDivergence(net), 1e-9 * stepKl,
                "the update moved the parameters, so the KL at the current ones differs from the step's");
        // the recorded ELBO adds back the unweighted half of the step's KL, the one the score holds
        assertEquals(-50 * weightedScore - 0.5 * stepKl, advi.history().last(), 1e-9);
        // the warm-up does not outlive its fit ...
        assertEquals(1.0, BayesianNetworks.getKlWeight(net), 0.0);
        // ... and the next fit of the same Advi continues it: 11/20 ... 20/20
        weights.clear();
        advi.fit(net, data);
        assertEquals(0.55, weights.get(0), 1e-12);
        assertEquals(1.0, weights.get(9), 1e-12);
        assertEquals(1.0, BayesianNetworks.getKlWeight(net), 0.0);
    }

    /**
     * A tempered KL: the weight on the KL term is the temperature (times the warm-up's ramp while it lasts), the
     * recorded ELBO adds back the rest of the step's KL (it stays the exact ELBO), and the fit restores the weight.
     */
    @Test
    void klTemperatureWeighsTheKlTermAndTheTraceStaysTheElbo() {
        MultiLayerNetwork net = net(0.01, false);
        DataSet data = data(50);
        Advi advi = Advi.builder().datasetSize(50).iterations(4).klAnnealingIterations(2).klTemperature(0.1)
                .printEvery(0).build();
        List<Double> weights = recordKlWeights(net);
        advi.fit(net, data);
        double[] expected = {0.05, 0.1, 0.1, 0.1};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], weights.get(i), 1e-15, "KL weight at step " + (i + 1));
        }
        double stepKl = BayesianNetworks.klDivergenceOfLastScore(net);
        assertTrue(stepKl > 0, "a Gaussian posterior unlike its prior has a positive KL");
        assertEquals(-50 * net.score() - 0.9 * stepKl, advi.history().last(), 1e-9 * stepKl);
        assertEquals(1.0, BayesianNetworks.getKlWeight(net), 0.0);
    }

    /**
     * One {@code Advi} fitted to two networks: each network gets its own warm-up (it follows the network's own
     * iteration count) and its own ELBO history. Before the fix the second network started at weight 1 and its
     * trace was appended to the first network's.
     */
    @Test
    void aSecondNetworkFittedWithTheSameAdviGetsItsOwnWarmUpAndHistory() {
        DataSet data = data(50);
        Advi advi = Advi.builder().datasetSize(50).iterations(4).klAnnealingIterations(4).printEvery(0).build();
        MultiLayerNetwork first = net(0.01, false);
        List<Double> firstWeights = recordKlWeights(first);
        advi.fit(first, data);
        MultiLayerNetwork second = net(0.01, false);
        List<Double> secondWeights = recordKlWeights(second);
        ElboHistory secondHistory = advi.fit(second, data);
        assertEquals(List.of(0.25, 0.5, 0.75, 1.0), firstWeights);
        assertEquals(List.of(0.25, 0.5, 0.75, 1.0), secondWeights, "the second network's warm-up");
        assertEquals(4, secondHistory.size(), "the second network's history holds its own steps only");
        org.junit.jupiter.api.Assertions.assertSame(secondHistory, advi.history(), "history() is the last fitted network's");
        // fitting the first network again continues its history and its (finished) warm-up
        firstWeights.clear();
        ElboHistory firstHistory = advi.fit(first, data);
        assertEquals(8, firstHistory.size());
        assertEquals(List.of(1.0, 1.0, 1.0, 1.0), firstWeights);
    }

    /**
     * The warm-up follows the network's iteration count, which DL4J saves with the network: a network saved inside
     * its warm-up and loaded again continues the warm-up where it stopped, even with a new {@code Advi}.
     */
    @Test
    void theWarmUpContinuesFromTheNetworksIterationCountAfterSaveAndLoad(@TempDir Path dir) throws Exception {
        DataSet data = data(50);
        MultiLayerNetwork net = net(0.01, false);
        Advi.builder().datasetSize(50).iterations(2).klAnnealingIterations(4).printEvery(0).build().fit(net, data);
        Path file = dir.resolve("net.zip");
        org.deeplearning4j.util.ModelSerializer.writeModel(net, file.toFile(), true);
        MultiLayerNetwork loaded = org.deeplearning4j.util.ModelSerializer.restoreMultiLayerNetwork(file.toFile());
        assertEquals(2, loaded.getIterationCount());
        List<Double> weights = recordKlWeights(loaded);
        Advi.builder().datasetSize(50).iterations(3).klAnnealingIterations(4).printEvery(0).build().fit(loaded, data);
        assertEquals(List.of(0.75, 1.0, 1.0), weights);
    }

    /** The network's KL weight at every step, seen from a listener of its own. */
    private static List<Double> recordKlWeights(MultiLayerNetwork net) {
        List<Double> weights = new java.util.ArrayList<>();
        net.addListeners(new org.deeplearning4j.optimize.api.BaseTrainingListener() {
            @Override
            public void iterationDone(org.deeplearning4j.nn.api.Model model, int iteration, int epoch) {
                weights.add(BayesianNetworks.getKlWeight(net));
            }
        });
        return weights;
    }

    /**
     * A fit stopped inside its warm-up (here: before it ends) must not leave a down-weighted KL behind for the fits
     * that follow: an Advi without annealing trains at weight 1.
     */
    @Test
    void anAdviWithoutAnnealingTrainsAtWeightOneAfterAnUnfinishedWarmUp() {
        MultiLayerNetwork net = net(0.01, false);
        DataSet data = data(50);
        Advi.builder().datasetSize(50).iterations(10).klAnnealingIterations(1000).printEvery(0).build().fit(net, data);
        assertEquals(1.0, BayesianNetworks.getKlWeight(net), 0.0);
        List<Double> weights = recordKlWeights(net);
        Advi.builder().datasetSize(50).iterations(5).printEvery(0).build().fit(net, data);
        assertEquals(List.of(1.0, 1.0, 1.0, 1.0, 1.0), weights);
        // and the ELBO it reports is the score's, with no KL added back
        double elbo = Advi.builder().datasetSize(50).iterations(1).printEvery(0).build().fit(net, data).last();
        assertEquals(-50 * net.score(), elbo, 1e-9);
    }

    /** An exception in the middle of a warm-up restores the KL weight (and the listeners) all the same. */
    @Test
    void anExceptionInsideTheWarmUpRestoresTheKlWeight() {
        MultiLayerNetwork net = net(0.01, false);
        DataSet good = data(20);
        DataSet bad = data(20);
        bad.getFeatures().putScalar(3, 1, Double.NaN);
        Advi advi = Advi.builder().datasetSize(20).iterations(50).klAnnealingIterations(100).printEvery(0).build();
        org.nd4j.linalg.dataset.api.iterator.DataSetIterator iterator =
                new ListDataSetIterator<>(List.of(good, good, good, bad), 1);   // the bad minibatch at step 4
        assertThrows(DivergenceException.class, () -> advi.fit(net, iterator));
        assertEquals(1.0, BayesianNetworks.getKlWeight(net), 0.0);
        assertTrue(net.getListeners().isEmpty());
        // a weight the user set is what comes back
        MultiLayerNetwork fresh = net(0.01, false);
        BayesianNetworks.setKlWeight(fresh, 0.3);
        Advi.builder().datasetSize(20).iterations(3).printEvery(0).build().fit(fresh, good);
        assertEquals(0.3, BayesianNetworks.getKlWeight(fresh), 0.0);
    }

    @Test
    void severalMonteCarloSamplesReduceGradientNoise() {
        DataSet data = data(50);
        double[] spread = new double[2];
        int[] samples = {1, 16};
        for (int k = 0; k < 2; k++) {
            MultiLayerNetwork net = net(1e-3, true);
            BayesianNetworks.setDatasetSize(net, 50);
            INDArray before = net.params().dup();
            // one plain SGD step from the same point: the parameter change is -lr times the averaged gradient
            double sum = 0;
            double sumSq = 0;
            for (int r = 0; r < 30; r++) {
                net.setParams(before);
                Advi.builder().iterations(1).mcSamples(samples[k]).printEvery(0).build().fit(net, data);
                double g = (before.getDouble(0) - net.params().getDouble(0)) / 1e-3;
                sum += g;
                sumSq += g * g;
            }
            spread[k] = Math.sqrt(sumSq / 30 - (sum / 30) * (sum / 30));
        }
        // variance falls as 1/k: 16 samples give a quarter of the spread; allow generous sampling error
        assertTrue(spread[1] < 0.5 * spread[0], "spread 1 sample " + spread[0] + ", 16 samples " + spread[1]);
    }

    @Test
    void divergenceStopsWithAClearError() {
        MultiLayerNetwork net = net(0.01, false);
        DataSet data = data(20);
        data.getFeatures().putScalar(3, 1, Double.NaN);
        Advi advi = Advi.builder().datasetSize(20).iterations(50).printEvery(0).build();
        DivergenceException e = assertThrows(DivergenceException.class, () -> advi.fit(net, data));
        assertTrue(e.getMessage().contains("iteration 1") && e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> Advi.builder().datasetSize(0));
        assertThrows(IllegalArgumentException.class, () -> Advi.builder().iterations(0));
        assertThrows(IllegalArgumentException.class, () -> Advi.builder().mcSamples(0));
        assertThrows(IllegalArgumentException.class, () -> Advi.builder().printEvery(-1));
        for (double t : new double[]{0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Advi.builder().klTemperature(t));
            assertTrue(e.getMessage().contains("klTemperature"), e.getMessage());
        }
        MultiLayerNetwork net = net(0.01, false);
        IllegalStateException unset = assertThrows(IllegalStateException.class,
                () -> Advi.builder().iterations(5).build().fit(net, data(10)));
        assertTrue(unset.getMessage().contains("datasetSize"), unset.getMessage());
    }
}
