package io.github.dl4jbayes.training;

import io.github.dl4jbayes.layers.BayesianLayer;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.InferenceMode;
import io.github.dl4jbayes.layers.MeanFieldState;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A Bayesian network saved with everything needed to continue its training exactly: DL4J's model file
 * ({@code ModelSerializer}: configuration, parameters, updater state, iteration and epoch counts) plus one small
 * entry of ours, {@value #ENTRY}, with each Bayesian layer's run-time state (the dataset size N, the inference mode
 * and the position of its noise generator) and, for a checkpoint written during an {@link Advi} fit, the fit's
 * progress (steps done of how many, the position in the current pass over the data, the ELBO trace so far).
 *
 * <p>The file is an ordinary DL4J model file: {@code ModelSerializer.restoreMultiLayerNetwork} reads it (and ignores
 * our entry), and {@link #load} reads any DL4J model file, also one without our entry (a file saved by
 * {@code ModelSerializer} or DL4J's {@code CheckpointListener}): its layers then start with the defaults of a loaded
 * network (N unset, {@link InferenceMode#SAMPLE}, noise from the configuration's seed) and no fit is pending.
 *
 * <pre>{@code
 * Advi advi = Advi.builder().datasetSize(60_000).iterations(20_000).checkpointEvery(1_000, file).build();
 * advi.fit(net, data, 128);                           // interrupted after step 12,345: the file holds step 12,000
 * // later, in a fresh JVM
 * MultiLayerNetwork net = AdviCheckpoint.load(file).multiLayerNetwork();
 * advi.fit(net, data, 128);                           // the remaining 8,000 steps: the same result as uninterrupted
 * }</pre>
 *
 * <p>A network loaded from a checkpoint written during a fit carries that fit's progress until its next
 * {@link Advi} fit, which continues it (the remaining steps, from the same minibatch) instead of starting a new
 * one; that fit must have the same settings and data (it refuses other iterations, warm-up, temperature, Monte-Carlo
 * samples or data shape with a message).
 */
public final class AdviCheckpoint {
    /** The name of our entry in the model file. */
    public static final String ENTRY = "dl4j-bayes-state.properties";

    private static final Logger log = LoggerFactory.getLogger(AdviCheckpoint.class);
    private static final int FORMAT = 1;
    private static final PerNetwork<Progress> PENDING = new PerNetwork<>();

    private final Model network;
    private final Progress progress;

    private AdviCheckpoint(Model network, Progress progress) {
        this.network = network;
        this.progress = progress;
    }

    /**
     * The progress of a fit, as {@link Advi} saves it with a checkpoint: immutable.
     */
    static final class Progress {
        final int iterations;
        final int warmUpSteps;
        final double temperature;
        final int mcSamples;
        final String data;
        final int firstEpoch;
        final int done;
        final int position;
        final long[] elboIterations;
        final double[] elbos;

        Progress(int iterations, int warmUpSteps, double temperature, int mcSamples, String data,
                 int firstEpoch, int done, int position, long[] elboIterations, double[] elbos) {
            this.iterations = iterations;
            this.warmUpSteps = warmUpSteps;
            this.temperature = temperature;
            this.mcSamples = mcSamples;
            this.data = data;
            this.firstEpoch = firstEpoch;
            this.done = done;
            this.position = position;
            this.elboIterations = elboIterations;
            this.elbos = elbos;
        }
    }

    /**
     * Saves {@code net} with its Bayesian layers' run-time state (no fit progress): {@link #load} gives back the
     * network with the same N, inference mode and noise position.
     *
     * @param net  a {@code MultiLayerNetwork} or {@code ComputationGraph} with Bayesian layers
     * @param file where to write (replaced atomically: a reader never sees half a file)
     */
    public static void save(Model net, Path file) {
        save(net, file, null);
    }

    static void save(Model net, Path file, Progress progress) {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        List<BayesianLayer> layers = BayesianNetworks.bayesianLayers(net);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("net has no Bayesian layer: save it with ModelSerializer");
        }
        Properties p = new Properties();
        p.setProperty("format", Integer.toString(FORMAT));
        p.setProperty("graph", Boolean.toString(net instanceof ComputationGraph));
        p.setProperty("layers", Integer.toString(layers.size()));
        for (int i = 0; i < layers.size(); i++) {
            MeanFieldState s = layers.get(i).meanFieldState();
            p.setProperty("layer." + i + ".datasetSize", Long.toString(s.getDatasetSize()));
            p.setProperty("layer." + i + ".inferenceMode", s.getInferenceMode().name());
            if (s.hasNoise()) {
                p.setProperty("layer." + i + ".noiseState", Long.toString(s.getNoiseState()));
            }
        }
        if (progress != null) {
            p.setProperty("fit.iterations", Integer.toString(progress.iterations));
            p.setProperty("fit.warmUpSteps", Integer.toString(progress.warmUpSteps));
            p.setProperty("fit.temperature", Double.toString(progress.temperature));
            p.setProperty("fit.mcSamples", Integer.toString(progress.mcSamples));
            p.setProperty("fit.data", progress.data);
            p.setProperty("fit.firstEpoch", Integer.toString(progress.firstEpoch));
            p.setProperty("fit.done", Integer.toString(progress.done));
            p.setProperty("fit.position", Integer.toString(progress.position));
            p.setProperty("fit.elbo.iterations", join(progress.elboIterations));
            p.setProperty("fit.elbo.values", join(progress.elbos));
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            ByteArrayOutputStream model = new ByteArrayOutputStream();
            ModelSerializer.writeModel(net, model, true);
            try (OutputStream out = Files.newOutputStream(tmp);
                 ZipOutputStream zip = new ZipOutputStream(out);
                 ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(model.toByteArray()))) {
                for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    zip.putNextEntry(new ZipEntry(e.getName()));
                    in.transferTo(zip);
                    zip.closeEntry();
                }
                zip.putNextEntry(new ZipEntry(ENTRY));
                StringWriter text = new StringWriter();
                p.store(text, "dl4j-bayes: Bayesian layers' run-time state and fit progress");
                zip.write(text.toString().getBytes(StandardCharsets.ISO_8859_1));
                zip.closeEntry();
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the checkpoint " + file, e);
        }
    }

    /**
     * Loads a network saved by {@link #save}, by an {@link Advi} checkpoint, or by DL4J's {@code ModelSerializer}
     * (then with the defaults of a loaded network), with its updater state.
     *
     * @param file a DL4J model file
     * @return the checkpoint: the network, and the progress of the fit it was saved from, if any
     * @throws IllegalArgumentException if the file does not exist or is not a DL4J model file
     */
    public static AdviCheckpoint load(Path file) {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("No checkpoint at " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the checkpoint " + file, e);
        }
        Properties state = null;
        boolean graph = false;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            boolean model = false;
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.getName().equals(ENTRY)) {
                    state = new Properties();
                    state.load(new StringReader(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)));
                } else if (e.getName().equals("configuration.json")) {
                    model = true;
                    graph = new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("\"vertices\"");
                }
            }
            if (!model) {
                throw new IllegalArgumentException(file + " is not a DL4J model file (no configuration.json)");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not a DL4J model file: " + e.getMessage(), e);
        }
        if (state != null) {
            graph = Boolean.parseBoolean(required(state, "graph", file));
        }
        Model net;
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            net = graph ? ModelSerializer.restoreComputationGraph(in, true)
                    : ModelSerializer.restoreMultiLayerNetwork(in, true);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("Cannot load the network of " + file + ": " + e.getMessage(), e);
        }
        if (state == null) {
            log.info("{} holds no dl4j-bayes state: the layers start with a loaded network's defaults", file);
            return new AdviCheckpoint(net, null);
        }
        Progress progress = restore(net, state, file);
        PENDING.put(net, progress);
        return new AdviCheckpoint(net, progress);
    }

    private static Progress restore(Model net, Properties p, Path file) {
        int format = Integer.parseInt(required(p, "format", file));
        if (format > FORMAT) {
            throw new IllegalArgumentException(file + " was written by a newer dl4j-bayes (state format " + format
                    + ", this version reads " + FORMAT + ")");
        }
        List<BayesianLayer> layers = BayesianNetworks.bayesianLayers(net);
        int saved = Integer.parseInt(required(p, "layers", file));
        if (saved != layers.size()) {
            throw new IllegalArgumentException(file + " holds the state of " + saved + " Bayesian layers, its network has "
                    + layers.size());
        }
        for (int i = 0; i < layers.size(); i++) {
            MeanFieldState s = layers.get(i).meanFieldState();
            long n = Long.parseLong(required(p, "layer." + i + ".datasetSize", file));
            if (n > 0) {
                s.setDatasetSize(n);
            }
            s.setInferenceMode(InferenceMode.valueOf(required(p, "layer." + i + ".inferenceMode", file)));
            String noise = p.getProperty("layer." + i + ".noiseState");
            if (noise != null) {
                s.setNoiseState(Long.parseLong(noise));
            }
        }
        if (p.getProperty("fit.iterations") == null) {
            return null;
        }
        Progress progress = new Progress(Integer.parseInt(p.getProperty("fit.iterations")),
                Integer.parseInt(required(p, "fit.warmUpSteps", file)),
                Double.parseDouble(required(p, "fit.temperature", file)),
                Integer.parseInt(required(p, "fit.mcSamples", file)), required(p, "fit.data", file),
                Integer.parseInt(required(p, "fit.firstEpoch", file)), Integer.parseInt(required(p, "fit.done", file)), Integer.parseInt(required(p, "fit.position", file)),
                longs(required(p, "fit.elbo.iterations", file)), doubles(required(p, "fit.elbo.values", file)));
        return progress.done < progress.iterations ? progress : null;
    }

    private static String required(Properties p, String key, Path file) {
        String value = p.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException(file + ": the dl4j-bayes state lacks '" + key + "'");
        }
        return value;
    }

    /** @return the loaded network ({@code MultiLayerNetwork} or {@code ComputationGraph}) */
    public Model network() {
        return network;
    }

    /**
     * @return the loaded network as a {@code MultiLayerNetwork}
     * @throws IllegalStateException if it is a {@code ComputationGraph}
     */
    public MultiLayerNetwork multiLayerNetwork() {
        if (!(network instanceof MultiLayerNetwork)) {
            throw new IllegalStateException("The checkpoint holds a ComputationGraph: use computationGraph()");
        }
        return (MultiLayerNetwork) network;
    }

    /**
     * @return the loaded network as a {@code ComputationGraph}
     * @throws IllegalStateException if it is a {@code MultiLayerNetwork}
     */
    public ComputationGraph computationGraph() {
        if (!(network instanceof ComputationGraph)) {
            throw new IllegalStateException("The checkpoint holds a MultiLayerNetwork: use multiLayerNetwork()");
        }
        return (ComputationGraph) network;
    }

    /** @return whether the checkpoint was written during a fit that had steps left (the next fit continues it) */
    public boolean fitPending() {
        return progress != null;
    }

    /** @return the steps the interrupted fit had done, 0 when no fit is pending */
    public int stepsDone() {
        return progress == null ? 0 : progress.done;
    }

    /** @return the steps of the interrupted fit in all, 0 when no fit is pending */
    public int iterations() {
        return progress == null ? 0 : progress.iterations;
    }

    /** @return the progress of the fit {@code net} was loaded in the middle of, or null */
    static Progress pending(Model net) {
        return PENDING.get(net);
    }

    /** Forgets the pending fit of {@code net}: a fit has taken it up. */
    static void forget(Model net) {
        PENDING.remove(net);
    }

    private static String join(long[] values) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            b.append(i > 0 ? "," : "").append(values[i]);
        }
        return b.toString();
    }

    private static String join(double[] values) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            b.append(i > 0 ? "," : "").append(Double.toHexString(values[i]));   // exact
        }
        return b.toString();
    }

    private static long[] longs(String text) {
        return text.isEmpty() ? new long[0] : Arrays.stream(text.split(",")).mapToLong(Long::parseLong).toArray();
    }

    private static double[] doubles(String text) {
        return text.isEmpty() ? new double[0] : Arrays.stream(text.split(",")).mapToDouble(Double::parseDouble).toArray();
    }
}
