package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.priors.LaplacePrior;
import io.github.dl4jbayes.priors.LearnedScalePrior;
import io.github.dl4jbayes.priors.ScaleMixturePrior;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A network saved with {@code ModelSerializer} by an earlier version of the library (the fixture in
 * {@code src/test/resources/compat}, written by {@link #main} on 2026-12-06, before the packages were reorganized)
 * still loads, predicts what it predicted then, and trains on.
 */
class SavedNetworkCompatibilityTest {
    private static final String NETWORK = "/compat/network-2026-12-06.zip";
    private static final String EXPECTED = "/compat/network-2026-12-06-mean-output.txt";

    /** Every Bayesian layer type, every estimator and four priors, trained a few steps so that no parameter is at its init. */
    static MultiLayerNetwork fixtureNetwork() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(11).dataType(DataType.FLOAT).updater(new Adam(0.01)).list()
                .layer(new BayesianConvolutionLayer.Builder(3, 3).nOut(2).activation(Activation.TANH)
                        .estimator(Estimator.FLIPOUT).prior(new ScaleMixturePrior(0.5, 1.0, 0.05)).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(1, 1).build())
                .layer(new BayesianDenseLayer.Builder().nOut(4).activation(Activation.RELU)
                        .estimator(Estimator.LOCAL_REPARAMETERIZATION).prior(new LaplacePrior(0, 0.5)).build())
                .layer(new BayesianDenseLayer.Builder().nOut(4).activation(Activation.TANH)
                        .prior(new GaussianPrior(0.1, 0.8)).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).prior(LearnedScalePrior.perUnit()).build())
                .setInputType(InputType.convolutional(6, 6, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static INDArray input() {
        return Nd4j.linspace(-1, 1, 4 * 36, DataType.FLOAT).reshape(4, 1, 6, 6);
    }

    static INDArray labels() {
        return Nd4j.eye(3).castTo(DataType.FLOAT).get(org.nd4j.linalg.indexing.NDArrayIndex.indices(0, 1, 2, 0));
    }

    /** Writes the fixture: {@code main(src/test/resources/compat)}; run once, with the version whose format it records. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        MultiLayerNetwork net = fixtureNetwork();
        BayesianNetworks.setDatasetSize(net, 100);
        BayesianNetworks.setNoiseSeed(net, 5);
        for (int i = 0; i < 20; i++) {
            net.fit(input(), labels());
        }
        ModelSerializer.writeModel(net, dir.resolve("network-2026-12-06.zip").toFile(), true);
        BayesianNetworks.setInferenceMode(net, InferenceMode.MEAN);
        float[] out = net.output(input()).data().asFloat();
        StringBuilder text = new StringBuilder();
        for (float v : out) {
            text.append(Float.toString(v)).append('\n');
        }
        text.append("kl ").append(BayesianNetworks.klDivergence(net)).append('\n');
        Files.writeString(dir.resolve("network-2026-12-06-mean-output.txt"), text.toString());
    }

    @Test
    void aNetworkSavedByAnEarlierVersionLoadsPredictsAsThenAndTrainsOn(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws IOException {
        File zip = tmp.resolve("network.zip").toFile();
        try (InputStream in = getClass().getResourceAsStream(NETWORK)) {
            assertNotNull(in, NETWORK);
            Files.copy(in, zip.toPath());
        }
        String[] lines;
        try (InputStream in = getClass().getResourceAsStream(EXPECTED)) {
            assertNotNull(in, EXPECTED);
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
        }
        float[] expected = new float[lines.length - 1];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = Float.parseFloat(lines[i]);
        }
        double expectedKl = Double.parseDouble(lines[lines.length - 1].substring(3));

        MultiLayerNetwork loaded = ModelSerializer.restoreMultiLayerNetwork(zip, true);
        // every layer's configuration is today's: same hyperparameters, same priors
        MultiLayerConfiguration today = fixtureNetwork().getLayerWiseConfigurations();
        for (int i = 0; i < today.getConfs().size(); i++) {
            assertEquals(NeuralNetConfiguration.mapper().writeValueAsString(today.getConf(i).getLayer()),
                    NeuralNetConfiguration.mapper().writeValueAsString(loaded.getLayerWiseConfigurations().getConf(i)
                            .getLayer()), "layer " + i);
        }
        BayesianNetworks.setInferenceMode(loaded, InferenceMode.MEAN);
        float[] out = loaded.output(input()).data().asFloat();
        // the same arithmetic on the same parameters: equal up to float rounding in a different summation order
        assertArrayEquals(expected, out, 1e-6f, () -> Arrays.toString(out));
        assertEquals(expectedKl, BayesianNetworks.klDivergence(loaded), 1e-6 * Math.abs(expectedKl));

        BayesianNetworks.setInferenceMode(loaded, InferenceMode.SAMPLE);
        BayesianNetworks.setDatasetSize(loaded, 100);
        double before = loaded.score(new org.nd4j.linalg.dataset.DataSet(input(), labels()), false);
        loaded.fit(input(), labels());
        assertTrue(Double.isFinite(loaded.score()) && Double.isFinite(before), "trains on");
        assertEquals(21, loaded.getIterationCount(), "the saved iteration count (20) continues");
    }
}
