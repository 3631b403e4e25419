package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.layers.BayesianConvolutionLayer;
import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.layers.Estimator;
import io.github.dl4jbayes.layers.InformedPriors;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.priors.LearnedScalePrior;
import io.github.dl4jbayes.priors.Prior;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The image networks of the {@code fashion} and {@code compare} examples, plain DL4J and Bayesian side by side: the
 * small two-convolution CNN ({@code --model small}) and the published mean-field LeNet-5 ({@code --model lenet5}),
 * and "make my trained CNN Bayesian" ({@link #convert}). Every builder takes the image size, so the networks follow
 * the data (at least 16 x 16).
 */
public final class FashionNetworks {
    private FashionNetworks() {
    }

    /** Channels of the two convolutions and width of the dense layer: small enough to train on two CPU cores. */
    static final int CONV1_CHANNELS = 8;
    static final int CONV2_CHANNELS = 16;
    static final int DENSE_UNITS = 128;

    /**
     * The plain network: conv 5x5 (8) - max pool 2x2 - conv 5x5 (16) - max pool 2x2 - dense 128 - softmax, ReLU,
     * Adam, categorical cross-entropy; input {@code InputType.convolutionalFlat(height, width, 1)}.
     */
    public static MultiLayerConfiguration plainCnn(int height, int width, int classes, long seed, double learningRate) {
        checkSize(height, width, classes);
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT)
                .updater(new Adam(learningRate)).list()
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(CONV1_CHANNELS).activation(Activation.RELU).build())
                .layer(maxPool())
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(CONV2_CHANNELS).activation(Activation.RELU).build())
                .layer(maxPool())
                .layer(new DenseLayer.Builder().nOut(DENSE_UNITS).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(height, width, 1))
                .build();
    }

    /** {@link #plainCnn(int, int, int, long, double)} with Adam 0.001. */
    public static MultiLayerConfiguration plainCnn(int height, int width, int classes, long seed) {
        return plainCnn(height, width, classes, seed, 1e-3);
    }

    /**
     * The Bayesian network: the same architecture as {@link #plainCnn}, every layer with weights Bayesian (mean-field
     * Gaussian, prior N(0, 1)) and trained with the Flipout estimator.
     */
    public static MultiLayerConfiguration bayesianCnn(int height, int width, int classes, long seed, double learningRate) {
        // Xavier means, set on each layer: the plain CNN's initialization, so that the comparison changes one thing,
        // and the one docs/fashion-mnist.md's figures were measured with
        return bayesianCnn(height, width, classes, seed, learningRate, WeightInit.XAVIER);
    }

    /** {@link #bayesianCnn(int, int, int, long, double)} with the means initialized by {@code means} on each layer. */
    public static MultiLayerConfiguration bayesianCnn(int height, int width, int classes, long seed, double learningRate,
                                               WeightInit means) {
        checkSize(height, width, classes);
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT)
                .updater(new Adam(learningRate)).list()
                .layer(new BayesianConvolutionLayer.Builder(5, 5).nOut(CONV1_CHANNELS).activation(Activation.RELU)
                        .weightInit(means).estimator(Estimator.FLIPOUT).build())
                .layer(maxPool())
                .layer(new BayesianConvolutionLayer.Builder(5, 5).nOut(CONV2_CHANNELS).activation(Activation.RELU)
                        .weightInit(means).estimator(Estimator.FLIPOUT).build())
                .layer(maxPool())
                .layer(new BayesianDenseLayer.Builder().nOut(DENSE_UNITS).activation(Activation.RELU)
                        .weightInit(means).estimator(Estimator.FLIPOUT).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                        .activation(Activation.SOFTMAX).weightInit(means).estimator(Estimator.FLIPOUT).build())
                .setInputType(InputType.convolutionalFlat(height, width, 1))
                .build();
    }

    /** {@link #bayesianCnn(int, int, int, long, double)} with Adam 0.001. */
    public static MultiLayerConfiguration bayesianCnn(int height, int width, int classes, long seed) {
        return bayesianCnn(height, width, classes, seed, 1e-3);
    }

    /** LeNet-5's posterior standard deviation at initialization, softplus(-7) (the published recipe's). */
    public static final double LENET5_INITIAL_POSTERIOR_STD = Math.log1p(Math.exp(-7));

    /**
     * LeNet-5 as uncertainty-baselines trains it on (Fashion-)MNIST, plain: conv 5x5 with 6, 16 and 120 filters (Same
     * padding, ReLU; 2x2 max pooling after the first two), dense 84 (ReLU), softmax; He-normal weights, Adam.
     */
    public static MultiLayerConfiguration lenet5Plain(int height, int width, int classes, long seed, double learningRate) {
        return lenet5Plain(height, width, classes, seed, learningRate, 1.0);
    }

    /**
     * {@link #lenet5Plain(int, int, int, long, double)} with DL4J's dropout on the inputs of the two dense layers
     * ({@code retain}, the probability of keeping an activation; 1: none), for MC dropout.
     */
    public static MultiLayerConfiguration lenet5Plain(int height, int width, int classes, long seed, double learningRate,
                                               double retain) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).weightInit(WeightInit.RELU).updater(new Adam(learningRate)).list();
        for (int filters : LENET5_FILTERS) {
            list.layer(new ConvolutionLayer.Builder(5, 5).nOut(filters).convolutionMode(ConvolutionMode.Same)
                    .activation(Activation.RELU).build());
            if (filters != LENET5_FILTERS[2]) {
                list.layer(maxPool());
            }
        }
        DenseLayer.Builder dense = new DenseLayer.Builder().nOut(84).activation(Activation.RELU);
        OutputLayer.Builder output = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                .activation(Activation.SOFTMAX);
        if (retain < 1) {
            dense.dropOut(retain);
            output.dropOut(retain);
        }
        return list.layer(dense.build()).layer(output.build())
                .setInputType(InputType.convolutionalFlat(height, width, 1))
                .build();
    }

    /**
     * The Bayesian LeNet-5 of the published mean-field recipe: {@link #lenet5Plain}'s architecture with Flipout
     * convolutions and local-reparameterization dense layers, a Gaussian prior whose scale is learned per layer
     * (empirical Bayes, {@link LearnedScalePrior#perLayer()}), posterior standard deviations starting at softplus(-7)
     * and He-normal means.
     */
    public static MultiLayerConfiguration lenet5Bayesian(int height, int width, int classes, long seed,
                                                  double learningRate) {
        return lenet5Bayesian(height, width, classes, seed, learningRate, LearnedScalePrior.perLayer());
    }

    /** {@link #lenet5Bayesian(int, int, int, long, double)} with {@code prior} on every layer instead. */
    public static MultiLayerConfiguration lenet5Bayesian(int height, int width, int classes, long seed, double learningRate,
                                                  Prior prior) {
        return lenet5Bayesian(height, width, classes, seed, learningRate, prior, LENET5_INITIAL_POSTERIOR_STD);
    }

    /**
     * {@link #lenet5Bayesian(int, int, int, long, double, Prior)} with every layer's posterior standard deviation
     * starting at {@code initialPosteriorStd} instead of softplus(-7).
     */
    public static MultiLayerConfiguration lenet5Bayesian(int height, int width, int classes, long seed, double learningRate,
                                                  Prior prior, double initialPosteriorStd) {
        return lenet5Bayesian(height, width, classes, seed, learningRate, prior, initialPosteriorStd,
                initialPosteriorStd);
    }

    /**
     * {@link #lenet5Bayesian(int, int, int, long, double, Prior)} with the three convolutions' posterior standard
     * deviations starting at {@code convolutionStd} and the two dense layers' at {@code denseStd}.
     */
    public static MultiLayerConfiguration lenet5Bayesian(int height, int width, int classes, long seed, double learningRate,
                                                  Prior prior, double convolutionStd, double denseStd) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).weightInit(WeightInit.RELU).updater(new Adam(learningRate)).list();
        for (int filters : LENET5_FILTERS) {
            list.layer(new BayesianConvolutionLayer.Builder(5, 5).nOut(filters).convolutionMode(ConvolutionMode.Same)
                    .activation(Activation.RELU).estimator(Estimator.FLIPOUT).prior(prior)
                    .initialPosteriorStd(convolutionStd).build());
            if (filters != LENET5_FILTERS[2]) {
                list.layer(maxPool());
            }
        }
        return list.layer(new BayesianDenseLayer.Builder().nOut(84).activation(Activation.RELU)
                        .estimator(Estimator.LOCAL_REPARAMETERIZATION).prior(prior)
                        .initialPosteriorStd(denseStd).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                        .activation(Activation.SOFTMAX).estimator(Estimator.LOCAL_REPARAMETERIZATION)
                        .prior(prior).initialPosteriorStd(denseStd).build())
                .setInputType(InputType.convolutionalFlat(height, width, 1))
                .build();
    }

    /** Filters of LeNet-5's three convolutions. */
    private static final int[] LENET5_FILTERS = {6, 16, 120};

    private static SubsamplingLayer maxPool() {
        return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build();
    }

    /** Two 5x5 convolutions without padding and two 2x2 poolings leave at least 1x1 from 16x16 on. */
    private static void checkSize(int height, int width, int classes) {
        if (height < 16 || width < 16) {
            throw new IllegalArgumentException("images must be at least 16 x 16 for two 5x5 convolutions and two 2x2 "
                    + "poolings, got " + height + " x " + width);
        }
        if (classes < 2) {
            throw new IllegalArgumentException("classes must be >= 2, got " + classes);
        }
    }

    /** The network a run trains: {@code small} (the two-convolution CNN) or {@code lenet5} (the anchor's LeNet-5). */
    enum Model {
        SMALL, LENET5;

        static Model parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--model must be small or lenet5, got " + text);
            }
        }

        MultiLayerConfiguration plain(int height, int width, int classes, long seed, double learningRate) {
            return this == LENET5 ? lenet5Plain(height, width, classes, seed, learningRate)
                    : plainCnn(height, width, classes, seed, learningRate);
        }

        MultiLayerConfiguration bayesian(int height, int width, int classes, long seed, double learningRate,
                                         WeightInit means, Prior prior, double[] posteriorStds) {
            return this == LENET5 ? lenet5Bayesian(height, width, classes, seed, learningRate, prior, posteriorStds[0],
                    posteriorStds[1])
                    : bayesianCnn(height, width, classes, seed, learningRate, means);
        }
    }

    /**
     * {@code --NAME S} (every Bayesian layer) or {@code --NAME C,D} (the convolutions' and the dense layers'), for
     * {@code --posterior-std} and {@code --convert-posterior-std}.
     *
     * @return {convolutions' std, dense layers' std}, the recipe's softplus(-7) for both when the option is absent
     * @throws IllegalArgumentException naming the option for anything but one or two finite numbers &gt; 0
     */
    static double[] posteriorStds(Options o, String name) {
        double[] stds = o.positiveNumbers(name, 2, LENET5_INITIAL_POSTERIOR_STD);
        return stds.length == 2 ? stds : new double[]{stds[0], stds[0]};
    }

    /** {@code --prior}: {@code learned} (a learned scale per layer) or {@code normal} (N(0, 1)), for LeNet-5. */
    static Prior prior(String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "learned":
                return LearnedScalePrior.perLayer();
            case "normal":
                return GaussianPrior.standardNormal();
            default:
                throw new IllegalArgumentException("--prior must be learned or normal, got " + name);
        }
    }

    /** Prior std of the converted CNN's weights relative to their trained magnitude (MOPED's delta). */
    static final double CONVERT_RELATIVE_PRIOR_STD = 0.1;

    /**
     * "Make my trained CNN Bayesian": the trained plain network turned into a Bayesian one with priors centred at its
     * weights (MOPED: prior std {@link #CONVERT_RELATIVE_PRIOR_STD} times each weight's magnitude, at least 1e-3),
     * Flipout, the convolutions' posterior std starting at {@code convolutionStd} and the dense and output layers' at
     * {@code denseStd}.
     */
    static MultiLayerNetwork convert(MultiLayerNetwork trained, double convolutionStd, double denseStd) {
        return InformedPriors.builder().relativePriorStd(CONVERT_RELATIVE_PRIOR_STD, 1e-3)
                .initialPosteriorStd(convolutionStd).denseInitialPosteriorStd(denseStd).estimator(Estimator.FLIPOUT)
                .build().convert(trained);
    }

    /** Where each {@code fashion} run saves its trained plain CNN, in its output folder. */
    static final String PLAIN_FILE = "plain_cnn.zip";

    /**
     * A plain CNN saved by an earlier run ({@code --plain-network FILE}), checked against the model and images of
     * this one (layers and parameter count), before anything trains.
     *
     * @throws IllegalArgumentException naming {@code --plain-network} if the file is missing or holds another network
     */
    static MultiLayerNetwork readPlain(Path file, Model model, int height, int width, int classes) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--plain-network " + file + ": no such file (a run's " + PLAIN_FILE
                    + ")");
        }
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true);
        MultiLayerNetwork expected = new MultiLayerNetwork(model.plain(height, width, classes, 0, 1e-3));
        expected.init();
        if (net.numParams() != expected.numParams() || net.getnLayers() != expected.getnLayers()) {
            throw new IllegalArgumentException("--plain-network " + file + ": a network of " + net.getnLayers()
                    + " layers and " + net.numParams() + " parameters, not the plain "
                    + model.name().toLowerCase(Locale.ROOT) + " CNN of these images (" + expected.getnLayers()
                    + " layers, " + expected.numParams() + " parameters)");
        }
        return net;
    }
}
