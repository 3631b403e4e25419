package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.likelihoods.LossGaussianNll;
import io.github.dl4jbayes.training.Advi;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.SplitTestAndTrain;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The data sets of the {@code compare} example and how their networks look: the two moons, a CSV table
 * (classification or regression, the tabular examples' loaders) and Fashion-MNIST with LeNet-5.
 */
final class CompareProblems {
    private CompareProblems() {
    }

    /** How a problem's networks look: the plain one (with MC dropout's dropout when {@code drop > 0}) and the Bayesian one. */
    interface Architecture {
        MultiLayerConfiguration plain(long seed, double drop);

        MultiLayerNetwork bayesian(long seed);
    }

    /** Images only: held-out classes' test images (or null), the image size and the rotated test images' angle. */
    record Images(INDArray outOfDistribution, int height, int width, double rotation, int rotationLimit) {
    }

    /**
     * One data set split into training, validation and test parts, how its networks look and are trained: the plain
     * networks by DL4J's early stopping ({@code epochs}, {@code patience}), Bayes by backprop by {@code Advi} with
     * early stopping on the validation NLL every {@code adviEvery} steps.
     */
    record Problem(String name, DataSet train, DataSet validation, DataSet test, boolean regression,
                   double labelScale, Architecture architecture, int batch, int epochs, int patience,
                   int adviIterations, int adviEvery, int adviPatience, Images images) {
        List<String> columns() {
            List<String> c = new ArrayList<>(regression ? List.of("RMSE", "log-likelihood per point",
                    "90% coverage (%)") : List.of("accuracy (%)", "NLL", "ECE (10 bins)", "Brier"));
            if (images != null) {
                c.add(String.format(Locale.ROOT, "accuracy rotated %.0f deg (%%)", images.rotation()));
                c.add(String.format(Locale.ROOT, "NLL rotated %.0f deg", images.rotation()));
                c.add(String.format(Locale.ROOT, "ECE rotated %.0f deg", images.rotation()));
                if (images.outOfDistribution() != null) {
                    c.add("AUROC held-out classes (1 - max p)");
                }
            }
            return c;
        }
    }

    static Problem moonsProblem(Options o, long seed) {
        MoonsData data = MoonsData.generate(1000, 0.2, seed);
        SplitTestAndTrain parts = data.train().splitTestAndTrain(0.8);   // 400 train, 100 validation
        return new Problem("Two moons", parts.getTrain(), parts.getTest(), data.test(), false, 1.0,
                dense(2, new int[]{32, 32}, Activation.TANH, 1, false, 0.01, o.number("l2", 0)), 50,
                o.integer("epochs", 500), o.integer("patience", 20), o.integer("iterations", 10_000), 250, 8, null);
    }

    static Problem tableProblem(Options o, long seed) throws IOException {
        Path file = Path.of(o.string("table", ""));
        boolean regression = "regression".equals(o.string("task", "classification"));
        DataSet all;
        if (regression) {
            List<String> header = Arrays.asList(CsvTables.firstLine(file));
            int target = o.has("target") ? header.indexOf(o.string("target", "")) : header.size() - 1;
            all = TabularRegressionExample.load(file, target, o.string("target", ""));
        } else {
            all = TabularClassificationExample.load(file, o.integer("label", CsvTables.firstLine(file).length - 1));
        }
        CsvTables.Split split = CsvTables.split(all, seed, regression);
        double scale = regression ? split.normalizer().getLabelStd().getDouble(0) : 1.0;
        return new Problem(file.getFileName().toString(), split.train(), split.validation(), split.test(), regression,
                scale, dense((int) all.getFeatures().size(1), new int[]{32}, Activation.RELU,
                (int) all.getLabels().size(1), regression, regression ? 0.003 : 0.01, o.number("l2", 0)), 64,
                o.integer("epochs", 500), o.integer("patience", 20), o.integer("iterations", 10_000), 250, 8, null);
    }

    /** Fashion-MNIST with the image issue's LeNet-5 (plain and Bayesian, as the {@code fashion} example builds them). */
    static Problem imageProblem(Options o, long seed) throws IOException {
        String priorName = o.string("prior", "learned");
        FashionNetworks.prior(priorName);                                  // a bad name fails before the data load
        double[] posteriorStds = FashionNetworks.posteriorStds(o, "posterior-std");
        FashionMnist data = FashionMnist.load(Path.of(o.string("data", "")),
                FashionMnist.parseHoldout(o.string("holdout", "none")), o.integer("limit", 0),
                o.integer("test-limit", 0));
        DataSet[] split = Minibatches.validationSplit(data.train(), o.integer("validation", -1), seed);
        int batch = o.integer("batch", 256);
        int epochs = o.integer("epochs", 10);
        int perEpoch = (split[0].numExamples() + batch - 1) / batch;
        double lr = o.number("lr", 1e-3);
        Architecture lenet = new Architecture() {
            @Override
            public MultiLayerConfiguration plain(long s, double drop) {
                return FashionNetworks.lenet5Plain(data.height(), data.width(), data.classes(), 1000 + s, lr, 1 - drop);
            }

            @Override
            public MultiLayerNetwork bayesian(long s) {
                MultiLayerNetwork net = new MultiLayerNetwork(FashionNetworks.lenet5Bayesian(data.height(),
                        data.width(), data.classes(), s, lr, FashionNetworks.prior(priorName), posteriorStds[0],
                        posteriorStds[1]));
                net.init();
                return net;
            }
        };
        return new Problem("Fashion-MNIST (LeNet-5)", split[0], split[1], data.test(), false, 1.0, lenet, batch,
                epochs, o.integer("patience", 3), o.integer("iterations", epochs * perEpoch), perEpoch,
                o.integer("patience", 3), new Images(data.outOfDistribution(), data.height(), data.width(),
                o.number("rotation", 60), o.integer("rotation-limit", 2000)));
    }

    /**
     * Dense networks: {@code hidden} layers of {@code activation}; the output by the task (sigmoid with XENT for one
     * class column, softmax with MCXENT for several, identity with MSE for regression; the Bayesian network's
     * regression output learns one noise level). DL4J's dropout, for MC dropout, on the inputs of every layer after
     * the first. The plain networks get {@code 1000 + seed}: ND4J 1.0.0-M2.1 ignores a seed of 0, whose runs would
     * not repeat.
     */
    static Architecture dense(int inputs, int[] hidden, Activation activation, int outputs, boolean regression,
                              double learningRate, double l2) {
        return new Architecture() {
            @Override
            public MultiLayerConfiguration plain(long seed, double drop) {
                NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(1000 + seed)
                        .dataType(DataType.FLOAT).updater(new Adam(learningRate)).l2(l2).list();
                int in = inputs;
                for (int i = 0; i < hidden.length; i++) {
                    DenseLayer.Builder layer = new DenseLayer.Builder().nIn(in).nOut(hidden[i]).activation(activation);
                    if (drop > 0 && i > 0) {
                        layer.dropOut(1 - drop);      // DL4J's argument is the probability of keeping an activation
                    }
                    list.layer(layer.build());
                    in = hidden[i];
                }
                OutputLayer.Builder output = regression
                        ? new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                        : outputs == 1 ? new OutputLayer.Builder(LossFunctions.LossFunction.XENT)
                        .activation(Activation.SIGMOID)
                        : new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX);
                if (drop > 0) {
                    output.dropOut(1 - drop);
                }
                return list.layer(output.nIn(in).nOut(outputs).build()).build();
            }

            @Override
            public MultiLayerNetwork bayesian(long seed) {
                NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(seed)
                        .dataType(DataType.FLOAT).updater(new Adam(learningRate)).list();
                int in = inputs;
                for (int h : hidden) {
                    list.layer(new BayesianDenseLayer.Builder().nIn(in).nOut(h).activation(activation).build());
                    in = h;
                }
                BayesianOutputLayer.Builder output = regression
                        ? new BayesianOutputLayer.Builder(new LossGaussianNll(1e-3)).activation(Activation.IDENTITY)
                        .learnedNoise(1.0)
                        : outputs == 1 ? new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT)
                        .activation(Activation.SIGMOID)
                        : new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX);
                MultiLayerNetwork net = new MultiLayerNetwork(list.layer(output.nIn(in).nOut(outputs).build())
                        .build());
                net.init();
                return net;
            }
        };
    }
}
