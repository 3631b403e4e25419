package io.github.dl4jbayes.layers.impl;

import io.github.dl4jbayes.layers.*;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The initial weight means follow the law of the layer's weight initialization (DL4J's formulas) and repeat from
 * the configuration's seed, which DL4J's own initialization does not on ND4J 1.0.0-M2.1's CPU backend.
 */
class InitialMeansTest {
    private static final int N_IN = 200;
    private static final int N_OUT = 300;

    /** init, mean, variance, fourth central moment of the law */
    static Stream<Arguments> laws() {
        double xavier = 2.0 / (N_IN + N_OUT);
        double relu = 2.0 / N_IN;
        double xu = Math.sqrt(6.0) / Math.sqrt(N_IN + N_OUT);
        double ru = Math.sqrt(6.0 / N_IN);
        return Stream.of(
                Arguments.of(WeightInit.XAVIER.getWeightInitFunction(), 0.0, xavier, 3 * xavier * xavier),
                Arguments.of(WeightInit.RELU.getWeightInitFunction(), 0.0, relu, 3 * relu * relu),
                Arguments.of(WeightInit.XAVIER_UNIFORM.getWeightInitFunction(), 0.0, xu * xu / 3, Math.pow(2 * xu, 4) / 80),
                Arguments.of(WeightInit.RELU_UNIFORM.getWeightInitFunction(), 0.0, ru * ru / 3, Math.pow(2 * ru, 4) / 80),
                Arguments.of(new WeightInitDistribution(new NormalDistribution(0.5, 2)), 0.5, 4.0, 3 * 16.0),
                Arguments.of(new WeightInitDistribution(new UniformDistribution(-1, 3)), 1.0, 16.0 / 12, 256.0 / 80));
    }

    /** init set on the layer itself (where it is always honoured) */
    private static MultiLayerNetwork net(IWeightInit init, long seed) {
        return net(null, init, seed);
    }

    /** @param network the network's weight init (null: DL4J's default, XAVIER); @param layer the layer's, or null */
    private static MultiLayerNetwork net(IWeightInit network, IWeightInit layer, long seed) {
        NeuralNetConfiguration.Builder global = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE);
        if (network != null) {
            global.weightInit(network);
        }
        BayesianDenseLayer.Builder first = new BayesianDenseLayer.Builder().nIn(N_IN).nOut(N_OUT).activation(Activation.TANH);
        if (layer != null) {
            first.weightInit(layer);
        }
        MultiLayerConfiguration conf = global.list()
                .layer(first.build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(N_OUT).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .build();
        return TestNets.init(conf);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("laws")
    void followsTheLawAndRepeatsFromTheSeed(IWeightInit init, double mean, double variance, double fourth) {
        INDArray w = net(init, 7).getLayer(0).getParam(MeanFieldLayout.WEIGHT_MU);
        assertLaw(w, mean, variance, fourth);

        assertEquals(w, net(init, 7).getLayer(0).getParam(MeanFieldLayout.WEIGHT_MU), "same seed, same means");
        assertNotEquals(w, net(init, 8).getLayer(0).getParam(MeanFieldLayout.WEIGHT_MU), "another seed");
    }

    /**
     * The defaults study's rule: a Bayesian layer whose init is DL4J's default XAVIER (not set on the layer) starts
     * its means from RELU_UNIFORM; an init set on the layer, or another one set on the network, is honoured.
     */
    @Test
    void networkDefaultXavierBecomesHeUniformForTheMeans() {
        double ru = Math.sqrt(6.0 / N_IN);
        double xavier = 2.0 / (N_IN + N_OUT);
        double relu = 2.0 / N_IN;
        assertLaw(net(null, null, 3).getLayer(0).getParam(MeanFieldLayout.WEIGHT_MU), 0, ru * ru / 3,
                Math.pow(2 * ru, 4) / 80);
        assertLaw(net(WeightInit.XAVIER.getWeightInitFunction(), null, 3).getLayer(0).getParam(MeanFieldLayout.WEIGHT_MU),
                0, ru * ru / 3, Math.pow(2 * ru, 4) / 80);
        assertLaw(net(null, WeightInit.XAVIER.getWeightInitFunction(), 3).getLayer(0).getParam(MeanFieldLayout.WEIGHT_MU),
                0, xavier, 3 * xavier * xavier);
        assertLaw(net(WeightInit.RELU.getWeightInitFunction(), null, 3).getLayer(0).getParam(MeanFieldLayout.WEIGHT_MU),
                0, relu, 3 * relu * relu);
        // the flag survives the JSON round trip
        MultiLayerConfiguration onLayer = net(null, WeightInit.XAVIER.getWeightInitFunction(), 3).getLayerWiseConfigurations();
        assertEquals(onLayer, MultiLayerConfiguration.fromJson(onLayer.toJson()));
        assertTrue(((BayesianDenseLayer) MultiLayerConfiguration.fromJson(onLayer.toJson()).getConf(0).getLayer())
                .getMeanField().isWeightInitOnLayer());
    }

    private static void assertLaw(INDArray w, double mean, double variance, double fourth) {
        double[] v = w.dup().data().asDouble();
        int n = v.length;
        double m = 0;
        for (double x : v) {
            m += x;
        }
        m /= n;
        double s2 = 0;
        for (double x : v) {
            s2 += (x - m) * (x - m);
        }
        s2 /= n - 1;
        // four standard errors: of the mean sqrt(var / n), of the sample variance sqrt((mu4 - var^2) / n)
        assertEquals(mean, m, 4 * Math.sqrt(variance / n), "mean");
        assertEquals(variance, s2, 4 * Math.sqrt((fourth - variance * variance) / n), "variance");
    }
}
