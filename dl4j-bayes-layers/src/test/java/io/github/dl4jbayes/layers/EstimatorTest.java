package io.github.dl4jbayes.layers;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The estimators as a user meets them: every estimator's gradient is an unbiased estimate of the same ELBO gradient
 * (its mean over many draws matches the reparameterization gradient's mean within the Monte-Carlo error), every
 * numeric path gives the double-precision result in FLOAT and HALF, and the estimator is saved with the
 * configuration.
 */
class EstimatorTest {

    /** Dense 3-4 tanh and softmax output 4-3, both with the estimator. */
    static MultiLayerConfiguration dense(Estimator estimator, DataType type) {
        return new NeuralNetConfiguration.Builder()
                .seed(21).dataType(type).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .list()
                .layer(new BayesianDenseLayer.Builder().nIn(3).nOut(4).activation(Activation.TANH)
                        .estimator(estimator).initialPosteriorStd(0.4).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(3)
                        .activation(Activation.SOFTMAX).estimator(estimator).initialPosteriorStd(0.4).build())
                .build();
    }

    /** Bayesian convolution 2 -> 3 channels on 5x5 images, max pooling, Bayesian output; conv estimator given. */
    static MultiLayerConfiguration convolution(Estimator estimator, DataType type) {
        return new NeuralNetConfiguration.Builder()
                .seed(23).dataType(type).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .list()
                .layer(new BayesianConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.TANH)
                        .estimator(estimator).initialPosteriorStd(0.4).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(1, 1)
                        .build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).initialPosteriorStd(0.4).build())
                .setInputType(InputType.convolutional(5, 5, 2))
                .build();
    }

    private static final int BATCH = 8;

    private static INDArray input(MultiLayerConfiguration conf, DataType type) {
        boolean conv = conf.getConf(0).getLayer() instanceof BayesianConvolutionLayer;
        INDArray x = TestNets.randn(31, type, BATCH, conv ? 2 * 5 * 5 : 3);
        return conv ? x.reshape(BATCH, 2, 5, 5) : x;
    }

    /** @return the per-parameter mean and variance of the score's gradient over {@code draws} noise seeds */
    private static double[][] gradientMoments(MultiLayerConfiguration conf, int draws) {
        MultiLayerNetwork net = TestNets.init(conf);
        BayesianNetworks.setDatasetSize(net, 100);
        net.setInput(input(conf, DataType.DOUBLE));
        net.setLabels(TestNets.oneHot(BATCH, 3, 17, DataType.DOUBLE));
        int n = (int) net.numParams();
        double[] mean = new double[n];
        double[] m2 = new double[n];
        for (int d = 1; d <= draws; d++) {
            BayesianNetworks.setNoiseSeed(net, 1000 + d);
            net.computeGradientAndScore();
            double[] g = net.gradient().gradient().toDoubleVector();
            for (int j = 0; j < n; j++) {
                double delta = g[j] - mean[j];
                mean[j] += delta / d;
                m2[j] += delta * (g[j] - mean[j]);
            }
        }
        for (int j = 0; j < n; j++) {
            m2[j] /= draws - 1;
        }
        return new double[][]{mean, m2};
    }

    /**
     * Each estimator's mean gradient equals the reparameterization's: for every parameter, the difference of the two
     * Monte-Carlo means is within 5 standard errors (a false alarm on any of the ~70 parameters has probability
     * about 4e-5 under unbiasedness). Also: the check is not vacuous, since the gradients do vary from draw to draw.
     */
    @ParameterizedTest
    @EnumSource(value = Estimator.class, names = {"LOCAL_REPARAMETERIZATION", "FLIPOUT"})
    void denseEstimatorsAreUnbiased(Estimator estimator) {
        if (denseReference == null) {
            denseReference = gradientMoments(dense(Estimator.REPARAMETERIZATION, DataType.DOUBLE), DRAWS);
        }
        assertSameMean(denseReference, gradientMoments(dense(estimator, DataType.DOUBLE), DRAWS), DRAWS);
    }

    private static final int DRAWS = 2000;
    private static double[][] denseReference;

    @Test
    void convolutionFlipoutIsUnbiased() {
        assertSameMean(gradientMoments(convolution(Estimator.REPARAMETERIZATION, DataType.DOUBLE), 1200),
                gradientMoments(convolution(Estimator.FLIPOUT, DataType.DOUBLE), 1200), 1200);
    }

    private static void assertSameMean(double[][] reference, double[][] other, int draws) {
        int varying = 0;
        for (int j = 0; j < reference[0].length; j++) {
            double se = Math.sqrt((reference[1][j] + other[1][j]) / draws);
            if (se > 0) {
                varying++;
            }
            double diff = Math.abs(reference[0][j] - other[0][j]);
            assertTrue(diff <= 5 * se + 1e-12, "parameter " + j + ": mean gradient " + other[0][j]
                    + " vs reparameterization " + reference[0][j] + " (standard error " + se + ")");
        }
        assertTrue(varying > reference[0].length / 2, "the gradients should vary with the noise");
    }

    /**
     * The same draw (noise from the layers' generators, seeded alike) gives the double-precision gradient in FLOAT
     * and HALF, within the type's precision, for every layer type and estimator.
     */
    @ParameterizedTest
    @EnumSource(Estimator.class)
    void everyDataTypeGivesTheDoubleGradient(Estimator estimator) {
        assertTypesAgree(dense(estimator, DataType.DOUBLE));
        if (estimator != Estimator.LOCAL_REPARAMETERIZATION) {
            assertTypesAgree(convolution(estimator, DataType.DOUBLE));
        }
    }

    private static void assertTypesAgree(MultiLayerConfiguration conf) {
        MultiLayerNetwork reference = TestNets.init(conf);
        double[] expected = gradient(reference, DataType.DOUBLE);
        double scale = 0;
        for (double g : expected) {
            scale = Math.max(scale, Math.abs(g));
        }
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.HALF}) {
            double[] actual = gradient(reference.convertDataType(type), type);
            double tolerance = (type == DataType.HALF ? 2e-2 : 1e-5) * scale;
            for (int j = 0; j < expected.length; j++) {
                assertTrue(Double.isFinite(actual[j]), type + ": gradient " + j + " is " + actual[j]);
                assertEquals(expected[j], actual[j], tolerance, type + ": gradient " + j);
            }
        }
    }

    private static double[] gradient(MultiLayerNetwork net, DataType type) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        BayesianNetworks.setDatasetSize(net, 100);
        BayesianNetworks.setNoiseSeed(net, 77);
        net.setInput(input(conf, type));
        net.setLabels(TestNets.oneHot(BATCH, 3, 17, type));
        net.computeGradientAndScore();
        assertTrue(Double.isFinite(net.score()), type + ": score " + net.score());
        return net.gradient().gradient().toDoubleVector();
    }

    /** The estimator is part of the configuration: JSON and ModelSerializer keep it, and a loaded network trains. */
    @ParameterizedTest
    @EnumSource(Estimator.class)
    void estimatorSurvivesJsonAndModelSerializer(Estimator estimator, @TempDir File dir) throws Exception {
        MultiLayerConfiguration conf = estimator == Estimator.LOCAL_REPARAMETERIZATION
                ? dense(estimator, DataType.FLOAT) : convolution(estimator, DataType.FLOAT);
        MultiLayerConfiguration restored = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(conf, restored);
        assertEquals(estimator, ((BayesianLayerConfig) restored.getConf(0).getLayer()).getMeanField().getEstimator());

        MultiLayerNetwork net = TestNets.init(conf.clone());
        BayesianNetworks.setDatasetSize(net, 100);
        DataSet data = new DataSet(input(conf, DataType.FLOAT), TestNets.oneHot(BATCH, 3, 17, DataType.FLOAT));
        net.fit(data);
        File file = new File(dir, "net.zip");
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork loaded = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertEquals(net.params(), loaded.params());
        assertEquals(estimator,
                ((BayesianLayerConfig) loaded.getLayer(0).conf().getLayer()).getMeanField().getEstimator());
        BayesianNetworks.setInferenceMode(net, InferenceMode.MEAN);
        BayesianNetworks.setInferenceMode(loaded, InferenceMode.MEAN);
        assertEquals(net.output(data.getFeatures()), loaded.output(data.getFeatures()));
        BayesianNetworks.setDatasetSize(loaded, 100);
        INDArray before = loaded.params().dup();
        loaded.fit(data);
        assertNotEquals(before, loaded.params(), "a loaded network keeps training");
        assertInstanceOf(BayesianLayer.class, loaded.getLayer(0));
    }
}
