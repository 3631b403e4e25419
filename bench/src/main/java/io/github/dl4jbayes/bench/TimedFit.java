package io.github.dl4jbayes.bench;

import io.github.dl4jbayes.examples.MoonsData;
import io.github.dl4jbayes.examples.NotebookNetwork;
import io.github.dl4jbayes.examples.Minibatches;
import io.github.dl4jbayes.examples.Options;
import io.github.dl4jbayes.training.Advi;
import io.github.dl4jbayes.training.ElboHistory;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Locale;

/**
 * The notebook's workload as a user runs it, timed as PyTorch's training loop is timed: the seed network on the
 * notebook's 500 training points, {@code Advi.fit} with its ELBO listener, from the start of {@code fit} to its
 * end. Run in a fresh JVM it is the cold figure ({@code Benchmarks} row 10 starts one per run); {@code --repeat}
 * fits again in the same JVM for the warm figures. Prints one {@code fit:} line per fit. {@code --network large}
 * times the benchmark's 784-400-400-10 network instead (one minibatch of 128, {@code Advi.fit}, or plain DL4J's
 * {@code net.fit} with {@code --plain}).
 */
final class TimedFit {
    static final String OPTIONS = "Options: --iterations N (10000) --batch B (0 = full batch) --repeat R (1) --seed S (0) "
            + "--standard (DL4J's standard step instead of the fused one) --network seed|large (seed) --plain (large: "
            + "plain DL4J)";

    private TimedFit() {
    }

    static void run(Options o) {
        int iterations = o.integer("iterations", 10_000);
        int batch = o.integer("batch", 0);
        int repeat = o.integer("repeat", 1);
        long seed = o.integer("seed", 0);
        boolean fused = !o.flag("standard");
        if ("large".equals(o.string("network", "seed"))) {
            large(o.integer("iterations", 100), repeat, o.flag("plain"));
            return;
        }
        DataSet train = MoonsData.notebook().train();
        for (int r = 0; r < repeat; r++) {
            MultiLayerNetwork net = NotebookNetwork.build(true, false, 0.01, seed);
            Advi advi = Advi.builder().datasetSize(train.numExamples()).iterations(iterations).printEvery(0)
                    .fused(fused).build();
            long start = System.nanoTime();
            ElboHistory elbo = batch <= 0 ? advi.fit(net, train)
                    : advi.fit(net, Minibatches.of(train, batch));
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "fit: %.3f s, %.4f ms per iteration, %d iterations, batch %s, %s step, "
                    + "final ELBO %.2f%n", seconds, 1000 * seconds / iterations, iterations,
                    batch <= 0 ? "full" : String.valueOf(batch), fused ? "fused" : "standard", elbo.last());
        }
    }

    /** The 784-400-400-10 ReLU network on one minibatch of 128: {@code iterations} steps, timed as a whole. */
    private static void large(int iterations, int repeat, boolean plain) {
        DataSet batch = Benchmarks.mnistLikeBatch(128, 3);
        for (int r = 0; r < repeat; r++) {
            MultiLayerNetwork net = Benchmarks.mlp(!plain);
            long start = System.nanoTime();
            if (plain) {
                for (int i = 0; i < iterations; i++) {
                    net.fit(batch);
                }
            } else {
                Advi.builder().datasetSize(60_000).iterations(iterations).printEvery(0).build().fit(net, batch);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "fit: %.3f s, %.4f ms per iteration, %d iterations, 784-400-400-10, batch "
                    + "128, %s%n", seconds, 1000 * seconds / iterations, iterations, plain ? "plain DL4J" : "Bayesian");
        }
    }
}
