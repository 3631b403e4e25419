package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.priors.GaussianPrior;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference gradient checks, in double precision with the noise frozen (weights, signs and per-example
 * noise all come from the layers' generators, re-seeded before every evaluation), of every layer type with every
 * estimator it accepts, with and without bias: dense and output layers, and convolutions with stride, padding,
 * dilation and each convolution mode. The checked gradient is the whole score's: likelihood and KL term.
 */
class EstimatorGradientCheckTest extends DoublePrecisionGradientCheck {

    static Stream<Arguments> denseCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Estimator e : Estimator.values()) {
            for (boolean bias : new boolean[]{true, false}) {
                cases.add(Arguments.of(e, bias));
            }
        }
        return cases.stream();
    }

    /** A 3-4-3 classifier whose dense and output layers both use the estimator. */
    @ParameterizedTest(name = "{0}, bias={1}")
    @MethodSource("denseCases")
    void denseAndOutput(Estimator estimator, boolean bias) {
        denseAndOutput(estimator, bias, KernelPolicy.defaults());
    }

    /** {@link #denseAndOutput(Estimator, boolean)} on the kernels of {@code policy}. */
    void denseAndOutput(Estimator estimator, boolean bias, KernelPolicy policy) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(5).dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .list()
                .layer(new BayesianDenseLayer.Builder().nIn(3).nOut(4).activation(Activation.TANH).hasBias(bias)
                        .estimator(estimator).prior(new GaussianPrior(0.1, 0.8)).initialPosteriorStd(0.3).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(3)
                        .activation(Activation.SOFTMAX).hasBias(bias).estimator(estimator)
                        .initialPosteriorStd(0.2).build())
                .build();
        MultiLayerNetwork net = TestNets.init(conf, policy);
        BayesianNetworks.setDatasetSize(net, 40);
        INDArray x = TestNets.randn(7, DataType.DOUBLE, 6, 3);
        INDArray y = TestNets.oneHot(6, 3, 11, DataType.DOUBLE);
        assertTrue(check(net, x, y), "gradient check failed");
    }

    static Stream<Arguments> convolutionCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Estimator e : new Estimator[]{Estimator.REPARAMETERIZATION, Estimator.FLIPOUT}) {
            // estimator, bias, kernel, stride, padding, dilation, mode
            cases.add(Arguments.of(e, true, 3, 1, 0, 1, ConvolutionMode.Truncate));
            cases.add(Arguments.of(e, false, 3, 2, 1, 1, ConvolutionMode.Truncate));
            cases.add(Arguments.of(e, true, 2, 2, 0, 1, ConvolutionMode.Same));
            cases.add(Arguments.of(e, true, 2, 1, 0, 2, ConvolutionMode.Strict));
        }
        return cases.stream();
    }

    /**
     * Bayesian convolution (2 -> 3 channels, 6x6 images), max pooling, Bayesian convolution, Bayesian softmax output:
     * the gradient flows through two Bayesian convolutions, so the input gradient of the second is checked too.
     */
    @ParameterizedTest(name = "{0}, bias={1}, kernel={2}, stride={3}, padding={4}, dilation={5}, {6}")
    @MethodSource("convolutionCases")
    void convolution(Estimator estimator, boolean bias, int kernel, int stride, int padding, int dilation,
                     ConvolutionMode mode) {
        convolution(estimator, bias, kernel, stride, padding, dilation, mode, KernelPolicy.defaults());
    }

    /** {@link #convolution} on the kernels of {@code policy}. */
    void convolution(Estimator estimator, boolean bias, int kernel, int stride, int padding, int dilation,
                     ConvolutionMode mode, KernelPolicy policy) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(9).dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .convolutionMode(mode)
                .list()
                .layer(new BayesianConvolutionLayer.Builder(kernel, kernel).stride(stride, stride)
                        .padding(padding, padding).dilation(dilation, dilation).nOut(3).activation(Activation.TANH)
                        .hasBias(bias).estimator(estimator).initialPosteriorStd(0.2).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(1, 1)
                        .build())
                .layer(new BayesianConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.TANH).hasBias(bias)
                        .estimator(estimator).initialPosteriorStd(0.2).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).estimator(estimator == Estimator.FLIPOUT
                                ? Estimator.FLIPOUT : Estimator.REPARAMETERIZATION).build())
                .setInputType(InputType.convolutional(6, 6, 2))
                .build();
        MultiLayerNetwork net = TestNets.init(conf, policy);
        BayesianNetworks.setDatasetSize(net, 30);
        INDArray x = TestNets.randn(3, DataType.DOUBLE, 4, 2 * 6 * 6).reshape(4, 2, 6, 6);
        INDArray y = TestNets.oneHot(4, 3, 13, DataType.DOUBLE);
        assertTrue(check(net, x, y), "gradient check failed");
    }

    /** Channels-last activations: the signs and the bias follow the channel axis. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = Estimator.class, names = {"REPARAMETERIZATION", "FLIPOUT"})
    void convolutionChannelsLast(Estimator estimator) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(10).dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .list()
                .layer(new BayesianConvolutionLayer.Builder(3, 3).dataFormat(CNN2DFormat.NHWC).nOut(3)
                        .activation(Activation.TANH).estimator(estimator).initialPosteriorStd(0.2).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(5, 5, 2, CNN2DFormat.NHWC))
                .build();
        MultiLayerNetwork net = TestNets.init(conf);
        BayesianNetworks.setDatasetSize(net, 30);
        INDArray x = TestNets.randn(4, DataType.DOUBLE, 4, 5 * 5 * 2).reshape(4, 5, 5, 2);
        INDArray y = TestNets.oneHot(4, 3, 14, DataType.DOUBLE);
        assertTrue(check(net, x, y), "gradient check failed");
    }
}
