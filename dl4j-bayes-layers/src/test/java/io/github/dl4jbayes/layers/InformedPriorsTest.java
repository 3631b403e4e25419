package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.priors.KlEstimate;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Turning a trained plain DL4J network into a Bayesian one with priors at its weights. */
class InformedPriorsTest {

    private static INDArray randn(long seed, DataType type, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        return Nd4j.createFromArray(v).castTo(type).reshape(shape);
    }

    /** Convolution, batch norm, pooling, dense, dropout, softmax output; trained a few steps so batch norm moved. */
    private static MultiLayerNetwork trainedCnn(DataType type, CNN2DFormat format) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(4).dataType(type).updater(new Adam(0.01))
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).dataFormat(format).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                .layer(new DropoutLayer.Builder(0.8).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 2, format))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        INDArray x = input(type, format, 5);
        INDArray y = Nd4j.zeros(type, 10, 3);
        for (int i = 0; i < 10; i++) {
            y.putScalar(i, i % 3, 1.0);
        }
        for (int i = 0; i < 8; i++) {
            net.fit(x, y);
        }
        return net;
    }

    private static INDArray input(DataType type, CNN2DFormat format, long seed) {
        return format == CNN2DFormat.NCHW ? randn(seed, type, 10, 2, 8, 8) : randn(seed, type, 10, 8, 8, 2);
    }

    /** Before any training, the Bayesian network's mean outputs are the trained network's, to 1e-6. */
    @ParameterizedTest
    @CsvSource({"DOUBLE, NCHW", "FLOAT, NCHW", "DOUBLE, NHWC"})
    void meanOutputsAreTheTrainedNetworks(DataType type, CNN2DFormat format) {
        MultiLayerNetwork trained = trainedCnn(type, format);
        INDArray trainedParams = trained.params().dup();
        MultiLayerNetwork bayesian = InformedPriors.fromTrained(trained, 0.1);
        assertEquals(trainedParams, trained.params(), "the trained network is not modified");
        assertEquals(type, bayesian.getLayerWiseConfigurations().getDataType());
        assertInstanceOf(BayesianConvolutionLayer.class, bayesian.getLayer(0).conf().getLayer());
        assertInstanceOf(BatchNormalization.class, bayesian.getLayer(1).conf().getLayer());
        assertInstanceOf(BayesianDenseLayer.class, bayesian.getLayer(3).conf().getLayer());
        assertInstanceOf(BayesianOutputLayer.class, bayesian.getLayer(5).conf().getLayer());
        BayesianNetworks.setInferenceMode(bayesian, InferenceMode.MEAN);
        INDArray x = input(type, format, 77);
        INDArray expected = trained.output(x);
        INDArray actual = bayesian.output(x);
        double worst = Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.reduce.floating.NormMax(
                expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)))).getDouble(0);
        assertTrue(worst < 1e-6, "largest difference " + worst);

        // the priors' means are the trained weights; the posterior starts there, with std 1e-3
        for (int i : new int[]{0, 3, 5}) {
            BayesianLayerConfig b = (BayesianLayerConfig) bayesian.getLayer(i).conf().getLayer();
            GaussianPrior prior = (GaussianPrior) b.getMeanField().getPrior();
            INDArray block = InformedPriors.meanBlock(b, trained.getLayer(i).getParam(DefaultParamInitializer.WEIGHT_KEY),
                    trained.getLayer(i).getParam(DefaultParamInitializer.BIAS_KEY));
            for (int p = 0; p < block.length(); p++) {
                assertEquals(block.getDouble(p), prior.mean(p), 0.0, "layer " + i + " prior mean " + p);
                assertEquals(0.1, prior.std(p), 0.0);
            }
            INDArray mu = new MeanFieldLayout(b).muBlock(bayesian.getLayer(i).params());
            assertEquals(block.castTo(type), mu);
            assertEquals(1e-3, b.getMeanField().getInitialPosteriorStd());
        }
        // and it trains
        BayesianNetworks.setDatasetSize(bayesian, 10);
        INDArray y = Nd4j.zeros(type, 10, 3);
        y.getColumn(0).assign(1.0);
        bayesian.fit(x, y);
        assertTrue(Double.isFinite(bayesian.score()));
    }

    /** Relative prior std: max(delta |w|, min) per parameter; options reach the layers; the JSON round-trips. */
    @Test
    void relativePriorStdAndOptions() {
        MultiLayerNetwork trained = trainedCnn(DataType.FLOAT, CNN2DFormat.NCHW);
        MultiLayerNetwork bayesian = InformedPriors.builder().relativePriorStd(0.5, 0.02).initialPosteriorStd(0.01)
                .estimator(io.github.dl4jbayes.layers.Estimator.FLIPOUT).klEstimate(KlEstimate.MONTE_CARLO).build()
                .convert(trained);
        BayesianLayerConfig dense = (BayesianLayerConfig) bayesian.getLayer(3).conf().getLayer();
        GaussianPrior prior = (GaussianPrior) dense.getMeanField().getPrior();
        INDArray w = trained.getLayer(3).getParam(DefaultParamInitializer.WEIGHT_KEY);
        INDArray block = InformedPriors.meanBlock(dense, w, trained.getLayer(3).getParam(DefaultParamInitializer.BIAS_KEY));
        for (int p = 0; p < block.length(); p++) {
            assertEquals(Math.max(0.5 * Math.abs(block.getDouble(p)), 0.02), prior.std(p), 1e-7);
        }
        assertEquals(io.github.dl4jbayes.layers.Estimator.FLIPOUT, dense.getMeanField().getEstimator());
        assertEquals(KlEstimate.MONTE_CARLO, dense.getMeanField().getKlEstimate());
        MultiLayerConfiguration conf = bayesian.getLayerWiseConfigurations();
        assertEquals(conf, MultiLayerConfiguration.fromJson(conf.toJson()));
    }

    /**
     * The dense and output layers start at their own posterior std when one is given, in their configuration and in
     * their rho parameters (softplus(rho) = std, float rho: |rho| 2^-24 sigmoid(rho) &lt; 1e-8); the convolution at
     * {@code initialPosteriorStd}; without it every layer starts at {@code initialPosteriorStd}.
     */
    @Test
    void denseLayersCanStartWiderThanConvolutions() {
        MultiLayerNetwork trained = trainedCnn(DataType.FLOAT, CNN2DFormat.NCHW);
        for (double[] c : new double[][]{{0.01, 0.05}, {0.02, Double.NaN}}) {
            InformedPriors.Builder b = InformedPriors.builder().initialPosteriorStd(c[0]);
            double dense = Double.isNaN(c[1]) ? c[0] : c[1];
            if (!Double.isNaN(c[1])) {
                b.denseInitialPosteriorStd(c[1]);
            }
            MultiLayerNetwork bayesian = b.build().convert(trained);
            for (int[] layerAndKind : new int[][]{{0, 0}, {3, 1}, {5, 1}}) {     // conv, dense, output
                double expected = layerAndKind[1] == 0 ? c[0] : dense;
                BayesianLayerConfig conf = (BayesianLayerConfig) bayesian.getLayer(layerAndKind[0]).conf().getLayer();
                assertEquals(expected, conf.getMeanField().getInitialPosteriorStd(), 0, "layer " + layerAndKind[0]);
                for (String key : new String[]{MeanFieldLayout.WEIGHT_RHO, MeanFieldLayout.BIAS_RHO}) {
                    INDArray rho = bayesian.getLayer(layerAndKind[0]).getParam(key);
                    for (double r : new double[]{rho.minNumber().doubleValue(), rho.maxNumber().doubleValue()}) {
                        assertEquals(expected, Math.log1p(Math.exp(r)), 1e-8, key + " of layer " + layerAndKind[0]);
                    }
                }
            }
        }
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> InformedPriors.builder().denseInitialPosteriorStd(0)).getMessage()
                .contains("denseInitialPosteriorStd"));
    }

    /** A network with a Bayesian layer already: that layer keeps its prior and posterior, the plain ones convert. */
    @Test
    void bayesianLayersAreKept() {
        MultiLayerNetwork mixed = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(2).list()
                .layer(new BayesianDenseLayer.Builder().nIn(3).nOut(4).activation(Activation.TANH)
                        .prior(new GaussianPrior(0.2, 0.5)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build());
        mixed.init();
        MultiLayerNetwork converted = InformedPriors.fromTrained(mixed, 0.1);
        BayesianLayerConfig kept = (BayesianLayerConfig) converted.getLayer(0).conf().getLayer();
        assertEquals(new GaussianPrior(0.2, 0.5), kept.getMeanField().getPrior());
        assertEquals(mixed.getLayer(0).params(), converted.getLayer(0).params());
        assertInstanceOf(BayesianOutputLayer.class, converted.getLayer(1).conf().getLayer());
    }

    @Test
    void badInputIsNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> InformedPriors.builder().priorStd(-1))
                .getMessage().contains("priorStd"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> InformedPriors.builder().relativePriorStd(0.5, 0))
                .getMessage().contains("minStd"));
        MultiLayerNetwork noWeights = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new DropoutLayer.Builder(0.5).build())
                .layer(new org.deeplearning4j.nn.conf.layers.LossLayer.Builder(LossFunctions.LossFunction.MSE).build())
                .setInputType(InputType.feedForward(3)).build());
        noWeights.init();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> InformedPriors.fromTrained(noWeights, 0.1))
                .getMessage().contains("no DenseLayer"));
        BayesianLayerConfig layer = new BayesianDenseLayer.Builder().name("d").nIn(3).nOut(2).build();
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> InformedPriors.centredAt(layer, Nd4j.zeros(2, 3), Nd4j.zeros(2), 0.1)).getMessage().contains("[3, 2]"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> InformedPriors.centredAt(layer, Nd4j.zeros(3, 2), null, 0.1)).getMessage().contains("2 biases"));
    }
}
