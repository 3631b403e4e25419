package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.metrics.ClassificationMetrics;
import io.github.dl4jbayes.spark.SparkAdvi;
import io.github.dl4jbayes.spark.SparkPredictive;
import io.github.dl4jbayes.training.ElboHistory;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The notebook on Apache Spark: the moons data and the Bayesian 2-5-5-1 network of {@code moons}, trained with
 * distributed ADVI ({@link SparkAdvi}: DL4J's parameter averaging, the KL divided by the global N on every worker)
 * and evaluated with the distributed posterior predictive ({@link SparkPredictive}), printing the numbers
 * {@code moons} prints: test accuracy, NLL, Brier score and ECE of the predictive mean, and the ELBO.
 */
final class SparkMoonsExample {
    static final String OPTIONS = "Options: --master URL (local[*]; ignored under spark-submit, which sets it) "
            + "--epochs E (60) --repeat R (10: the training set R times per Spark epoch) --batch B (50 per worker) "
            + "--averaging F (25 minibatches between averagings) --lr R (0.01) --seed S (0) --data FILE.csv|notebook "
            + "--ppc-samples P (500)";

    private SparkMoonsExample() {
    }

    /** What a test checks. */
    record Result(double accuracy, double negativeLogLikelihood, double finalElbo, long predictedRows) {
    }

    static Result run(Options o) {
        int epochs = o.integer("epochs", 60);
        int repeat = o.integer("repeat", 10);
        int batch = o.integer("batch", 50);
        int averaging = o.integer("averaging", 25);
        double learningRate = o.number("lr", 0.01);
        long seed = o.integer("seed", 0);
        int ppcSamples = o.integer("ppc-samples", 500);
        String source = o.string("data", "generated");
        if (repeat <= 0) {
            throw new IllegalArgumentException("--repeat must be > 0, got " + repeat);
        }
        // Spark's and DL4J's Spark classes log every task at INFO: keep their warnings, and our progress lines
        for (String quiet : new String[]{"org.apache.spark", "org.sparkproject", "org.apache.hadoop",
                "org.deeplearning4j.spark"}) {
            Configurator.setLevel(quiet, Level.WARN);
        }
        SparkConf conf = new SparkConf().setAppName("dl4j-bayes spark-moons").set("spark.ui.enabled", "false");
        if (!conf.contains("spark.master")) {
            conf.setMaster(o.string("master", "local[*]"));
        }
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            MoonsData data = MoonsData.load(source, seed);
            DataSet train = data.train();
            DataSet test = data.test();
            int n = train.numExamples();
            System.out.printf(Locale.ROOT, "Two moons (%s): %d train, %d test points; Spark %s with %d worker threads%n",
                    source, n, test.numExamples(), sc.master(), sc.defaultParallelism());

            // the training set R times over, each copy in its own seeded order, cut into the workers' minibatches
            List<DataSet> minibatches = new ArrayList<>();
            for (int copy = 0; copy < repeat; copy++) {
                DataSet shuffled = train.copy();
                shuffled.shuffle(seed * 1000 + copy);
                minibatches.addAll(shuffled.batchBy(batch));
            }
            JavaRDD<DataSet> rdd = sc.parallelize(minibatches, sc.defaultParallelism());
            MultiLayerNetwork net = NotebookNetwork.build(true, false, learningRate, seed);
            System.out.printf(Locale.ROOT, "%nDistributed ADVI: %d epochs of %d passes, minibatches of %d per worker, "
                    + "averaging every %d, Adam(%s), N = %d%n", epochs, repeat, batch, averaging, learningRate, n);
            long start = System.nanoTime();
            ElboHistory elbo = SparkAdvi.builder().datasetSize(n).epochs(epochs).batchSizePerWorker(batch)
                    .averagingFrequency(averaging).seed(seed).build().fit(sc, net, rdd);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "Distributed ADVI: %.1f s, %d optimizer steps per worker, final ELBO = %.2f "
                    + "(mean of the last 5 epochs: %.2f)%n", seconds, net.getIterationCount(), elbo.last(),
                    elbo.meanOfLast(Math.min(5, elbo.size())));

            // the distributed posterior predictive of the test set, rows keyed by their index
            List<Tuple2<Long, INDArray>> rows = new ArrayList<>();
            INDArray x = test.getFeatures();
            for (int i = 0; i < x.rows(); i++) {
                rows.add(new Tuple2<>((long) i, x.getRow(i).dup()));
            }
            start = System.nanoTime();
            Map<Long, SparkPredictive.Row> predicted = SparkPredictive.of(sc, net).samples(ppcSamples).seed(seed)
                    .predict(JavaPairRDD.fromJavaRDD(sc.parallelize(rows, sc.defaultParallelism()))).collectAsMap();
            double[] probability = new double[x.rows()];
            double meanMutualInformation = 0;
            for (int i = 0; i < probability.length; i++) {
                SparkPredictive.Row row = predicted.get((long) i);
                probability[i] = row.mean()[0];
                meanMutualInformation += row.mutualInformation() / probability.length;
            }
            System.out.printf(Locale.ROOT, "Posterior predictive on Spark: %d rows x %d samples in %.1f s, mean mutual "
                    + "information %.4f nats%n", predicted.size(), ppcSamples, (System.nanoTime() - start) / 1e9,
                    meanMutualInformation);
            ClassificationMetrics metrics = ClassificationMetrics.of(
                    Nd4j.createFromArray(probability).reshape(probability.length, 1).castTo(DataType.DOUBLE),
                    test.getLabels().castTo(DataType.DOUBLE));
            System.out.printf(Locale.ROOT, "Accuracy = %.1f%%%n", 100 * metrics.accuracy());
            System.out.printf(Locale.ROOT, "Test NLL = %.4f, Brier = %.4f, ECE (10 bins) = %.4f%n",
                    metrics.negativeLogLikelihood(), metrics.brierScore(), metrics.expectedCalibrationError(10));
            return new Result(metrics.accuracy(), metrics.negativeLogLikelihood(), elbo.last(), predicted.size());
        }
    }
}
