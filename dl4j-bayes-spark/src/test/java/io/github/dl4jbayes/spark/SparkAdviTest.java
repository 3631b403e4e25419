package io.github.dl4jbayes.spark;

import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.training.ConjugateRegression;
import io.github.dl4jbayes.training.ElboHistory;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Distributed ADVI on Spark {@code local[2]}: the conjugate regression's exact mean-field posterior, which
 * {@code ConjugateRegressionTest} recovers on one machine, within the same tolerance.
 */
class SparkAdviTest extends LocalSpark {
    @Test
    void recoversTheConjugatePosteriorOnTwoWorkers() {
        ConjugateRegression problem = new ConjugateRegression();
        int stepsPerWorker = 5000;
        MultiLayerNetwork net = problem.network(new Adam(new ExponentialSchedule(ScheduleType.ITERATION, 0.05,
                Math.pow(1e-4, 1.0 / stepsPerWorker))));
        // minibatches of 20: the 40 examples reshuffled and halved, 100 times over (a seeded Java shuffle), so one
        // epoch is 100 steps per worker, averaged every 10; N is the 40 examples
        List<DataSet> minibatches = new ArrayList<>();
        for (int copy = 0; copy < 100; copy++) {
            DataSet shuffled = problem.data().copy();
            shuffled.shuffle(copy);
            minibatches.addAll(shuffled.batchBy(20));
        }
        JavaRDD<DataSet> rdd = sc.parallelize(minibatches, 2);
        long start = System.nanoTime();
        ElboHistory history = SparkAdvi.builder().datasetSize(ConjugateRegression.N).epochs(stepsPerWorker / 100)
                .batchSizePerWorker(20).averagingFrequency(10).build().fit(sc, net, rdd);
        double[] worst = problem.worstErrors(net);
        System.out.printf("Spark conjugate regression: worst mean error %.4f posterior sd, worst std error %.4f, "
                + "%d iterations, %.1f s%n", worst[0], worst[1], net.getIterationCount(), (System.nanoTime() - start) / 1e9);
        assertEquals(stepsPerWorker / 100, history.size());
        assertEquals(stepsPerWorker, net.getIterationCount(), "the workers' steps counted on the driver");
        assertEquals(ConjugateRegression.N, BayesianNetworks.getDatasetSize(net));
        assertTrue(worst[0] < 0.05, "means off by " + worst[0] + " posterior sd");
        assertTrue(worst[1] < 0.05, "stds off by " + worst[1]);
    }
}
