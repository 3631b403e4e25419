package io.github.dl4jbayes.examples;

import java.util.Locale;

/**
 * The examples runner: {@code java -jar dl4j-bayes-examples.jar} lists the examples,
 * {@code java -jar dl4j-bayes-examples.jar moons --out DIR} runs one.
 */
public final class Examples {
    private Examples() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || "help".equals(args[0]) || "--help".equals(args[0])) {
            usage();
            return;
        }
        // before anything touches ND4J: the AVX2 natives where the CPU runs them (the build ships them beside the
        // generic ones on x86-64), the generic ones elsewhere
        Nd4jSettings.chooseNativeBuild();
        String[] rest = Nd4jSettings.applyThreadsOption(java.util.Arrays.copyOfRange(args, 1, args.length));
        switch (args[0].toLowerCase(Locale.ROOT)) {
            case "moons":
                MoonsExample.main(rest);
                break;
            case "regression1d":
                Regression1dExample.run(Options.parse(rest));
                break;
            case "regression":
                TabularRegressionExample.run(Options.parse(rest));
                break;
            case "classification":
                TabularClassificationExample.run(Options.parse(rest));
                break;
            case "fashion":
                FashionExample.run(Options.parse(rest));
                break;
            case "priors":
                PriorsExample.run(Options.parse(rest));
                break;
            case "transfer":
                TransferExample.run(Options.parse(rest));
                break;
            case "hierarchical":
                HierarchicalExample.run(Options.parse(rest));
                break;
            case "active":
                ActiveExample.run(Options.parse(rest));
                break;
            case "forecast":
                ForecastExample.run(Options.parse(rest));
                break;
            case "compare":
                CompareExample.main(rest);
                break;
            case "defaults":
                DefaultsStudy.run(Options.parse(rest));
                break;
            default:
                System.err.println("Unknown example '" + args[0] + "'.");
                usage();
                System.exit(2);
        }
    }

    private static void usage() {
        System.out.println("dl4j-bayes examples. Usage: java -jar dl4j-bayes-examples.jar <example> [options]");
        System.out.println("Every example also takes --threads N: ND4J's OpenMP and BLAS threads (default: 1 on");
        System.out.println("machines with at most 2 cores unless OMP_NUM_THREADS is set, else ND4J's default).");
        System.out.println("Large FLOAT Bayesian layers use a SIMD kernel when Java starts with --add-modules");
        System.out.println("jdk.incubator.vector (java --add-modules jdk.incubator.vector -jar dl4j-bayes-examples.jar ...).");
        System.out.println();
        System.out.println("  moons       The PyMC3 'Bayesian Deep Learning' notebook: a Bayesian 2-5-5-1 network on");
        System.out.println("              two moons, full-batch and minibatch ADVI, posterior predictive, pictures.");
        System.out.println("              " + MoonsExample.OPTIONS);
        System.out.println("  regression1d  1-D heteroscedastic regression with the Gaussian likelihood: predictive");
        System.out.println("              mean, aleatoric and total bands, RMSE / log-likelihood / coverage.");
        System.out.println("              " + Regression1dExample.OPTIONS);
        System.out.println("  regression  Bayesian regression on your CSV table (numeric columns, one the target).");
        System.out.println("              " + TabularRegressionExample.OPTIONS);
        System.out.println("  classification  Bayesian classification on your CSV table (numeric, classes 0..K-1):");
        System.out.println("              DataVec, normalizer, early stopping, DL4J's evaluation of the predictive.");
        System.out.println("              " + TabularClassificationExample.OPTIONS);
        System.out.println("  fashion     Fashion-MNIST, ten classes: a plain and a Bayesian CNN (small or LeNet-5), early-");
        System.out.println("              stopped; accuracy, NLL, calibration, rotated images, held-out classes (AUROC),");
        System.out.println("              the plain CNN made Bayesian (--convert-epochs).");
        System.out.println("              " + FashionExample.OPTIONS);
        System.out.println("  priors      The seed network on two moons under Gaussian, scale-mixture, Laplace and learned-");
        System.out.println("              scale priors: accuracy, NLL, ELBO, weight means; then pruning by |mu| / sigma.");
        System.out.println("              " + PriorsExample.OPTIONS);
        System.out.println("  transfer    Transfer learning with informed priors: a plain net trained on moons, then a");
        System.out.println("              rotated-moons target with few labels: N(0, 1) priors vs informed priors vs");
        System.out.println("              fine-tuning, learning curves of accuracy and NLL.");
        System.out.println("              " + TransferExample.OPTIONS);
        System.out.println("  hierarchical  18 groups of rotated moons: a pooled network, 18 separate networks and the");
        System.out.println("              hierarchical network; accuracy, NLL, decision surfaces, the learned tau.");
        System.out.println("              " + HierarchicalExample.OPTIONS);
        System.out.println("  active      Active learning on the notebook's moons (and Fashion-MNIST with --data DIR):");
        System.out.println("              BALD, entropy and random acquisition, labels needed to reach a target accuracy.");
        System.out.println("              " + ActiveExample.OPTIONS);
        System.out.println("  compare     Plain network, Bayes by backprop, MC dropout, a deep ensemble and a last-layer");
        System.out.println("              Laplace approximation on the same splits: moons (surfaces side by side) or a");
        System.out.println("              CSV table; accuracy, NLL, ECE or RMSE, log-likelihood, coverage; times.");
        System.out.println("              " + CompareExample.OPTIONS);
        System.out.println("  forecast    Yearly sunspots (1700-2008, shipped): a Bayesian LSTM against DL4J's LSTM and the");
        System.out.println("              seasonal-naive forecast; 1- and 12-step RMSE, log-likelihood, 80/95% coverage,");
        System.out.println("              a picture of the test years with the predictive bands.");
        System.out.println("              " + ForecastExample.OPTIONS);
        System.out.println("  defaults    The defaults study: the quick start's network over many seeds (" + DefaultsStudy.OPTIONS + ")");
        System.out.println();
        System.out.println("The benchmark runner is its own module: java -jar bench/target/dl4j-bayes-bench.jar --help");
    }
}
