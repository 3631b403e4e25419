package io.github.dl4jbayes.spark;

import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.training.ConjugateRegression;
import io.github.dl4jbayes.training.ElboHistory;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spark tasks that fail: on {@code local[2, 4]} (a task is tried up to 4 times) a worker's training task that fails
 * in its first attempt, mid-way through its minibatches, is run again by Spark from the round's broadcast parameters
 * and the fit ends as a fault-free one does (the conjugate regression's exact posterior, {@code SparkAdviTest}'s
 * tolerance); a task that fails every attempt stops the fit with a message, and the driver's network is left finite,
 * with its own settings, and trains on.
 */
class SparkFaultTest {
    static JavaSparkContext sc;

    /** Failures injected so far, and the (stage, partition) tasks they hit: in the training tasks only. */
    static final AtomicInteger INJECTED = new AtomicInteger();
    static final Set<String> FAILED_TASKS = ConcurrentHashMap.newKeySet();
    static volatile int failuresToInject;
    static volatile boolean failEveryAttempt;
    static final AtomicInteger READS = new AtomicInteger();
    static final java.util.Map<Long, AtomicInteger> READS_PER_ATTEMPT = new ConcurrentHashMap<>();

    @BeforeAll
    static void startSpark() {
        sc = LocalSpark.context("local[2, 4]");
    }

    @AfterAll
    static void stopSpark() {
        sc.close();
    }

    /**
     * A minibatch whose features, read inside a worker's training task (DL4J's parameter-averaging worker), throw
     * in the task's first attempt while failures are left to inject: a worker that dies mid-way through its part
     * of an averaging round, after training on some minibatches.
     */
    static final class FlakyDataSet extends DataSet {
        FlakyDataSet(DataSet d) {
            super(d.getFeatures(), d.getLabels());
        }

        @Override
        public INDArray getFeatures() {
            TaskContext task = TaskContext.get();
            if (task == null || !inTraining()) {
                return super.getFeatures();
            }
            boolean fail = failEveryAttempt
                    ? task.partitionId() == 0 && READS_PER_ATTEMPT.computeIfAbsent(task.taskAttemptId(),
                    k -> new AtomicInteger()).incrementAndGet() == 3
                    : READS.incrementAndGet() % 97 == 0 && task.attemptNumber() == 0
                    && INJECTED.getAndUpdate(v -> v < failuresToInject ? v + 1 : v) < failuresToInject;
            if (fail) {
                FAILED_TASKS.add(task.stageId() + "/" + task.partitionId());
                throw new IllegalStateException("injected failure of a worker (stage " + task.stageId()
                        + ", partition " + task.partitionId() + ", attempt " + task.attemptNumber() + ")");
            }
            return super.getFeatures();
        }

        private static boolean inTraining() {
            for (StackTraceElement e : Thread.currentThread().getStackTrace()) {
                if (e.getClassName().contains("paramavg")) {
                    return true;
                }
            }
            return false;
        }
    }

    private static JavaRDD<DataSet> flakyMinibatches(ConjugateRegression problem, int copies) {
        List<DataSet> minibatches = new ArrayList<>();
        for (DataSet d : SparkAdviTest.shuffledMinibatches(problem, copies)) {
            minibatches.add(new FlakyDataSet(d));
        }
        return sc.parallelize(minibatches, 2);
    }

    @Test
    void failedTasksAreRetriedAndTheFitRecoversTheExactPosterior() {
        ConjugateRegression problem = new ConjugateRegression();
        MultiLayerNetwork net = SparkAdviTest.conjugateNetwork(problem);
        INJECTED.set(0);
        FAILED_TASKS.clear();
        failEveryAttempt = false;
        failuresToInject = 5;
        // SparkAdviTest's fault-free run, with 5 workers' tasks failing in their first attempt
        ElboHistory history = SparkAdviTest.conjugateAdvi().fit(sc, net, flakyMinibatches(problem, 100));
        failuresToInject = 0;
        double[] worst = problem.worstErrors(net);
        System.out.printf("Spark conjugate regression with %d failed tasks %s: worst mean error %.4f posterior sd, "
                + "worst std error %.4f%n", INJECTED.get(), FAILED_TASKS, worst[0], worst[1]);
        assertEquals(5, INJECTED.get(), "five first attempts failed");
        assertEquals(5, FAILED_TASKS.size(), "in five different tasks");
        assertEquals(SparkAdviTest.STEPS_PER_WORKER, net.getIterationCount(), "the failed attempts' steps are not counted");
        assertFalse(net.params().isNaN().any() || net.params().isInfinite().any(), "finite parameters");
        assertTrue(Double.isFinite(history.last()));
        assertTrue(worst[0] < 0.05, "means off by " + worst[0] + " posterior sd (fault-free bound)");
        assertTrue(worst[1] < 0.05, "stds off by " + worst[1] + " (fault-free bound)");
        assertEquals(1.0, BayesianNetworks.getKlWeight(net), "the driver's KL weight");
    }

    @Test
    void aTaskThatFailsEveryAttemptStopsTheFitWithAMessageAndTheDriversNetworkTrainsOn() {
        ConjugateRegression problem = new ConjugateRegression();
        MultiLayerNetwork net = problem.network(new Adam(0.01));
        failEveryAttempt = true;
        IllegalStateException e;
        try {
            e = assertThrows(IllegalStateException.class, () -> SparkAdvi.builder()
                    .datasetSize(ConjugateRegression.N).epochs(2).batchSizePerWorker(20).averagingFrequency(5)
                    .build().fit(sc, net, flakyMinibatches(problem, 20)));
        } finally {
            failEveryAttempt = false;
        }
        assertTrue(e.getMessage().contains("maxFailures"), e.getMessage());
        assertFalse(net.params().isNaN().any() || net.params().isInfinite().any(), "finite parameters");
        assertEquals(1.0, BayesianNetworks.getKlWeight(net), "the workers' KL weight did not leak to the driver");
        int before = net.getIterationCount();
        ElboHistory h = SparkAdvi.builder().datasetSize(ConjugateRegression.N).epochs(1).batchSizePerWorker(20)
                .averagingFrequency(5).build().fit(sc, net, flakyMinibatches(problem, 20));
        assertTrue(Double.isFinite(h.last()));
        assertTrue(net.getIterationCount() > before, "the network trains on");
    }
}
