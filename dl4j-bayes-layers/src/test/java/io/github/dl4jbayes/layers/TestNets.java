package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.priors.GaussianPrior;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small real DL4J networks with Bayesian layers, and seeded data, shared by the tests. */
public final class TestNets {
    private TestNets() {
    }

    /** A 3-4-2 classifier: Bayesian tanh hidden layer, Bayesian softmax output. */
    public static MultiLayerConfiguration classifier(boolean hasBias, boolean miniBatch, DataType dataType, IUpdater updater) {
        return new NeuralNetConfiguration.Builder()
                .seed(42).dataType(dataType).updater(updater).miniBatch(miniBatch).weightInit(WeightInit.XAVIER)
                .list()
                .layer(new BayesianDenseLayer.Builder().nIn(3).nOut(4).activation(Activation.TANH).hasBias(hasBias)
                        .prior(new GaussianPrior(0.1, 0.8)).initialPosteriorStd(0.3).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(2)
                        .activation(Activation.SOFTMAX).hasBias(hasBias).prior(new GaussianPrior(0, 1.5))
                        .initialPosteriorStd(0.2).build())
                .build();
    }

    public static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** @return the network, initialized, its Bayesian layers on {@code policy} */
    public static MultiLayerNetwork init(MultiLayerConfiguration conf, KernelPolicy policy) {
        MultiLayerNetwork net = init(conf);
        BayesianNetworks.setKernelPolicy(net, policy);
        return net;
    }

    /**
     * The kernels the tests take by name: {@code java} the Java loops at every size, {@code nativeSoftplus} the Java
     * loops with ND4J's transcendental functions from the first parameter, {@code nd4j} the GPU's paths (ND4J
     * operations, ND4J's generator) on the CPU backend, {@code default} the defaults.
     */
    public static KernelPolicy kernel(String name) {
        KernelPolicy d = KernelPolicy.defaults();
        switch (name) {
            case "java":
                return d.withNativeThreshold(Integer.MAX_VALUE);
            case "nativeSoftplus":
                return d.withNativeThreshold(1);
            case "nd4j":
                return d.withNativeThreshold(1).withHostMemory(false);
            case "default":
                return d;
            default:
                throw new IllegalArgumentException("kernel " + name);
        }
    }

    /** One-hot labels for {@code rows} examples of {@code classes} classes, from a fixed seed. */
    public static INDArray oneHot(int rows, int classes, long seed, DataType dataType) {
        java.util.Random random = new java.util.Random(seed);
        INDArray labels = Nd4j.zeros(dataType, rows, classes);
        for (int i = 0; i < rows; i++) {
            labels.putScalar(i, random.nextInt(classes), 1.0);
        }
        return labels;
    }

    /**
     * Standard-normal data from a Java generator, independent of ND4J's global generator (which other code draws
     * from, and which ignores a seed of 0: after {@code Nd4j.getRandom().setSeed(0)} its draws differ from run to run).
     */
    public static INDArray randn(long seed, DataType dataType, int rows, int cols) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        double[][] values = new double[rows][cols];
        for (double[] row : values) {
            for (int j = 0; j < cols; j++) {
                row[j] = random.nextGaussian();
            }
        }
        return Nd4j.createFromArray(values).castTo(dataType);
    }

    /** @return the layer instance's posterior (the library's internal view of a Bayesian layer) */
    public static io.github.dl4jbayes.internal.meanfield.MeanFieldPosterior posterior(BayesianLayer layer) {
        return ((io.github.dl4jbayes.layers.impl.MeanFieldLayerImpl) layer).posterior();
    }
}
