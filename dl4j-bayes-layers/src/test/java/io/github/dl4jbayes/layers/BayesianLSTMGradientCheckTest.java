package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.likelihoods.LossGaussianNll;
import io.github.dl4jbayes.priors.GaussianPrior;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference gradient checks of {@link BayesianLSTM} in double precision with the noise frozen (weights and
 * Flipout's signs re-drawn from re-seeded generators before every evaluation): both estimators, NCW and NWC, with
 * and without a mask, under {@link BayesianRnnOutputLayer} (also with a learned Gaussian noise), DL4J's
 * {@code RnnOutputLayer} and {@code LastTimeStep}, in a {@code MultiLayerNetwork} and a {@code ComputationGraph}.
 * The checked gradient is the whole score's.
 */
class BayesianLSTMGradientCheckTest extends DoublePrecisionGradientCheck {
    static final int BATCH = 3;
    static final int STEPS = 4;
    static final int N_IN = 2;

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Estimator e : new Estimator[]{Estimator.REPARAMETERIZATION, Estimator.FLIPOUT}) {
            for (RNNFormat f : RNNFormat.values()) {
                for (boolean mask : new boolean[]{false, true}) {
                    cases.add(Arguments.of(e, f, mask));
                }
            }
        }
        return cases.stream();
    }

    /** Sequences {@code [B, nIn, T]} (NCW) or {@code [B, T, nIn]} (NWC) from a fixed seed. */
    static INDArray sequences(long seed, RNNFormat format, int batch, int size, int steps) {
        INDArray ncw = TestNets.randn(seed, DataType.DOUBLE, batch * size, steps).reshape('c', batch, size, steps);
        return format == RNNFormat.NWC ? ncw.permute(0, 2, 1).dup('c') : ncw;
    }

    /** One-hot labels per step, in the format's layout. */
    static INDArray labels(long seed, RNNFormat format, int classes) {
        INDArray ncw = Nd4j.zeros(DataType.DOUBLE, BATCH, classes, STEPS);
        SplittableRandom random = new SplittableRandom(seed);
        for (int b = 0; b < BATCH; b++) {
            for (int t = 0; t < STEPS; t++) {
                ncw.putScalar(new long[]{b, random.nextInt(classes), t}, 1.0);
            }
        }
        return format == RNNFormat.NWC ? ncw.permute(0, 2, 1).dup('c') : ncw;
    }

    /** Variable lengths: sequence b has {@code STEPS - b} steps (the last ones masked). */
    static INDArray mask() {
        INDArray m = Nd4j.ones(DataType.DOUBLE, BATCH, STEPS);
        for (int b = 1; b < BATCH; b++) {
            for (int t = STEPS - b; t < STEPS; t++) {
                m.putScalar(b, t, 0.0);
            }
        }
        return m;
    }

    static BayesianLSTM lstm(Estimator estimator, RNNFormat format, int nIn, int nOut) {
        return new BayesianLSTM.Builder().nIn(nIn).nOut(nOut).dataFormat(format).estimator(estimator)
                .prior(new GaussianPrior(0.1, 0.8)).initialPosteriorStd(0.3).forgetGateBiasInit(0.5).build();
    }

    static boolean check(MultiLayerNetwork net, INDArray x, INDArray y, INDArray mask) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                .inputMask(mask).labelMask(mask).epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
                .callEachIter(n -> BayesianNetworks.setNoiseSeed(n, 1234)));
    }

    /** Two stacked Bayesian LSTMs under a Bayesian time-distributed output layer. */
    @ParameterizedTest(name = "{0}, {1}, mask={2}")
    @MethodSource("cases")
    void stackedUnderBayesianRnnOutput(Estimator estimator, RNNFormat format, boolean masked) {
        MultiLayerConfiguration conf = checked()
                .list()
                .layer(lstm(estimator, format, N_IN, 3))
                .layer(lstm(estimator, format, 3, 3))
                .layer(new BayesianRnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).dataFormat(format)
                        .nIn(3).nOut(2).activation(Activation.SOFTMAX).estimator(estimator)
                        .initialPosteriorStd(0.2).build())
                .build();
        MultiLayerNetwork net = TestNets.init(conf);
        BayesianNetworks.setDatasetSize(net, 40);
        assertTrue(check(net, sequences(7, format, BATCH, N_IN, STEPS), labels(11, format, 2),
                masked ? mask() : null), "gradient check failed");
    }

    /**
     * A Gaussian likelihood with a learned (homoscedastic) noise scale on every step: the output layer's means and the
     * noise parameter, with variable lengths.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("estimators")
    void learnedNoiseRegression(Estimator estimator) {
        MultiLayerConfiguration conf = checked()
                .list()
                .layer(lstm(estimator, RNNFormat.NCW, N_IN, 3))
                .layer(new BayesianRnnOutputLayer.Builder(new LossGaussianNll()).nIn(3).nOut(1)
                        .activation(Activation.IDENTITY).learnedNoise(0.7).estimator(estimator)
                        .initialPosteriorStd(0.2).build())
                .build();
        MultiLayerNetwork net = TestNets.init(conf);
        BayesianNetworks.setDatasetSize(net, 40);
        INDArray y = TestNets.randn(13, DataType.DOUBLE, BATCH, STEPS).reshape(BATCH, 1, STEPS);
        assertTrue(check(net, sequences(7, RNNFormat.NCW, BATCH, N_IN, STEPS), y, mask()), "gradient check failed");
        assertArrayEquals(new long[]{BATCH, 2, STEPS},
                net.output(sequences(7, RNNFormat.NCW, BATCH, N_IN, STEPS)).shape(), "means and noise per step");
    }

    /** A Bayesian LSTM under DL4J's own {@code RnnOutputLayer}. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("estimators")
    void underDl4jRnnOutput(Estimator estimator) {
        MultiLayerConfiguration conf = checked()
                .list()
                .layer(lstm(estimator, RNNFormat.NCW, N_IN, 3))
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = TestNets.init(conf);
        BayesianNetworks.setDatasetSize(net, 40);
        assertTrue(check(net, sequences(7, RNNFormat.NCW, BATCH, N_IN, STEPS), labels(11, RNNFormat.NCW, 2),
                mask()), "gradient check failed");
    }

    static Stream<Estimator> estimators() {
        return Stream.of(Estimator.REPARAMETERIZATION, Estimator.FLIPOUT);
    }

    /** Many-to-one: {@code LastTimeStep(BayesianLSTM)} under a Bayesian output layer, with variable lengths. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("estimators")
    void lastTimeStep(Estimator estimator) {
        MultiLayerConfiguration conf = checked()
                .list()
                .layer(new LastTimeStep(lstm(estimator, RNNFormat.NCW, N_IN, 3)))
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2)
                        .activation(Activation.SOFTMAX).estimator(estimator).initialPosteriorStd(0.2).build())
                .setInputType(InputType.recurrent(N_IN))
                .build();
        MultiLayerNetwork net = TestNets.init(conf);
        BayesianNetworks.setDatasetSize(net, 40);
        INDArray y = TestNets.oneHot(BATCH, 2, 11, DataType.DOUBLE);
        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net)
                .input(sequences(7, RNNFormat.NCW, BATCH, N_IN, STEPS)).labels(y).inputMask(mask())
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
                .callEachIter(n -> BayesianNetworks.setNoiseSeed(n, 1234))), "gradient check failed");
    }

    /** A Bayesian LSTM in a {@code ComputationGraph}, nIn inferred from {@code InputType.recurrent}. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("estimators")
    void computationGraph(Estimator estimator) {
        ComputationGraphConfiguration conf = checked()
                .graphBuilder()
                .addInputs("in")
                .addLayer("lstm", new BayesianLSTM.Builder().nOut(3).estimator(estimator).initialPosteriorStd(0.3)
                        .build(), "in")
                .addLayer("out", new BayesianRnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).estimator(estimator).initialPosteriorStd(0.2).build(), "lstm")
                .setOutputs("out")
                .setInputTypes(InputType.recurrent(N_IN))
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        BayesianNetworks.setDatasetSize(graph, 40);
        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                .inputs(new INDArray[]{sequences(7, RNNFormat.NCW, BATCH, N_IN, STEPS)})
                .labels(new INDArray[]{labels(11, RNNFormat.NCW, 2)}).epsilon(1e-6).maxRelError(1e-5)
                .minAbsoluteError(1e-9).callEachIter(g -> BayesianNetworks.setNoiseSeed(g, 1234))),
                "gradient check failed");
    }

    /** @return the gradient checks' network settings: double precision, seed 5, no updater */
    private static NeuralNetConfiguration.Builder checked() {
        return new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE).updater(new NoOp());
    }
}
