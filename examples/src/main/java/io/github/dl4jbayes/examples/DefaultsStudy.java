package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.metrics.ClassificationMetrics;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.training.Advi;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Arrays;
import java.util.Locale;

/**
 * The defaults study (issue 14): the README quick start's network (the notebook's 2-5-5-1 tanh net, Normal(0, 1)
 * priors, Adam 0.01, nothing else set) trained with {@code Advi} on the notebook's data over many seeds, with the
 * library's defaults or with one setting changed ({@code --variant}): how often does a user land in the poor, near-linear
 * optimum? Prints accuracy and predictive NLL per seed and the count of seeds reaching 94 %.
 * <p>
 * Variants: {@code defaults}; {@code warmup=K} (KL warm-up over K steps, 0 for none); {@code std=S} (initial
 * posterior std); {@code init=NAME} (a DL4J {@code WeightInit} for the means, set on each layer);
 * {@code normalInit} (means from N(0, 1), as the notebook); {@code lr=R}; several joined by commas. The library's
 * defaults before the study are {@code init=XAVIER,warmup=0}.
 */
final class DefaultsStudy {
    static final String OPTIONS = "Options: --seeds N (20) --firstSeed S (0) --iterations N (10000) --batch B (0 = full batch) "
            + "--variant defaults|warmup=K|std=S|init=NAME|normalInit|lr=R, joined by commas (defaults) --samples P (500)";

    private DefaultsStudy() {
    }

    static int run(Options o) {
        int seeds = o.integer("seeds", 20);
        int iterations = o.integer("iterations", 10_000);
        int batch = o.integer("batch", 0);
        int samples = o.integer("samples", 500);
        String variant = o.string("variant", "defaults");
        MoonsData data = MoonsData.notebook();
        int reached = 0;
        double[] accuracies = new double[seeds];
        System.out.printf(Locale.ROOT, "Defaults study: variant %s, %d iterations, %s, %d seeds%n", variant, iterations,
                batch > 0 ? "minibatches of " + batch : "full batch", seeds);
        int first = o.integer("firstSeed", 0);
        for (int seed = first; seed < first + seeds; seed++) {
            MultiLayerNetwork net = network(variant, seed);
            Advi.Builder advi = Advi.builder().datasetSize(data.train().numExamples()).iterations(iterations)
                    .printEvery(0);
            String warmup = setting(variant, "warmup=");
            if (warmup != null) {
                advi.klAnnealingIterations(Integer.parseInt(warmup));
            }
            long start = System.nanoTime();
            if (batch > 0) {
                advi.build().fit(net, data.train(), batch);
            } else {
                advi.build().fit(net, data.train());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            INDArray p = PosteriorPredictive.of(net).samples(samples).predict(data.test().getFeatures()).mean();
            ClassificationMetrics m = ClassificationMetrics.of(p, data.test().getLabels());
            accuracies[seed - first] = m.accuracy();
            if (m.accuracy() >= 0.94) {
                reached++;
            }
            System.out.printf(Locale.ROOT, "seed %2d: accuracy %.1f%%, NLL %.3f (%.1f s)%n", seed, 100 * m.accuracy(),
                    m.negativeLogLikelihood(), seconds);
        }
        Arrays.sort(accuracies);
        System.out.printf(Locale.ROOT, "variant %s: %d of %d seeds >= 94%%; accuracy min %.1f%%, median %.1f%%%n",
                variant, reached, seeds, 100 * accuracies[0], 100 * accuracies[seeds / 2]);
        return reached;
    }

    /** The tabular examples' study options, for the defaults study on tables: what {@link #tabular} reads. */
    static final String TABULAR_OPTIONS = "--init NAME (a DL4J WeightInit for the means, on each layer) --warmup K "
            + "(KL warm-up steps, 0 for none) --std S (initial posterior std)";

    /** Applies {@code --init} and {@code --std} to a Bayesian layer builder of a tabular example. */
    static <B extends org.deeplearning4j.nn.conf.layers.BaseLayer.Builder<B> & io.github.dl4jbayes.layers.BayesianBuilder<B>>
    B tabular(Options o, B layer) {
        if (o.has("init")) {
            layer.weightInit(WeightInit.valueOf(o.string("init", "")));
        }
        if (o.has("std")) {
            layer.initialPosteriorStd(o.number("std", 0.05));
        }
        return layer;
    }

    /** Applies {@code --warmup} to a tabular example's {@code Advi} builder. */
    static Advi.Builder tabular(Options o, Advi.Builder advi) {
        return o.has("warmup") ? advi.klAnnealingIterations(o.integer("warmup", 0)) : advi;
    }

    /** @return the value of {@code name} in a comma-separated variant ("" for a flag), or null where absent */
    private static String setting(String variant, String name) {
        for (String part : variant.split(",")) {
            if (part.startsWith(name)) {
                return part.substring(name.length());
            }
        }
        return null;
    }

    /** The README quick start's network, with the variant's one change. */
    static MultiLayerNetwork network(String variant, long seed) {
        String rate = setting(variant, "lr=");
        double lr = rate != null ? Double.parseDouble(rate) : 0.01;
        NeuralNetConfiguration.Builder conf = new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(lr));
        BayesianDenseLayer.Builder h1 = new BayesianDenseLayer.Builder().nIn(2).nOut(5).activation(Activation.TANH)
                .prior(new GaussianPrior(0, 1));
        BayesianDenseLayer.Builder h2 = new BayesianDenseLayer.Builder().nIn(5).nOut(5).activation(Activation.TANH);
        BayesianOutputLayer.Builder out = new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(5).nOut(1)
                .activation(Activation.SIGMOID);
        // an initialization named in the variant is set on each layer (where the library honours it as given)
        String init = setting(variant, "init=");
        IWeightInit means = setting(variant, "normalInit") != null ? new WeightInitDistribution(new NormalDistribution(0, 1))
                : init != null ? WeightInit.valueOf(init).getWeightInitFunction() : null;
        if (means != null) {
            h1.weightInit(means);
            h2.weightInit(means);
            out.weightInit(means);
        }
        String initialStd = setting(variant, "std=");
        if (initialStd != null) {
            double std = Double.parseDouble(initialStd);
            h1.initialPosteriorStd(std);
            h2.initialPosteriorStd(std);
            out.initialPosteriorStd(std);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf.list().layer(h1.build()).layer(h2.build())
                .layer(out.build()).build());
        net.init();
        return net;
    }
}
