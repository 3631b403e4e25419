package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.layers.BayesianNetworks;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Arrays;
import java.util.Locale;

/**
 * Times one training step of the notebook's 2-5-5-1 network on the 500 training points (full batch), Bayesian
 * layers against DL4J's plain DenseLayer / OutputLayer, interleaved in rounds in one run; prints medians and the
 * ratio.
 */
final class StepBenchmark {
    private StepBenchmark() {
    }

    static void run(int rounds, int stepsPerRound, int batchSize) {
        DataSet train = MoonsData.generate(1000, 0.2, 0).train();
        DataSet batch = batchSize >= train.numExamples() ? train : train.sample(batchSize);
        MultiLayerNetwork bayes = SeedNetwork.build(true, false, 0.01, 1);
        BayesianNetworks.setDatasetSize(bayes, train.numExamples());
        MultiLayerNetwork plain = SeedNetwork.build(false, false, 0.01, 1);
        // warm-up: JIT and workspaces
        time(bayes, batch, 2000);
        time(plain, batch, 2000);
        double[] b = new double[rounds];
        double[] p = new double[rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            b[r] = time(bayes, batch, stepsPerRound);
            p[r] = time(plain, batch, stepsPerRound);
            ratio[r] = b[r] / p[r];
        }
        System.out.printf(Locale.ROOT, "Step time, 2-5-5-1 tanh, batch %d, %d rounds x %d steps (median per step, min-max of round medians)%n",
                batch.numExamples(), rounds, stepsPerRound);
        System.out.printf(Locale.ROOT, "  Bayesian layers : %.3f ms  (%.3f - %.3f)%n", median(b), min(b), max(b));
        System.out.printf(Locale.ROOT, "  plain DL4J      : %.3f ms  (%.3f - %.3f)%n", median(p), min(p), max(p));
        System.out.printf(Locale.ROOT, "  ratio           : %.2f  (%.2f - %.2f)%n", median(ratio), min(ratio), max(ratio));
    }

    /** @return the median step time in milliseconds over {@code steps} steps */
    private static double time(MultiLayerNetwork net, DataSet batch, int steps) {
        double[] t = new double[steps];
        for (int i = 0; i < steps; i++) {
            long start = System.nanoTime();
            net.fit(batch);
            t[i] = (System.nanoTime() - start) / 1e6;
        }
        return median(t);
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
