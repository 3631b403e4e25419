package io.github.dl4jbayes.examples;

import java.util.Arrays;
import java.util.Locale;

/**
 * The Spark examples runner: {@code java -jar dl4j-bayes-spark-examples.jar spark-moons [options]}, or the same jar
 * through {@code spark-submit --class io.github.dl4jbayes.examples.SparkExamples ...}.
 */
public final class SparkExamples {
    private SparkExamples() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || "help".equals(args[0]) || "--help".equals(args[0])) {
            System.out.println("Usage: java -jar dl4j-bayes-spark-examples.jar spark-moons [options]");
            System.out.println("  spark-moons  the notebook's moons with distributed ADVI and predictive. "
                    + SparkMoonsExample.OPTIONS);
            return;
        }
        switch (args[0].toLowerCase(Locale.ROOT)) {
            case "spark-moons":
                SparkMoonsExample.run(Options.parse(Arrays.copyOfRange(args, 1, args.length)));
                break;
            default:
                System.err.println("Unknown example '" + args[0] + "' (spark-moons)");
                System.exit(2);
        }
    }
}
