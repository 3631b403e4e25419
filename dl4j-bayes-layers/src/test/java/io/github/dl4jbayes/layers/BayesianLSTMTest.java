package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.priors.GaussianPrior;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BayesianLSTM} against DL4J's own {@code LSTM}: the same equations (at the means, and at one whole-weight draw
 * held for every step of the sequence), streaming, truncated BPTT, Flipout's unbiasedness, serialization, data types
 * and bad input.
 */
class BayesianLSTMTest {
    static final int N_IN = 2;
    static final int HIDDEN = 3;
    static final int STEPS = 6;
    static final int BATCH = 4;

    static MultiLayerConfiguration bayesian(Estimator estimator, DataType type, RNNFormat format) {
        return new NeuralNetConfiguration.Builder()
                .seed(3).dataType(type).updater(new NoOp())
                .list()
                .layer(new BayesianLSTM.Builder().nIn(N_IN).nOut(HIDDEN).dataFormat(format).estimator(estimator)
                        .prior(new GaussianPrior(0.0, 1.0)).initialPosteriorStd(0.4).build())
                .layer(new BayesianRnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).dataFormat(format)
                        .nIn(HIDDEN).nOut(1).activation(Activation.IDENTITY).estimator(estimator).build())
                .build();
    }

    /** DL4J's LSTM with the Bayesian LSTM's weights {@code w [nIn + H, 4H]} (gates i, f, o, g) and biases. */
    static MultiLayerNetwork dl4jLstm(INDArray w, INDArray b) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).list()
                .layer(new LSTM.Builder().nIn(N_IN).nOut(HIDDEN).activation(Activation.TANH)
                        .gateActivationFunction(Activation.SIGMOID).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(HIDDEN).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .build());
        net.init();
        // DL4J orders the gate columns g, f, o, i
        int[] order = {3, 1, 2, 0};
        INDArray wd = Nd4j.create(DataType.DOUBLE, w.shape());
        INDArray bd = Nd4j.create(DataType.DOUBLE, 1, 4 * HIDDEN);
        for (int k = 0; k < 4; k++) {
            wd.get(NDArrayIndex.all(), NDArrayIndex.interval(k * HIDDEN, (k + 1) * HIDDEN))
                    .assign(w.get(NDArrayIndex.all(), NDArrayIndex.interval(order[k] * HIDDEN, (order[k] + 1) * HIDDEN)));
            bd.get(NDArrayIndex.all(), NDArrayIndex.interval(k * HIDDEN, (k + 1) * HIDDEN))
                    .assign(b.reshape(1, -1).get(NDArrayIndex.all(),
                            NDArrayIndex.interval(order[k] * HIDDEN, (order[k] + 1) * HIDDEN)));
        }
        net.getLayer(0).setParam("W", wd.get(NDArrayIndex.interval(0, N_IN), NDArrayIndex.all()));
        net.getLayer(0).setParam("RW", wd.get(NDArrayIndex.interval(N_IN, N_IN + HIDDEN), NDArrayIndex.all()));
        net.getLayer(0).setParam("b", bd);
        return net;
    }

    static INDArray hidden(MultiLayerNetwork net, INDArray x) {
        return net.feedForward(x, false).get(1);
    }

    static INDArray sequences(DataType type) {
        return BayesianLSTMGradientCheckTest.sequences(21, RNNFormat.NCW, BATCH, N_IN, STEPS).castTo(type);
    }

    @Test
    void meansGiveDl4jLstm() {
        MultiLayerNetwork net = TestNets.init(bayesian(Estimator.FLIPOUT, DataType.DOUBLE, RNNFormat.NCW));
        BayesianNetworks.setInferenceMode(net, InferenceMode.MEAN);
        INDArray x = sequences(DataType.DOUBLE);
        INDArray expected = hidden(dl4jLstm(net.getLayer(0).getParam(MeanFieldLayout.WEIGHT_MU),
                net.getLayer(0).getParam(MeanFieldLayout.BIAS_MU)), x);
        assertEquals(expected, hidden(net, x));
        // the forget gate's biases start at the configured forget-gate bias (1 by default), the others at 0
        INDArray b = net.getLayer(0).getParam(MeanFieldLayout.BIAS_MU);
        assertEquals(1.0, b.getDouble(HIDDEN), 0.0);
        assertEquals(0.0, b.getDouble(0), 0.0);
    }

    /** A whole-weight draw is held for every step: DL4J's LSTM with that one draw reproduces every step's output. */
    @Test
    void oneDrawSharedByAllSteps() {
        MultiLayerNetwork net = TestNets.init(bayesian(Estimator.REPARAMETERIZATION, DataType.DOUBLE, RNNFormat.NCW));
        BayesianNetworks.setInferenceMode(net, InferenceMode.SAMPLE);
        BayesianNetworks.setNoiseSeed(net, 77);
        INDArray x = sequences(DataType.DOUBLE);
        INDArray h = hidden(net, x);
        BayesianLayer layer = (BayesianLayer) net.getLayer(0);
        INDArray w = TestNets.posterior(layer).drawnWeights().dup();
        INDArray b = TestNets.posterior(layer).drawnBias().dup();
        assertFalse(w.equalsWithEps(net.getLayer(0).getParam(MeanFieldLayout.WEIGHT_MU), 1e-3), "a draw, not the means");
        INDArray expected = hidden(dl4jLstm(w, b), x);
        for (int t = 0; t < STEPS; t++) {
            INDArray step = h.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(t));
            assertTrue(expected.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(t))
                    .equalsWithEps(step, 1e-12), "step " + t);
        }
        // the training pass draws once per pass too
        BayesianNetworks.setNoiseSeed(net, 77);
        INDArray hTrain = net.feedForward(x, true).get(1);
        INDArray expectedTrain = hidden(dl4jLstm(TestNets.posterior(layer).drawnWeights().dup(),
                TestNets.posterior(layer).drawnBias().dup()), x);
        assertTrue(expectedTrain.equalsWithEps(hTrain, 1e-12));
    }

    /** DL4J's streaming protocol: step by step from the stored state equals the whole sequence, at the means. */
    @ParameterizedTest
    @EnumSource(RNNFormat.class)
    void rnnTimeStepEqualsOutput(RNNFormat format) {
        MultiLayerNetwork net = TestNets.init(bayesian(Estimator.FLIPOUT, DataType.DOUBLE, format));
        BayesianNetworks.setInferenceMode(net, InferenceMode.MEAN);
        INDArray x = BayesianLSTMGradientCheckTest.sequences(21, format, BATCH, N_IN, STEPS);
        INDArray whole = net.output(x);
        net.rnnClearPreviousState();
        for (int t = 0; t < STEPS; t++) {
            INDArray xt = format == RNNFormat.NCW
                    ? x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(t, t + 1))
                    : x.get(NDArrayIndex.all(), NDArrayIndex.interval(t, t + 1), NDArrayIndex.all());
            INDArray yt = net.rnnTimeStep(xt.dup());
            INDArray expected = format == RNNFormat.NCW
                    ? whole.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(t, t + 1))
                    : whole.get(NDArrayIndex.all(), NDArrayIndex.interval(t, t + 1), NDArrayIndex.all());
            assertTrue(expected.equalsWithEps(yt, 1e-12), "step " + t);
        }
    }

    /** Truncated BPTT whose segment holds the whole sequence gives the full BPTT gradient. */
    @ParameterizedTest
    @EnumSource(value = Estimator.class, names = {"REPARAMETERIZATION", "FLIPOUT"})
    void truncatedBpttOfOneSegmentIsFullBptt(Estimator estimator) {
        MultiLayerConfiguration full = bayesian(estimator, DataType.DOUBLE, RNNFormat.NCW);
        MultiLayerConfiguration tbptt = bayesian(estimator, DataType.DOUBLE, RNNFormat.NCW);
        tbptt.setBackpropType(BackpropType.TruncatedBPTT);
        tbptt.setTbpttFwdLength(STEPS);
        tbptt.setTbpttBackLength(STEPS);
        MultiLayerNetwork a = TestNets.init(full);
        MultiLayerNetwork b = TestNets.init(tbptt);
        b.setParams(a.params());
        INDArray x = sequences(DataType.DOUBLE);
        INDArray y = TestNets.randn(5, DataType.DOUBLE, BATCH, STEPS).reshape(BATCH, 1, STEPS);
        for (MultiLayerNetwork n : new MultiLayerNetwork[]{a, b}) {
            BayesianNetworks.setDatasetSize(n, 50);
            BayesianNetworks.setNoiseSeed(n, 9);
            n.setInput(x);
            n.setLabels(y);
            n.computeGradientAndScore();
        }
        assertTrue(a.gradient().gradient().equalsWithEps(b.gradient().gradient(), 1e-10));
        assertEquals(a.score(), b.score(), 1e-10);
        assertTrue(a.gradient().gradient().norm2Number().doubleValue() > 0);
    }

    /**
     * Flipout is unbiased: its mean gradient over many draws equals the reparameterization's, within 4.5 standard
     * errors of the difference for every parameter (both are Monte-Carlo estimates of the same expected gradient).
     */
    @Test
    void flipoutGradientIsUnbiased() {
        int draws = 400;
        INDArray x = sequences(DataType.DOUBLE);
        INDArray y = TestNets.randn(5, DataType.DOUBLE, BATCH, STEPS).reshape(BATCH, 1, STEPS);
        MultiLayerNetwork r = TestNets.init(bayesian(Estimator.REPARAMETERIZATION, DataType.DOUBLE, RNNFormat.NCW));
        MultiLayerNetwork f = TestNets.init(bayesian(Estimator.FLIPOUT, DataType.DOUBLE, RNNFormat.NCW));
        f.setParams(r.params());
        INDArray[] sums = new INDArray[4];
        MultiLayerNetwork[] nets = {r, f};
        for (int k = 0; k < 2; k++) {
            MultiLayerNetwork n = nets[k];
            BayesianNetworks.setDatasetSize(n, 50);
            INDArray sum = Nd4j.zeros(DataType.DOUBLE, n.numParams());
            INDArray sumSq = Nd4j.zeros(DataType.DOUBLE, n.numParams());
            for (int d = 0; d < draws; d++) {
                BayesianNetworks.setNoiseSeed(n, 1000 + d);
                n.setInput(x);
                n.setLabels(y);
                n.computeGradientAndScore();
                INDArray g = n.gradient().gradient().dup().reshape(-1);
                sum.addi(g);
                sumSq.addi(g.mul(g));
            }
            sums[2 * k] = sum.div(draws);
            sums[2 * k + 1] = sumSq.div(draws).subi(sums[2 * k].mul(sums[2 * k])).divi(draws);   // squared std error
        }
        INDArray diff = sums[0].sub(sums[2]);
        INDArray se = sums[1].add(sums[3]);
        for (long i = 0; i < diff.length(); i++) {
            double d = Math.abs(diff.getDouble(i));
            double s = Math.sqrt(se.getDouble(i));
            assertTrue(d <= 4.5 * s + 1e-12, "parameter " + i + ": mean gradients differ by " + d + ", standard error " + s);
        }
    }

    @Test
    void jsonAndModelSerializerRoundTrips(@TempDir File dir) throws Exception {
        MultiLayerConfiguration conf = bayesian(Estimator.FLIPOUT, DataType.FLOAT, RNNFormat.NWC);
        String json = conf.toJson();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(conf, back);
        BayesianLSTM layer = (BayesianLSTM) back.getConf(0).getLayer();
        assertEquals(RNNFormat.NWC, layer.getRnnDataFormat());
        assertEquals(Estimator.FLIPOUT, layer.getMeanField().getEstimator());
        assertEquals(0.4, layer.getMeanField().getInitialPosteriorStd());
        assertEquals(RNNFormat.NWC, ((BayesianRnnOutputLayer) back.getConf(1).getLayer()).getRnnDataFormat());

        MultiLayerNetwork net = TestNets.init(conf);
        File file = new File(dir, "lstm.zip");
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertEquals(net.params(), restored.params());
        INDArray x = BayesianLSTMGradientCheckTest.sequences(21, RNNFormat.NWC, BATCH, N_IN, STEPS).castTo(DataType.FLOAT);
        BayesianNetworks.setInferenceMode(net, InferenceMode.MEAN);
        BayesianNetworks.setInferenceMode(restored, InferenceMode.MEAN);
        assertEquals(net.output(x), restored.output(x));
    }

    /** nIn inferred from {@code InputType.recurrent}, as for DL4J's LSTM. */
    @Test
    void nInFromInputType() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new BayesianLSTM.Builder().nOut(4).build())
                .layer(new BayesianRnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(5))
                .build();
        assertEquals(5, ((BayesianLSTM) conf.getConf(0).getLayer()).getNIn());
        assertEquals(4, ((BayesianRnnOutputLayer) conf.getConf(1).getLayer()).getNIn());
    }

    /** Every data type trains a step without NaN and predicts as the double-precision network does. */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"HALF", "FLOAT", "DOUBLE"})
    void dataTypes(DataType type) {
        MultiLayerNetwork net = TestNets.init(bayesian(Estimator.FLIPOUT, type, RNNFormat.NCW));
        MultiLayerNetwork reference = TestNets.init(bayesian(Estimator.FLIPOUT, DataType.DOUBLE, RNNFormat.NCW));
        reference.setParams(net.params().castTo(DataType.DOUBLE));
        BayesianNetworks.setInferenceMode(net, InferenceMode.MEAN);
        BayesianNetworks.setInferenceMode(reference, InferenceMode.MEAN);
        INDArray x = sequences(DataType.DOUBLE);
        double tolerance = type == DataType.HALF ? 2e-2 : type == DataType.FLOAT ? 1e-5 : 1e-12;
        INDArray out = net.output(x.castTo(type));
        assertEquals(type, out.dataType());
        assertTrue(reference.output(x).equalsWithEps(out.castTo(DataType.DOUBLE), tolerance));
        BayesianNetworks.setDatasetSize(net, 50);
        net.fit(x.castTo(type), TestNets.randn(5, type, BATCH, STEPS).reshape(BATCH, 1, STEPS));
        assertTrue(Double.isFinite(net.score()));
        assertFalse(net.params().isNaN().any() || net.params().isInfinite().any());
    }

    @Test
    void badInputIsRejectedWithAMessage() {
        MultiLayerNetwork net = TestNets.init(bayesian(Estimator.FLIPOUT, DataType.FLOAT, RNNFormat.NCW));
        DL4JInvalidInputException rank = assertThrows(DL4JInvalidInputException.class,
                () -> net.output(Nd4j.rand(DataType.FLOAT, BATCH, N_IN)));
        assertTrue(rank.getMessage().contains("BayesianLSTM") || rank.getMessage().contains("rank"), rank.getMessage());
        DL4JInvalidInputException width = assertThrows(DL4JInvalidInputException.class,
                () -> net.output(Nd4j.rand(DataType.FLOAT, BATCH, N_IN + 1, STEPS)));
        assertTrue(width.getMessage().contains("nIn = " + N_IN), width.getMessage());
        IllegalArgumentException lrt = assertThrows(IllegalArgumentException.class,
                () -> new BayesianLSTM.Builder().nIn(2).nOut(3).estimator(Estimator.LOCAL_REPARAMETERIZATION).build());
        assertTrue(lrt.getMessage().contains("LOCAL_REPARAMETERIZATION"), lrt.getMessage());
    }
}
