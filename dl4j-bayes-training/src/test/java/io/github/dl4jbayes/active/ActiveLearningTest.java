package io.github.dl4jbayes.active;

import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Acquisition functions against hand-computed values, and the loop's bookkeeping on a real Bayesian network. */
class ActiveLearningTest {

    private static double h(double... p) {
        double s = 0;
        for (double x : p) {
            s -= x > 0 ? x * Math.log(x) : 0;
        }
        return s;
    }

    /** Two draws, two rows, Bernoulli outputs: p = (0.9, 0.1) on row 0 (the draws disagree), (0.5, 0.5) on row 1. */
    @Test
    void bernoulliScoresMatchHandComputedValues() {
        INDArray samples = Nd4j.createFromArray(new double[][][]{{{0.9}, {0.5}}, {{0.1}, {0.5}}});
        double[] bald = Acquisition.BALD.scores(samples, null);
        double[] entropy = Acquisition.ENTROPY.scores(samples, null);
        double[] ratio = Acquisition.VARIATION_RATIO.scores(samples, null);
        double[] std = Acquisition.STD.scores(samples, null);
        // row 0: mean 0.5, H = log 2; each draw's H = h(0.9, 0.1); MI = log 2 - h(0.9, 0.1)
        assertEquals(Math.log(2) - h(0.9, 0.1), bald[0], 1e-12);
        assertEquals(0.0, bald[1], 1e-12);                     // the draws agree: no epistemic part
        assertEquals(Math.log(2), entropy[0], 1e-12);
        assertEquals(Math.log(2), entropy[1], 1e-12);          // entropy cannot tell the two rows apart
        assertEquals(0.5, ratio[0], 1e-12);                    // one vote each way
        assertEquals(0.0, ratio[1], 1e-12);                    // 0.5 >= 0.5 votes 1 both times
        assertEquals(0.4, std[0], 1e-12);                      // population std of {0.9, 0.1}
        assertEquals(0.0, std[1], 1e-12);
    }

    /** Three draws of a three-class softmax on one row. */
    @Test
    void categoricalScoresMatchHandComputedValues() {
        double[][] draws = {{0.7, 0.2, 0.1}, {0.1, 0.8, 0.1}, {0.6, 0.3, 0.1}};
        INDArray samples = Nd4j.createFromArray(new double[][][]{{draws[0]}, {draws[1]}, {draws[2]}});
        double[] mean = {(0.7 + 0.1 + 0.6) / 3, (0.2 + 0.8 + 0.3) / 3, 0.1};
        double expectedEntropy = (h(draws[0]) + h(draws[1]) + h(draws[2])) / 3;
        assertEquals(h(mean), Acquisition.ENTROPY.scores(samples, null)[0], 1e-12);
        assertEquals(h(mean) - expectedEntropy, Acquisition.BALD.scores(samples, null)[0], 1e-12);
        assertEquals(1 - 2.0 / 3, Acquisition.VARIATION_RATIO.scores(samples, null)[0], 1e-12);
        double std = 0;
        for (int c = 0; c < 3; c++) {
            double m = mean[c];
            double v = 0;
            for (double[] d : draws) {
                v += (d[c] - m) * (d[c] - m) / 3;
            }
            std += Math.sqrt(v) / 3;
        }
        assertEquals(std, Acquisition.STD.scores(samples, null)[0], 1e-12);
        double[] random = Acquisition.RANDOM.scores(samples, new SplittableRandom(1));
        assertEquals(new SplittableRandom(1).nextDouble(), random[0], 0.0);
    }

    @Test
    void topPicksTheHighestScoresLowerIndexFirstOnTies() {
        assertArrayEquals(new int[]{3, 1, 4}, Acquisition.top(new double[]{0.1, 0.5, 0.2, 0.9, 0.5}, 3));
        assertThrows(IllegalArgumentException.class, () -> Acquisition.top(new double[]{1, 2}, 3));
        assertThrows(IllegalArgumentException.class, () -> Acquisition.top(new double[]{1, Double.NaN}, 1));
    }

    private static MultiLayerNetwork net(long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).updater(new Adam(0.02)).list()
                .layer(new BayesianDenseLayer.Builder().nIn(2).nOut(4).activation(Activation.TANH).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(4).nOut(1)
                        .activation(Activation.SIGMOID).build())
                .build());
        net.init();
        return net;
    }

    /** Points on a line, class = sign of x1 + x2. */
    private static DataSet data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = new double[n][2];
        double[][] y = new double[n][1];
        for (int i = 0; i < n; i++) {
            x[i][0] = r.nextGaussian();
            x[i][1] = r.nextGaussian();
            y[i][0] = x[i][0] + x[i][1] > 0 ? 1 : 0;
        }
        return new DataSet(Nd4j.createFromArray(x).castTo(DataType.FLOAT), Nd4j.createFromArray(y).castTo(DataType.FLOAT));
    }

    /**
     * Bad input: a pool whose inputs do not match the labelled examples', an oracle with wrong-shaped labels, a budget
     * larger than the pool (the loop stops when the pool is empty), k = 0 (refused by the builder).
     */
    @Test
    void badPoolsOraclesAndBudgets() {
        DataSet pool = data(10, 2);
        DataSet initial = data(3, 1);
        ActiveLearning loop = ActiveLearning.builder().model(() -> net(7)).iterations(5).acquireEach(4).budget(100)
                .predictiveSamples(3).seed(9).build();
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
                () -> loop.run(initial, Nd4j.rand(DataType.FLOAT, 10, 3), i -> null));
        assertTrue(width.getMessage().startsWith("pool:"), width.getMessage());
        IllegalStateException oracle = assertThrows(IllegalStateException.class,
                () -> loop.run(initial, pool.getFeatures(), i -> Nd4j.zeros(DataType.FLOAT, i.length, 2)));
        assertTrue(oracle.getMessage().contains("oracle") && oracle.getMessage().contains("[rows, 1]"),
                oracle.getMessage());
        ActiveLearning.Result all = loop.run(initial, pool.getFeatures(), indices -> pool.getLabels()
                .get(NDArrayIndex.indices(java.util.Arrays.stream(indices).asLongStream().toArray())));
        assertEquals(13, all.rounds().get(all.rounds().size() - 1).labelled(), "the whole pool, then stop");
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                () -> ActiveLearning.builder().acquireEach(0));
        assertTrue(k.getMessage().contains("acquireEach"), k.getMessage());
    }

    /** Exactly k new points per round, never one twice, the oracle asked for exactly those; both training modes. */
    @Test
    void loopAcquiresExactlyKPerRoundAndNeverTwice() {
        for (boolean retrain : new boolean[]{true, false}) {
            for (Acquisition acquisition : new Acquisition[]{Acquisition.BALD, Acquisition.RANDOM}) {
                DataSet pool = data(40, 2);
                DataSet initial = data(3, 1);
                List<int[]> asked = new ArrayList<>();
                ActiveLearning.Result result = ActiveLearning.builder().model(() -> net(7)).retrain(retrain)
                        .iterations(50).acquisition(acquisition).acquireEach(4).budget(15).predictiveSamples(5)
                        .test(data(20, 3)).seed(9).build()
                        .run(initial, pool.getFeatures(), indices -> {
                            asked.add(indices.clone());
                            return pool.getLabels().get(NDArrayIndex.indices(java.util.Arrays.stream(indices)
                                    .asLongStream().toArray()));
                        });
                int[] sizes = result.rounds().stream().mapToInt(ActiveLearning.Round::labelled).toArray();
                assertArrayEquals(new int[]{3, 7, 11, 15}, sizes, "labelled per round, retrain=" + retrain);
                Set<Integer> seen = new HashSet<>();
                for (int r = 0; r < result.rounds().size(); r++) {
                    int[] acquired = result.rounds().get(r).acquired();
                    assertEquals(r < 3 ? 4 : 0, acquired.length, "round " + r);
                    for (int i : acquired) {
                        assertTrue(seen.add(i), "pool point " + i + " acquired twice");
                    }
                    if (acquired.length > 0) {
                        assertArrayEquals(acquired, asked.get(r));
                    }
                    // measured on the 20 test points: a whole number of them right, and a finite positive NLL
                    double correct = 20 * result.rounds().get(r).accuracy();
                    assertEquals(Math.rint(correct), correct, 1e-9, "round " + r + ": accuracy x 20");
                    double nll = result.rounds().get(r).nll();
                    assertTrue(Double.isFinite(nll) && nll > 0, "round " + r + ": NLL " + nll);
                }
                assertEquals(3, asked.size());
            }
        }
    }

    /** Any predictive: a plain network with dropout, trained by DL4J, scored by MC dropout. */
    @Test
    void runsWithMcDropoutOnAPlainNetwork() {
        DataSet pool = data(30, 4);
        ActiveLearning.Result result = ActiveLearning.builder()
                .model(() -> {
                    MultiLayerNetwork plain = new MultiLayerNetwork(new org.deeplearning4j.nn.conf.NeuralNetConfiguration
                            .Builder().seed(3).dataType(DataType.FLOAT)
                            .updater(new org.nd4j.linalg.learning.config.Adam(0.05)).list()
                            .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(2).nOut(8)
                                    .activation(org.nd4j.linalg.activations.Activation.TANH).build())
                            .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(
                                    org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.XENT).nIn(8).nOut(1)
                                    .activation(org.nd4j.linalg.activations.Activation.SIGMOID).dropOut(0.8).build())
                            .build());
                    plain.init();
                    return plain;
                })
                .trainer((net, labelled) -> {
                    for (int i = 0; i < 30; i++) {
                        net.fit(labelled);
                    }
                })
                .predictor((net, samples) -> io.github.dl4jbayes.baselines.McDropout.of(net).samples(samples).seed(1))
                .acquireEach(3).budget(9).predictiveSamples(5).test(data(20, 5)).build()
                .run(data(3, 6), pool.getFeatures(), indices -> pool.getLabels().get(NDArrayIndex.indices(
                        java.util.Arrays.stream(indices).asLongStream().toArray())));
        assertArrayEquals(new int[]{3, 6, 9}, result.rounds().stream().mapToInt(ActiveLearning.Round::labelled)
                .toArray());
        assertTrue(result.rounds().stream().allMatch(r -> Double.isFinite(r.nll())));
        assertTrue(assertThrows(NullPointerException.class, () -> ActiveLearning.builder().predictor(null))
                .getMessage().contains("predictor"));
    }

    @Test
    void badInputIsNamed() {
        DataSet pool = data(10, 2);
        ActiveLearning loop = ActiveLearning.builder().model(() -> net(1)).iterations(10).acquireEach(2).budget(5)
                .predictiveSamples(3).build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> loop.run(data(2, 1), pool.getFeatures(), indices -> Nd4j.zeros(DataType.FLOAT, 1, 1)));
        assertTrue(e.getMessage().contains("oracle"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ActiveLearning.builder().acquireEach(0))
                .getMessage().contains("acquireEach"));
        assertTrue(assertThrows(NullPointerException.class, () -> ActiveLearning.builder().build())
                .getMessage().contains("model"));
    }
}
