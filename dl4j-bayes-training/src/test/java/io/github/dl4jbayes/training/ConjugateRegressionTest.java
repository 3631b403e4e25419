package io.github.dl4jbayes.training;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** ADVI recovers the exact mean-field posterior of the conjugate regression ({@link ConjugateRegression}). */
class ConjugateRegressionTest {

    @Test
    void adviRecoversTheExactMeanFieldPosterior() {
        ConjugateRegression problem = new ConjugateRegression();
        MultiLayerNetwork net = problem.network(
                new Adam(new ExponentialSchedule(ScheduleType.ITERATION, 0.05, Math.pow(1e-4, 1.0 / 6000))));

        Advi.builder().datasetSize(ConjugateRegression.N).iterations(6000).mcSamples(4).printEvery(0).build()
                .fit(net, problem.data());

        double[] worst = problem.worstErrors(net);
        System.out.printf("conjugate regression: worst mean error %.4f posterior sd, worst std error %.4f%n",
                worst[0], worst[1]);
        assertTrue(worst[0] < 0.05, "means off by " + worst[0] + " posterior sd");
        assertTrue(worst[1] < 0.05, "stds off by " + worst[1]);
    }
}
