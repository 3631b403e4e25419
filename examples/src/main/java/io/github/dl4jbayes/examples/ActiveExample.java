package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.active.Acquisition;
import io.github.dl4jbayes.active.ActiveLearning;
import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.layers.Estimator;
import io.github.dl4jbayes.training.Advi;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Active learning, the notebook's last idea ("train the model specifically on samples it is most uncertain about"):
 * starting from a few labelled points, each round the Bayesian network is trained on what is labelled, the unlabelled
 * pool is scored by an acquisition function of its posterior predictive (BALD, maximum entropy, or random as the
 * baseline), and the best points are labelled. On the notebook's moons (10 labelled to start, 5 more per round up to
 * 150) and, with {@code --data DIR}, on a Fashion-MNIST subset (100 to start, 100 per round up to 1,000, a
 * 784-100-10 MLP with a Bayesian output layer). Several seeds per method; the labels each method needs to reach a
 * target accuracy, and the mean learning curves as PNG.
 */
public final class ActiveExample {
    static final String OPTIONS = "Options: --out DIR (active-output) --methods bald,entropy,random --seeds K (5) "
            + "--start N (10) --acquire K (5) --budget B (150) --iterations I (2000) --target A (0.94) "
            + "--moons-data FILE.csv|notebook|generated (notebook) --ppc-samples P (100); with --data DIR (Fashion-MNIST): "
            + "--fashion-start (100) --fashion-acquire (100) --fashion-budget (1000) --fashion-iterations (1500) "
            + "--fashion-pool (10000) --fashion-target (0.80) --fashion-model last|full (last: a plain ReLU hidden layer "
            + "under a Bayesian output layer; full: both layers Bayesian) --fashion-init NAME (XAVIER: the weights' or "
            + "means' init on each layer, the one the user guide's figures were measured with)";

    private ActiveExample() {
    }

    /** Per method, the rounds of every seed. */
    record Task(String name, List<Acquisition> methods, List<List<ActiveLearning.Result>> runs, double target,
                Path picture) {
    }

    static List<Task> run(Options o) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path out = Path.of(o.string("out", "active-output")).toAbsolutePath();
        Files.createDirectories(out);
        List<Acquisition> methods = new ArrayList<>();
        for (String m : o.string("methods", "bald,entropy,random").split(",")) {
            methods.add(Acquisition.valueOf(m.trim().toUpperCase(Locale.ROOT)));
        }
        int seeds = o.integer("seeds", 5);
        int samples = o.integer("ppc-samples", 100);
        List<Task> tasks = new ArrayList<>();

        MoonsData moons = MoonsData.load(o.string("moons-data", "notebook"), 0);
        int iterations = o.integer("iterations", 2000);
        tasks.add(runTask("moons", moons.train(), moons.test(), methods, seeds, o.integer("start", 10),
                o.integer("acquire", 5), o.integer("budget", 150), o.number("target", 0.94), samples,
                seed -> () -> NotebookNetwork.build(true, false, 0.01, seed),
                (net, data) -> Advi.builder().datasetSize(data.numExamples()).iterations(iterations).printEvery(0)
                        .klAnnealingIterations(iterations / 5).build().fit(net, data), out));

        if (o.has("data")) {
            FashionMnist fashion = FashionMnist.load(Path.of(o.string("data", "")), List.of(),
                    o.integer("fashion-pool", 10_000), 2000);
            int fashionIterations = o.integer("fashion-iterations", 1500);
            tasks.add(runTask("fashion", fashion.train(), fashion.test(), methods, seeds, o.integer("fashion-start", 100),
                    o.integer("fashion-acquire", 100), o.integer("fashion-budget", 1000),
                    o.number("fashion-target", 0.80), samples,
                    seed -> fashionMlp(seed, fashionModel(o.string("fashion-model", "last")),
                            WeightInit.valueOf(o.string("fashion-init", "XAVIER"))),
                    (net, data) -> Advi.builder().datasetSize(data.numExamples()).iterations(fashionIterations)
                            .printEvery(0).klAnnealingIterations(fashionIterations / 5).build()
                            .fit(net, data, Math.min(100, data.numExamples())), out));
        }
        System.out.println("\nPictures and tables written to " + out);
        return tasks;
    }

    /** @return whether {@code --fashion-model} asks for the fully Bayesian MLP ({@code full}) or the last-layer one */
    static boolean fashionModel(String name) {
        switch (name) {
            case "last":
                return false;
            case "full":
                return true;
            default:
                throw new IllegalArgumentException("--fashion-model must be last or full, got " + name);
        }
    }

    /**
     * The 784-100-10 ReLU MLP for the Fashion-MNIST subset, its output layer Bayesian (local reparameterization,
     * N(0, 1) prior) and its hidden layer plain DL4J ({@code fullyBayesian} false) or Bayesian as well; weights or
     * means initialized by {@code init} on each layer. With at most 1,000 labelled images the fully Bayesian MLP's
     * N(0, 1) priors on 78,500 first-layer weights keep it underfitting (67-73 % at 1,000 labels, against 80-81 % for
     * the last-layer model: docs/user-guide.md); the last-layer model fits the data and keeps a posterior over its
     * output weights to score the pool with.
     */
    static Supplier<MultiLayerNetwork> fashionMlp(long seed, boolean fullyBayesian, WeightInit init) {
        return () -> {
            NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(seed)
                    .dataType(DataType.FLOAT).updater(new Adam(0.003)).list();
            if (fullyBayesian) {
                list.layer(new BayesianDenseLayer.Builder().nIn(784).nOut(100).activation(Activation.RELU)
                        .weightInit(init).estimator(Estimator.LOCAL_REPARAMETERIZATION).build());
            } else {
                list.layer(new DenseLayer.Builder().nIn(784).nOut(100).activation(Activation.RELU).weightInit(init)
                        .build());
            }
            MultiLayerNetwork net = new MultiLayerNetwork(list
                    .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(100).nOut(10)
                            .activation(Activation.SOFTMAX).weightInit(init)
                            .estimator(Estimator.LOCAL_REPARAMETERIZATION).build())
                    .build());
            net.init();
            return net;
        };
    }

    /** The models of one seed. */
    interface Models {
        Supplier<MultiLayerNetwork> forSeed(long seed);
    }

    private static Task runTask(String name, DataSet train, DataSet test, List<Acquisition> methods, int seeds, int start,
                                int acquire, int budget, double target, int samples, Models models,
                                ActiveLearning.Trainer trainer, Path out) {
        System.out.printf(Locale.ROOT, "%n%s: pool of %d, test %d; start with %d labelled, acquire %d per round up to %d; "
                + "%d seeds%n", name, train.numExamples(), test.numExamples(), start, acquire, budget, seeds);
        List<List<ActiveLearning.Result>> runs = new ArrayList<>();
        for (Acquisition method : methods) {
            List<ActiveLearning.Result> results = new ArrayList<>();
            for (int s = 0; s < seeds; s++) {
                int[] initial = balancedStart(train.getLabels(), start, new SplittableRandom(100 + s));
                boolean[] isInitial = new boolean[train.numExamples()];
                for (int i : initial) {
                    isInitial[i] = true;
                }
                int[] poolRows = java.util.stream.IntStream.range(0, train.numExamples()).filter(i -> !isInitial[i]).toArray();
                DataSet pool = Minibatches.rows(train, poolRows);
                ActiveLearning.Result r = ActiveLearning.builder().model(models.forSeed(s)).trainer(trainer)
                        .acquisition(method).acquireEach(acquire).budget(budget).predictiveSamples(samples).test(test)
                        .seed(s).build()
                        .run(Minibatches.rows(train, initial), pool.getFeatures(),
                                indices -> Nd4j.pullRows(pool.getLabels(), 1, indices));
                results.add(r);
                r.writeCsv(out.resolve(String.format(Locale.ROOT, "%s_%s_seed%d.csv", name,
                        method.name().toLowerCase(Locale.ROOT), s)));
                System.out.printf(Locale.ROOT, "  %-8s seed %d: %.1f%% with %d labels; %s%n", method, s,
                        100 * r.rounds().get(r.rounds().size() - 1).accuracy(), budget,
                        r.labelsToReach(target) < 0 ? String.format(Locale.ROOT, "never reached %.0f%%", 100 * target)
                                : String.format(Locale.ROOT, "%.0f%% reached with %d labels", 100 * target,
                                r.labelsToReach(target)));
            }
            runs.add(results);
        }
        Path picture = ActiveReport.summary(name, methods, runs, target, budget, out);
        return new Task(name, methods, runs, target, picture);
    }

    /** {@code n} distinct rows, as evenly spread over the classes as {@code n} allows, drawn with {@code random}. */
    static int[] balancedStart(INDArray labels, int n, SplittableRandom random) {
        int rows = (int) labels.size(0);
        if (n < 1 || n >= rows) {
            throw new IllegalArgumentException("the initial labelled set must have 1 to " + (rows - 1) + " points, got " + n);
        }
        int classes = labels.size(1) == 1 ? 2 : (int) labels.size(1);
        int[] classOf = new int[rows];
        for (int i = 0; i < rows; i++) {
            classOf[i] = labels.size(1) == 1 ? (labels.getDouble(i, 0) > 0.5 ? 1 : 0) : labels.getRow(i).argMax().getInt(0);
        }
        List<int[]> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            final int cls = c;
            int[] members = java.util.stream.IntStream.range(0, rows).filter(i -> classOf[i] == cls).toArray();
            io.github.dl4jbayes.training.Shuffle.inPlace(members, random);
            byClass.add(members);
        }
        int[] out = new int[n];
        int k = 0;
        for (int round = 0; k < n; round++) {
            for (int[] members : byClass) {
                if (k < n && round < members.length) {
                    out[k++] = members[round];
                }
            }
        }
        Arrays.sort(out);
        return out;
    }
}
