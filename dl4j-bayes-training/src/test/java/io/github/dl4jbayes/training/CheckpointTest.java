package io.github.dl4jbayes.training;

import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.layers.Estimator;
import io.github.dl4jbayes.layers.InferenceMode;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.listeners.CheckpointListener;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fit saved at step k and continued from the checkpoint (in this JVM or a fresh one) ends with the uninterrupted
 * fit's parameters, updater state and ELBO trace, bit for bit: with a full batch, in-memory minibatches (the pass
 * resumed mid-way) and an iterator; inside and after the KL warm-up; with the fused and DL4J's step; for a
 * MultiLayerNetwork and a ComputationGraph.
 */
class CheckpointTest {
    static final int ITERATIONS = 40;
    static final int EVERY = 15;                // the checkpoint file ends holding step 30
    static final int N = 100;

    enum Feed { FULL_BATCH, MINIBATCHES, ITERATOR }

    static DataSet data() {
        DataSet d = AdviTest.data(N);
        d.setFeatures(d.getFeatures().castTo(DataType.FLOAT));
        d.setLabels(d.getLabels().castTo(DataType.FLOAT));
        return d;
    }

    static MultiLayerNetwork net(Estimator estimator) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.FLOAT).updater(new Adam(0.02)).list()
                .layer(new BayesianDenseLayer.Builder().nIn(2).nOut(5).activation(Activation.TANH)
                        .estimator(estimator).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(5).nOut(1)
                        .activation(Activation.SIGMOID).estimator(estimator).build())
                .build());
        net.init();
        return net;
    }

    /** @param warmUp the KL warm-up: 36 puts the checkpoint at step 30 inside it, 10 after it */
    static Advi.Builder advi(int warmUp, boolean fused) {
        return Advi.builder().datasetSize(N).iterations(ITERATIONS).printEvery(0).klAnnealingIterations(warmUp)
                .fused(fused);
    }

    static ElboHistory fit(Advi advi, Model net, Feed feed, DataSet data) {
        switch (feed) {
            case FULL_BATCH:
                return advi.fit(net, data);
            case MINIBATCHES:
                return advi.fit(net, data, 32);                   // 4 minibatches a pass: step 30 is mid-pass
            default:
                return advi.fit(net, new ListDataSetIterator<>(data.batchBy(32), 1));
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Feed feed : Feed.values()) {
            cases.add(Arguments.of(feed, 36, true, Estimator.REPARAMETERIZATION, EVERY));
            cases.add(Arguments.of(feed, 10, false, Estimator.FLIPOUT, EVERY));
            cases.add(Arguments.of(feed, 10, true, Estimator.REPARAMETERIZATION, 12));   // step 36: a pass just ended
        }
        cases.add(Arguments.of(Feed.MINIBATCHES, 10, true, Estimator.LOCAL_REPARAMETERIZATION, EVERY));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, warm-up {1}, fused {2}, {3}, checkpoint every {4}")
    @MethodSource("cases")
    void aContinuedFitEndsWhereTheUninterruptedOneDoes(Feed feed, int warmUp, boolean fused, Estimator estimator,
                                                      int every, @TempDir Path dir) {
        int savedAt = ITERATIONS / every * every;
        DataSet data = data();
        MultiLayerNetwork uninterrupted = net(estimator);
        ElboHistory expected = fit(advi(warmUp, fused).build(), uninterrupted, feed, data);

        Path file = dir.resolve("fit.zip");
        MultiLayerNetwork checkpointed = net(estimator);
        fit(advi(warmUp, fused).checkpointEvery(every, file).build(), checkpointed, feed, data);
        assertExactlyEqual(uninterrupted, checkpointed, "writing checkpoints does not disturb the fit");

        AdviCheckpoint checkpoint = AdviCheckpoint.load(file);
        assertTrue(checkpoint.fitPending());
        assertEquals(savedAt, checkpoint.stepsDone());
        assertEquals(ITERATIONS, checkpoint.iterations());
        MultiLayerNetwork resumed = checkpoint.multiLayerNetwork();
        assertEquals(savedAt, resumed.getIterationCount());
        assertEquals(N, BayesianNetworks.getDatasetSize(resumed), "N is saved with the network");
        ElboHistory continued = fit(advi(warmUp, fused).build(), resumed, feed, data);
        assertExactlyEqual(uninterrupted, resumed, "continued from the checkpoint at step " + savedAt);
        assertArrayEquals(expected.elbos(), continued.elbos(), "the ELBO trace of the whole fit");
        assertArrayEquals(expected.iterations(), continued.iterations());
        assertFalse(AdviCheckpoint.load(file).network() == resumed, "each load gives a new network");
    }

    @Test
    void aComputationGraphContinuesExactly(@TempDir Path dir) {
        DataSet data = data();
        ComputationGraph uninterrupted = ComputationGraphAdviTest.notebookGraph();
        fit(advi(36, true).build(), uninterrupted, Feed.MINIBATCHES, data);
        Path file = dir.resolve("graph.zip");
        fit(advi(36, true).checkpointEvery(EVERY, file).build(), ComputationGraphAdviTest.notebookGraph(),
                Feed.MINIBATCHES, data);
        ComputationGraph resumed = AdviCheckpoint.load(file).computationGraph();
        fit(advi(36, true).build(), resumed, Feed.MINIBATCHES, data);
        assertExactlyEqual(uninterrupted, resumed, "graph continued from step 30");
    }

    /** The same as the first test, with the continuation in a fresh JVM (nothing carried over in static state). */
    @Test
    void aFitContinuedInAFreshJvmEndsWhereTheUninterruptedOneDoes(@TempDir Path dir) throws Exception {
        DataSet data = data();
        MultiLayerNetwork uninterrupted = net(Estimator.REPARAMETERIZATION);
        fit(advi(36, true).build(), uninterrupted, Feed.MINIBATCHES, data);
        Path file = dir.resolve("fit.zip");
        fit(advi(36, true).checkpointEvery(EVERY, file).build(), net(Estimator.REPARAMETERIZATION),
                Feed.MINIBATCHES, data);

        Path out = dir.resolve("params.txt");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ContinueInFreshJvm.class.getName());
        command.add(file.toString());
        command.add(out.toString());
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        assertTrue(child.waitFor(5, TimeUnit.MINUTES), "the fresh JVM finished");
        assertEquals(0, child.exitValue(), () -> "the fresh JVM failed:\n" + read(dir.resolve("child.log")));
        double[] params = Files.readAllLines(out).stream().mapToDouble(Double::parseDouble).toArray();
        assertArrayEquals(uninterrupted.params().toDoubleVector(), params);
    }

    /** The fresh JVM's side: loads the checkpoint, continues the fit, writes the parameters (exact hex doubles). */
    static final class ContinueInFreshJvm {
        public static void main(String[] args) throws Exception {
            MultiLayerNetwork net = AdviCheckpoint.load(Path.of(args[0])).multiLayerNetwork();
            fit(advi(36, true).build(), net, Feed.MINIBATCHES, data());
            StringBuilder b = new StringBuilder();
            for (double v : net.params().toDoubleVector()) {
                b.append(Double.toHexString(v)).append('\n');
            }
            Files.writeString(Path.of(args[1]), b.toString());
        }
    }

    @Test
    void theLayersStateIsSavedAndAnOldModelFileStillLoads(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = net(Estimator.REPARAMETERIZATION);
        fit(advi(10, true).build(), net, Feed.FULL_BATCH, data());
        BayesianNetworks.setInferenceMode(net, InferenceMode.MEAN);
        Path file = dir.resolve("state.zip");
        AdviCheckpoint.save(net, file);
        MultiLayerNetwork loaded = AdviCheckpoint.load(file).multiLayerNetwork();
        assertEquals(N, BayesianNetworks.getDatasetSize(loaded));
        assertEquals(InferenceMode.MEAN, BayesianNetworks.getInferenceMode(loaded));
        BayesianNetworks.setInferenceMode(net, InferenceMode.SAMPLE);
        BayesianNetworks.setInferenceMode(loaded, InferenceMode.SAMPLE);
        DataSet probe = data();
        assertArrayEquals(net.output(probe.getFeatures()).toDoubleVector(),
                loaded.output(probe.getFeatures()).toDoubleVector(), "the noise continues where it was");
        assertFalse(AdviCheckpoint.load(file).fitPending(), "saved outside a fit: nothing to continue");
        // DL4J reads the file as an ordinary model file
        MultiLayerNetwork plain = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true);
        assertArrayEquals(net.params().toDoubleVector(), plain.params().toDoubleVector());

        // a file without our entry (ModelSerializer's): the defaults of a loaded network
        Path old = dir.resolve("old.zip");
        ModelSerializer.writeModel(net, old.toFile(), true);
        AdviCheckpoint fromOld = AdviCheckpoint.load(old);
        assertFalse(fromOld.fitPending());
        assertEquals(0, BayesianNetworks.getDatasetSize(fromOld.network()), "N unset");
        assertEquals(InferenceMode.SAMPLE, BayesianNetworks.getInferenceMode(fromOld.network()));
        assertArrayEquals(net.params().toDoubleVector(), fromOld.network().params().toDoubleVector());
        fit(advi(10, true).build(), fromOld.network(), Feed.FULL_BATCH, data());   // trains on: N from Advi
        assertEquals(ITERATIONS * 3, ((MultiLayerNetwork) fromOld.network()).getIterationCount() + ITERATIONS);
    }

    /**
     * What DL4J's own {@code CheckpointListener} keeps of a Bayesian network: parameters, updater state, iteration
     * and epoch counts (ModelSerializer's file, with the counts one step behind); not N, the inference mode or the noise position, nor the fit's
     * progress: a fit continued from it keeps the warm-up (the iteration count) but draws other noise.
     */
    @Test
    void dl4jsCheckpointListenerKeepsParametersAndUpdaterButNotTheLayersState(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = net(Estimator.REPARAMETERIZATION);
        net.setListeners(new CheckpointListener.Builder(dir.toFile()).saveEveryNIterations(ITERATIONS - 1)
                .keepLast(1).build());
        fit(advi(10, true).build(), net, Feed.MINIBATCHES, data());
        File[] saved = dir.toFile().listFiles((d, name) -> name.endsWith(".zip"));
        assertEquals(1, saved.length, () -> java.util.Arrays.toString(dir.toFile().list()));
        MultiLayerNetwork loaded = ModelSerializer.restoreMultiLayerNetwork(saved[0], true);
        assertArrayEquals(net.params().toDoubleVector(), loaded.params().toDoubleVector());
        assertArrayEquals(net.getUpdater().getStateViewArray().toDoubleVector(),
                loaded.getUpdater().getStateViewArray().toDoubleVector());
        // DL4J's listener saves inside iterationDone, before the network counts the step: the file holds the
        // parameters after step 40 with the counts of step 39 (a fit continued from it repeats one step's warm-up
        // weight and Adam's bias correction); AdviCheckpoint saves after the count
        assertEquals(ITERATIONS - 1, loaded.getIterationCount());
        assertEquals(net.getEpochCount() - 1, loaded.getEpochCount());
        assertEquals(0, BayesianNetworks.getDatasetSize(loaded), "N is not in DL4J's file");
    }

    @Test
    void aDifferentFitIsRefusedAndBadArgumentsAreNamed(@TempDir Path dir) {
        DataSet data = data();
        Path file = dir.resolve("fit.zip");
        fit(advi(36, true).checkpointEvery(EVERY, file).build(), net(Estimator.REPARAMETERIZATION), Feed.MINIBATCHES,
                data);
        Model loaded = AdviCheckpoint.load(file).network();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Advi.builder().datasetSize(N)
                .iterations(80).printEvery(0).klAnnealingIterations(36).build().fit(loaded, data, 32));
        assertTrue(e.getMessage().contains("iterations 40"), e.getMessage());
        Model again = AdviCheckpoint.load(file).network();
        e = assertThrows(IllegalArgumentException.class, () -> fit(advi(36, true).build(), again, Feed.FULL_BATCH,
                data));
        assertTrue(e.getMessage().contains("data"), e.getMessage());
        assertEquals(30, ((MultiLayerNetwork) again).getIterationCount(), "refused before any step");
        fit(advi(36, true).build(), again, Feed.MINIBATCHES, data);
        assertEquals(ITERATIONS, ((MultiLayerNetwork) again).getIterationCount(), "the right fit still continues");

        e = assertThrows(IllegalArgumentException.class, () -> Advi.builder().checkpointEvery(0, file));
        assertTrue(e.getMessage().contains("steps"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Advi.builder().checkpointEvery(5, null));
        assertTrue(e.getMessage().contains("file"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Advi.builder().checkpointEvery(5, file)
                .earlyStopping(EarlyStopping.onElbo()).build());
        assertTrue(e.getMessage().contains("earlyStopping"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdviCheckpoint.load(dir.resolve("missing.zip")));
        assertTrue(e.getMessage().contains("missing.zip"), e.getMessage());
        Path notAModel = dir.resolve("text.zip");
        assertThrows(IllegalArgumentException.class, () -> {
            Files.writeString(notAModel, "not a zip");
            AdviCheckpoint.load(notAModel);
        });
    }

    private static void assertExactlyEqual(Model expected, Model actual, String what) {
        assertArrayEquals(expected.params().toDoubleVector(), actual.params().toDoubleVector(), what + ": parameters");
        assertArrayEquals(updaterState(expected), updaterState(actual), what + ": updater state");
    }

    private static double[] updaterState(Model net) {
        return net instanceof MultiLayerNetwork ? ((MultiLayerNetwork) net).getUpdater().getStateViewArray()
                .toDoubleVector() : ((ComputationGraph) net).getUpdater().getStateViewArray().toDoubleVector();
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return "(no log)";
        }
    }
}
