package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.metrics.ClassificationMetrics;
import io.github.dl4jbayes.plot.Plots;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.layers.InformedPriors;
import io.github.dl4jbayes.training.Advi;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Transfer learning with informed priors. Source task: two moons, 1,000 labelled points; a plain DL4J 2-16-16-1 tanh
 * network is trained on it. Target task: two moons rotated by an angle (30 degrees by default), with only a few
 * labelled points. On the target, at several sizes, three learners: (a) a Bayesian network of the same architecture
 * with N(0, 1) priors, (b) the source network turned Bayesian with priors centred at its weights
 * ({@link InformedPriors}), both fitted with ADVI, and (c) the plain source network fine-tuned; the source network as it
 * is for reference. Test accuracy and NLL on 1,000 target points, averaged over several draws of the labelled subset,
 * as learning curves.
 */
public final class TransferExample {
    static final String OPTIONS = "Options: --out DIR (transfer-output) --angle DEG (30) --sizes 10,20,50,100,200,500 "
            + "--repeats R (3) --iterations N (3000) --finetune-iterations F (300) --prior-std S (0.5) --hidden H (16) "
            + "--ppc-samples P (200) --seed S (0)";
    static final List<String> METHODS = List.of("Bayesian, N(0, 1) priors", "Bayesian, informed priors (source net)",
            "plain source net, fine-tuned", "plain source net, not trained on the target");

    private TransferExample() {
    }

    /** Per method, per size: mean test accuracy and NLL over the repeats. */
    record Result(int[] sizes, double[][] accuracy, double[][] nll, double sourceAccuracy, List<Path> pictures) {
    }

    static Result run(Options o) {
        System.setProperty("java.awt.headless", "true");
        Path out = Path.of(o.string("out", "transfer-output")).toAbsolutePath();
        double angle = Math.toRadians(o.number("angle", 30));
        int[] sizes = Arrays.stream(o.string("sizes", "10,20,50,100,200,500").split(",")).mapToInt(s ->
                Integer.parseInt(s.trim())).toArray();
        int repeats = o.integer("repeats", 3);
        int iterations = o.integer("iterations", 3000);
        int finetune = o.integer("finetune-iterations", 300);
        double priorStd = o.number("prior-std", 0.5);
        int hidden = o.integer("hidden", 16);
        int ppcSamples = o.integer("ppc-samples", 200);
        long seed = o.integer("seed", 0);
        if (repeats < 1 || sizes.length == 0) {
            throw new IllegalArgumentException("--repeats must be >= 1 and --sizes non-empty");
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        // source: moons, a plain network trained on 1,000 points
        MoonsData sourceData = MoonsData.generate(2000, 0.2, seed);
        MultiLayerNetwork source = network(false, hidden, seed);
        for (int i = 0; i < 2000; i++) {
            source.fit(sourceData.train());
        }
        // target: moons rotated by the angle; a pool of 1,000 points to draw the labelled ones from, 1,000 to test
        MoonsData targetData = MoonsData.generate(2000, 0.2, seed + 1);
        DataSet pool = MoonsData.rotate(targetData.train(), angle);
        DataSet test = MoonsData.rotate(targetData.test(), angle);
        double sourceOnSource = ClassificationMetrics.of(source.output(sourceData.test().getFeatures()),
                sourceData.test().getLabels()).accuracy();
        ClassificationMetrics sourceOnTarget = ClassificationMetrics.of(source.output(test.getFeatures()), test.getLabels());
        System.out.printf(Locale.ROOT, "Source: plain 2-%d-%d-1 network, %.1f%% on source test points; on the target "
                        + "(rotated %.0f degrees) as it is: %.1f%%, NLL %.3f%n%n", hidden, hidden, 100 * sourceOnSource,
                Math.toDegrees(angle), 100 * sourceOnTarget.accuracy(), sourceOnTarget.negativeLogLikelihood());

        double[][] accuracy = new double[METHODS.size()][sizes.length];
        double[][] nll = new double[METHODS.size()][sizes.length];
        System.out.printf(Locale.ROOT, "%-8s", "labels");
        for (int m = 0; m < 3; m++) {
            System.out.printf(Locale.ROOT, " %-40s", METHODS.get(m) + ": acc, NLL");
        }
        System.out.println();
        Random random = new Random(seed + 2);
        for (int s = 0; s < sizes.length; s++) {
            int n = sizes[s];
            if (n < 2 || n > pool.numExamples()) {
                throw new IllegalArgumentException("target sizes must be in [2, " + pool.numExamples() + "], got " + n);
            }
            for (int r = 0; r < repeats; r++) {
                DataSet labelled = subset(pool, n, random);
                long runSeed = seed + 1000L * s + r;
                MultiLayerNetwork[] nets = {
                        network(true, hidden, runSeed),
                        InformedPriors.builder().priorStd(priorStd).initialPosteriorStd(0.01).build().convert(source),
                        source.clone()};
                for (int m = 0; m < 2; m++) {
                    Advi.builder().datasetSize(n).iterations(iterations).printEvery(0)
                            .klAnnealingIterations(iterations / 5).build().fit(nets[m], labelled);
                }
                for (int i = 0; i < finetune; i++) {
                    nets[2].fit(labelled);
                }
                for (int m = 0; m < 3; m++) {
                    INDArray p = m < 2 ? PosteriorPredictive.of(nets[m]).samples(ppcSamples).keepSamples(false)
                            .predict(test.getFeatures()).mean() : nets[m].output(test.getFeatures());
                    ClassificationMetrics metrics = ClassificationMetrics.of(p, test.getLabels());
                    accuracy[m][s] += metrics.accuracy() / repeats;
                    nll[m][s] += metrics.negativeLogLikelihood() / repeats;
                }
            }
            accuracy[3][s] = sourceOnTarget.accuracy();
            nll[3][s] = sourceOnTarget.negativeLogLikelihood();
            System.out.printf(Locale.ROOT, "%-8d", n);
            for (int m = 0; m < 3; m++) {
                System.out.printf(Locale.ROOT, " %5.1f%%, %-32.3f", 100 * accuracy[m][s], nll[m][s]);
            }
            System.out.println();
        }

        List<double[]> xs = new ArrayList<>();
        List<double[]> accuracies = new ArrayList<>();
        List<double[]> nlls = new ArrayList<>();
        for (int m = 0; m < METHODS.size(); m++) {
            xs.add(Arrays.stream(sizes).asDoubleStream().toArray());
            accuracies.add(Arrays.stream(accuracy[m]).map(a -> 100 * a).toArray());
            nlls.add(nll[m]);
        }
        String subtitle = String.format(Locale.ROOT, " (target: moons rotated %.0f degrees; mean of %d draws)",
                Math.toDegrees(angle), repeats);
        List<Path> pictures = List.of(Plots.saveSideBySide(List.of(
                Plots.curves("Test accuracy" + subtitle, "labelled target examples", "accuracy (%)", METHODS, xs,
                        accuracies, true),
                Plots.curves("Test NLL" + subtitle, "labelled target examples", "NLL", METHODS, xs, nlls, true)),
                out, "transfer"));
        writeCsv(out.resolve("transfer.csv"), sizes, accuracy, nll);
        System.out.println("\nPicture and table written to " + out);
        return new Result(sizes, accuracy, nll, sourceOnTarget.accuracy(), pictures);
    }

    /** The plain or Bayesian 2-h-h-1 tanh classifier with biases (Bayesian: N(0, 1) priors). */
    static MultiLayerNetwork network(boolean bayesian, int hidden, long seed) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT)
                .updater(new Adam(0.01)).list();
        if (bayesian) {
            GaussianPrior prior = GaussianPrior.standardNormal();
            list.layer(new BayesianDenseLayer.Builder().nIn(2).nOut(hidden).activation(Activation.TANH).prior(prior).build())
                    .layer(new BayesianDenseLayer.Builder().nIn(hidden).nOut(hidden).activation(Activation.TANH)
                            .prior(prior).build())
                    .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(hidden).nOut(1)
                            .activation(Activation.SIGMOID).prior(prior).build());
        } else {
            list.layer(new DenseLayer.Builder().nIn(2).nOut(hidden).activation(Activation.TANH).build())
                    .layer(new DenseLayer.Builder().nIn(hidden).nOut(hidden).activation(Activation.TANH).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(hidden).nOut(1)
                            .activation(Activation.SIGMOID).build());
        }
        MultiLayerConfiguration conf = list.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static DataSet subset(DataSet data, int n, Random random) {
        int[] order = io.github.dl4jbayes.training.Shuffle.permutation(data.numExamples(), random);
        int[] pick = Arrays.copyOf(order, n);
        return Minibatches.rows(data, pick);
    }

    private static void writeCsv(Path file, int[] sizes, double[][] accuracy, double[][] nll) {
        StringBuilder sb = new StringBuilder("method,labelled,accuracy,nll\n");
        for (int m = 0; m < METHODS.size(); m++) {
            for (int s = 0; s < sizes.length; s++) {
                sb.append(String.format(Locale.ROOT, "\"%s\",%d,%.4f,%.4f%n", METHODS.get(m), sizes[s], accuracy[m][s],
                        nll[m][s]));
            }
        }
        try {
            Files.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
