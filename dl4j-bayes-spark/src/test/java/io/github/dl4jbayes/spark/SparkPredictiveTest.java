package io.github.dl4jbayes.spark;

import io.github.dl4jbayes.baselines.DeepEnsemble;
import io.github.dl4jbayes.baselines.McDropout;
import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.predict.ClassificationUncertainty;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.predict.PredictiveSamples;
import io.github.dl4jbayes.training.Advi;
import io.github.dl4jbayes.training.TestData;
import org.apache.spark.api.java.JavaPairRDD;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distributed posterior predictive on Spark {@code local[2]}: every input row comes back once under its key, with
 * the mean and standard deviation that {@link PosteriorPredictive} gives on one machine (within the Monte-Carlo
 * error of the two estimates), and the mutual information of classifiers.
 */
class SparkPredictiveTest extends LocalSpark {
    private static final int SAMPLES = 400;
    /** A 2-8-2 softmax classifier trained briefly on the sign of x1 + x2. */
    /**
     * A small trained classifier whose outputs stay away from 0 and 1 (Xavier means on the layers, no warm-up): the
     * variance check below takes the fourth moment from the local draws, which underestimates it, and with it the
     * tolerance, where saturated outputs make a rare draw dominate (seen with the library's wider default means).
     */
    static MultiLayerNetwork classifier() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(12).dataType(DataType.DOUBLE).updater(new Adam(0.02)).list()
                .layer(new BayesianDenseLayer.Builder().nIn(2).nOut(8).activation(Activation.TANH)
                        .weightInit(org.deeplearning4j.nn.weights.WeightInit.XAVIER).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(2)
                        .weightInit(org.deeplearning4j.nn.weights.WeightInit.XAVIER).activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        INDArray x = TestData.randn(5, DataType.DOUBLE, 100, 2);
        INDArray positive = x.sum(true, 1).gt(0).castTo(DataType.DOUBLE);
        INDArray y = org.nd4j.linalg.factory.Nd4j.hstack(positive.rsub(1.0), positive);
        Advi.builder().datasetSize(100).iterations(300).printEvery(0).klAnnealingIterations(0).build()
                .fit(net, new DataSet(x, y));
        return net;
    }

    /** Rows keyed by id, in a shuffled order over 3 partitions. */
    static JavaPairRDD<Long, INDArray> keyedRows(INDArray grid) {
        List<Tuple2<Long, INDArray>> rows = new ArrayList<>();
        for (int i = 0; i < grid.rows(); i++) {
            rows.add(new Tuple2<>((long) i, grid.getRow(i).dup()));
        }
        Collections.shuffle(rows, new java.util.Random(3));
        return JavaPairRDD.fromJavaRDD(sc.parallelize(rows, 3));
    }

    static void assertAgreesWithOneMachine(Model net, boolean classifier) {
        INDArray grid = TestData.randn(9, DataType.DOUBLE, 60, 2).muli(2);
        Map<Long, SparkPredictive.Row> spark = SparkPredictive.of(sc, net).samples(SAMPLES).rowsPerDraw(16)
                .predict(keyedRows(grid)).collectAsMap();
        assertEquals(60, spark.size(), "one result per row");
        PredictiveSamples local = PosteriorPredictive.of(net).samples(SAMPLES).predict(grid);
        for (long i = 0; i < 60; i++) {
            SparkPredictive.Row row = spark.get(i);
            for (int j = 0; j < row.mean().length; j++) {
                double sd = local.std().getDouble(i, j);
                // two independent means of 400 draws: their difference has sd sqrt(2 / 400) sd; 5 of those
                double tolerance = 5 * Math.sqrt(2.0 / SAMPLES) * sd + 1e-12;
                assertEquals(local.mean().getDouble(i, j), row.mean()[j], tolerance, "row " + i + " output " + j);
                // variances: the sample variance of S draws has standard error sqrt((m4 - var^2) / S), m4 the fourth
                // central moment (outputs near 0 or 1 are heavy-tailed: a rare draw dominates); two estimates, 5 SE
                INDArray draws = local.samples().get(NDArrayIndex.all(), NDArrayIndex.point(i), NDArrayIndex.point(j));
                double var = sd * sd;
                double m4 = Transforms.pow(draws.sub(local.mean().getDouble(i, j)), 4).meanNumber().doubleValue();
                double seVar = Math.sqrt(Math.max(m4 - var * var, 0) / SAMPLES);
                double sparkVar = row.std()[j] * row.std()[j];
                assertEquals(var, sparkVar, 5 * Math.sqrt(2) * seVar + 1e-15, "variance, row " + i);
            }
            if (classifier) {
                assertTrue(row.mutualInformation() >= -1e-12 && row.mutualInformation() <= Math.log(2) + 1e-12,
                        "mutual information " + row.mutualInformation());
            } else {
                assertTrue(Double.isNaN(row.mutualInformation()));
            }
        }
    }

    @Test
    void classifierRowsKeyedAndAsOnOneMachine() {
        assertAgreesWithOneMachine(classifier(), true);
    }

    /** A regression graph (identity output): no mutual information. */
    @Test
    void regressionGraph() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(13).dataType(DataType.DOUBLE).updater(new Adam(0.01)).graphBuilder()
                .addInputs("x")
                .addLayer("h", new BayesianDenseLayer.Builder().nIn(2).nOut(5).activation(Activation.TANH).build(), "x")
                .addLayer("y", new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(5).nOut(1)
                        .activation(Activation.IDENTITY).build(), "h")
                .setOutputs("y").build());
        graph.init();
        assertAgreesWithOneMachine(graph, false);
    }

    /** A plain 2-8-2 softmax classifier (DL4J layers), with dropout on the hidden layer's output when asked. */
    static MultiLayerNetwork plainClassifier(long seed, double retain) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(DataType.DOUBLE).list()
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(2).nOut(8)
                        .activation(Activation.TANH).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(8).nOut(2).activation(Activation.SOFTMAX).dropOut(retain).build())
                .build());
        net.init();
        return net;
    }

    /** An ensemble through Spark: every row's mean and std are the members' (no randomness: exact). */
    @Test
    void ensembleRowsAreTheMembersMeanAndStd() {
        List<MultiLayerNetwork> members = List.of(plainClassifier(21, 1), plainClassifier(22, 1),
                plainClassifier(23, 1));
        INDArray grid = TestData.randn(9, DataType.DOUBLE, 40, 2).muli(2);
        Map<Long, SparkPredictive.Row> spark = SparkPredictive.of(sc, members,
                (nets, samples, seed) -> DeepEnsemble.of(nets)).rowsPerDraw(7).predict(keyedRows(grid)).collectAsMap();
        PredictiveSamples local = DeepEnsemble.of(members).predict(grid);
        INDArray mi = ClassificationUncertainty.of(local).mutualInformation();
        assertEquals(40, spark.size());
        for (long i = 0; i < 40; i++) {
            SparkPredictive.Row row = spark.get(i);
            for (int j = 0; j < 2; j++) {
                assertEquals(local.mean().getDouble(i, j), row.mean()[j], 1e-12, "mean, row " + i);
                assertEquals(local.std().getDouble(i, j), row.std()[j], 1e-12, "std, row " + i);
            }
            assertEquals(mi.getDouble(i), row.mutualInformation(), 1e-12, "mutual information, row " + i);
        }
    }

    /**
     * MC dropout through Spark, one partition: its passes are those of {@code McDropout} on one machine seeded with
     * the partition's seed (the predictor gets {@code samples} and the seed); a second seed gives other passes.
     */
    @Test
    void mcDropoutRowsRepeatTheOneMachinePasses() {
        MultiLayerNetwork net = plainClassifier(31, 0.6);
        INDArray grid = TestData.randn(10, DataType.DOUBLE, 30, 2).muli(2);
        List<Tuple2<Long, INDArray>> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            rows.add(new Tuple2<>((long) i, grid.getRow(i).dup()));
        }
        JavaPairRDD<Long, INDArray> onePartition = JavaPairRDD.fromJavaRDD(sc.parallelize(rows, 1));
        SparkPredictive.Predictor dropout = (nets, samples, seed) -> McDropout.of(nets.get(0)).samples(samples)
                .seed(seed);
        Map<Long, SparkPredictive.Row> spark = SparkPredictive.of(sc, List.of(net), dropout).samples(50).seed(7)
                .rowsPerDraw(30).predict(onePartition).collectAsMap();
        PredictiveSamples local = McDropout.of(net).samples(50).seed(BayesianTrainingHook.workerSeed(7, 0, 0))
                .predict(grid);
        double spread = 0;
        for (long i = 0; i < 30; i++) {
            for (int j = 0; j < 2; j++) {
                assertEquals(local.mean().getDouble(i, j), spark.get(i).mean()[j], 1e-9, "mean, row " + i);
                assertEquals(local.std().getDouble(i, j), spark.get(i).std()[j], 1e-9, "std, row " + i);
                spread += spark.get(i).std()[j];
            }
        }
        assertTrue(spread > 0.1, "dropout spreads the passes: " + spread);
        Map<Long, SparkPredictive.Row> other = SparkPredictive.of(sc, List.of(net), dropout).samples(50).seed(8)
                .rowsPerDraw(30).predict(onePartition).collectAsMap();
        double moved = 0;
        for (long i = 0; i < 30; i++) {
            moved += Math.abs(other.get(i).mean()[0] - spark.get(i).mean()[0]);
        }
        assertTrue(moved > 1e-3, "another seed, other passes: " + moved);
    }

    @Test
    void badPredictorsAndNetworksAreNamed() {
        MultiLayerNetwork plain = plainClassifier(41, 1);
        IllegalArgumentException noPredictor = assertThrows(IllegalArgumentException.class,
                () -> SparkPredictive.of(sc, List.of(plain), null));
        assertTrue(noPredictor.getMessage().contains("predictor"), noPredictor.getMessage());
        IllegalArgumentException noList = assertThrows(IllegalArgumentException.class,
                () -> SparkPredictive.of(sc, null, (nets, samples, seed) -> DeepEnsemble.of(nets)));
        assertTrue(noList.getMessage().contains("networks"), noList.getMessage());
        List<Model> withNull = new ArrayList<>(List.of(plain));
        withNull.add(null);
        IllegalArgumentException nullMember = assertThrows(IllegalArgumentException.class,
                () -> SparkPredictive.of(sc, withNull, (nets, samples, seed) -> DeepEnsemble.of(nets)));
        assertTrue(nullMember.getMessage().contains("networks[1]"), nullMember.getMessage());
        IllegalArgumentException plainAsBayesian = assertThrows(IllegalArgumentException.class,
                () -> SparkPredictive.of(sc, plain));
        assertTrue(plainAsBayesian.getMessage().contains("McDropout"), plainAsBayesian.getMessage());
    }

    @Test
    void badInput() {
        SparkPredictive p = SparkPredictive.of(sc, classifier());
        assertThrows(IllegalArgumentException.class, () -> p.samples(0));
        assertThrows(IllegalArgumentException.class, () -> p.rowsPerDraw(-1));
        assertThrows(IllegalArgumentException.class, () -> p.predict(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkPredictive.of(sc, null));
        assertTrue(e.getMessage().contains("MultiLayerNetwork or a ComputationGraph"), e.getMessage());
    }
}
