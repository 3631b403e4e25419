package io.github.dl4jbayes.bench;

import io.github.dl4jbayes.examples.Nd4jSettings;
import io.github.dl4jbayes.examples.Options;

import java.util.Arrays;

/**
 * The benchmark runner's entry point: {@code java -jar bench/target/dl4j-bayes-bench.jar [options]} prints the
 * benchmark table of docs/performance.md ({@link Benchmarks}); {@code ... timefit [options]} times the notebook's
 * workload as a user runs it ({@link TimedFit}, which the table's row 10 runs in fresh JVMs). Both take
 * {@code --threads N}, as the examples do.
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && ("help".equals(args[0]) || "--help".equals(args[0]))) {
            System.out.println("dl4j-bayes benchmarks. Usage: java -jar bench/target/dl4j-bayes-bench.jar [options]");
            System.out.println("  (no command)  The benchmark table: step time Bayesian vs plain DL4J (seed net,");
            System.out.println("              784-400-400-10, CNNs, LSTM), predictive throughput, time to 94% on moons,");
            System.out.println("              memory over many steps.");
            System.out.println("              " + Benchmarks.OPTIONS);
            System.out.println("  timefit     The notebook's workload timed as a user runs it: Advi.fit of the seed network");
            System.out.println("              on the notebook's data (run in a fresh JVM for the cold figure).");
            System.out.println("              " + TimedFit.OPTIONS);
            System.out.println("Both also take --threads N (ND4J's OpenMP and BLAS threads, as the examples).");
            return;
        }
        // before anything touches ND4J, as the examples runner does
        Nd4jSettings.chooseNativeBuild();
        if (args.length > 0 && "timefit".equals(args[0])) {
            TimedFit.run(Options.parse(Nd4jSettings.applyThreadsOption(Arrays.copyOfRange(args, 1, args.length))));
        } else {
            Benchmarks.run(Options.parse(Nd4jSettings.applyThreadsOption(args)));
        }
    }
}
