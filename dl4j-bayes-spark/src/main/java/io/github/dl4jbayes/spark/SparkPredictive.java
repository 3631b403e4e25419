package io.github.dl4jbayes.spark;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.KernelPolicy;
import io.github.dl4jbayes.internal.NetworkAdapter;
import io.github.dl4jbayes.predict.ClassificationUncertainty;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.predict.PredictiveModel;
import io.github.dl4jbayes.predict.PredictiveSamples;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import scala.Tuple2;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The predictive of a network for every row of a keyed RDD of feature vectors: for each row, the mean and standard
 * deviation of the network's output over {@code samples} draws, and for classifiers (softmax output, or one sigmoid
 * output) the mutual information between the prediction and the weights (BALD's score, the epistemic part of the
 * uncertainty). The networks are broadcast once (as {@code ModelSerializer} bytes); each partition restores them once
 * and predicts its rows in chunks of {@code rowsPerDraw}.
 *
 * <p>{@link #of(JavaSparkContext, Model)} takes a Bayesian network: every chunk gets {@code samples} fresh
 * whole-network draws (as {@link PosteriorPredictive} does), the noise seeded from the seed and the partition. Any
 * other {@link PredictiveModel} runs through {@link #of(JavaSparkContext, List, Predictor)}: the networks it needs are
 * broadcast, and a {@link Predictor} builds it from them on each partition:
 *
 * <pre>{@code
 * JavaPairRDD<Long, SparkPredictive.Row> bayes = SparkPredictive.of(sc, bayesianNet).samples(500).predict(rowsById);
 * JavaPairRDD<Long, SparkPredictive.Row> dropout = SparkPredictive.of(sc, List.of(plainNet),
 *         (nets, samples, seed) -> McDropout.of(nets.get(0)).samples(samples).seed(seed)).predict(rowsById);
 * JavaPairRDD<Long, SparkPredictive.Row> ensemble = SparkPredictive.of(sc, members,
 *         (nets, samples, seed) -> DeepEnsemble.of(nets)).predict(rowsById);
 * }</pre>
 */
public final class SparkPredictive implements Serializable {
    private static final long serialVersionUID = 2L;

    /**
     * Builds, on a Spark worker, the predictive of the networks broadcast with it. Must be serializable (a lambda
     * whose captured values are serializable is).
     */
    @FunctionalInterface
    public interface Predictor extends Serializable {
        /**
         * @param networks the networks given to {@link #of(JavaSparkContext, List, Predictor)}, restored on this
         *                 worker, in their order
         * @param samples  the draws per row ({@link #samples(int)}); a method with a fixed number of samples (an
         *                 ensemble) may ignore it
         * @param seed     the seed of this partition's draws, from {@link #seed(long)} and the partition's index
         * @return the predictive the partition's rows go through
         */
        PredictiveModel create(List<Model> networks, int samples, long seed);
    }

    private final Broadcast<byte[][]> networks;
    private final boolean[] graphs;
    private final Predictor predictor;
    private final boolean classifier;
    private int samples = 100;
    private int rowsPerDraw = 256;
    private long seed;

    private SparkPredictive(Broadcast<byte[][]> networks, boolean[] graphs, Predictor predictor, boolean classifier,
                            long seed) {
        this.networks = networks;
        this.graphs = graphs;
        this.predictor = predictor;
        this.classifier = classifier;
        this.seed = seed;
    }

    /** @return a copy with the current settings, for a job: later settings must not change a lazy result */
    private SparkPredictive frozen() {
        SparkPredictive copy = new SparkPredictive(networks, graphs, predictor, classifier, seed);
        copy.samples = samples;
        copy.rowsPerDraw = rowsPerDraw;
        return copy;
    }

    /**
     * The posterior predictive of a Bayesian network. Broadcasts the network (its configuration, parameters and
     * kernel policy; the inference settings are those of a fresh network: fresh draws).
     *
     * @param net a {@code MultiLayerNetwork}, or a {@code ComputationGraph} of one input and one output, with
     *            Bayesian layers
     */
    public static SparkPredictive of(JavaSparkContext sc, Model net) {
        if (sc == null) {
            throw new IllegalArgumentException("the Spark context must not be null");
        }
        NetworkAdapter adapter = checked(net, "net");
        if (BayesianNetworks.bayesianLayers(net).isEmpty()) {
            throw new IllegalArgumentException("The network has no Bayesian layer: its predictive has no spread; for "
                    + "a plain network use of(sc, networks, predictor) with McDropout, DeepEnsemble or your own");
        }
        KernelPolicy policy = BayesianNetworks.getKernelPolicy(net);    // the driver's network's, on every worker
        boolean classifier = isClassifier(adapter.outputLayer(0));
        return broadcast(sc, List.of(net), (nets, samples, seed) -> {
            Model restored = nets.get(0);
            BayesianNetworks.setKernelPolicy(restored, policy);
            BayesianNetworks.setNoiseSeed(restored, seed);
            return PosteriorPredictive.of(restored).samples(samples).keepSamples(classifier);
        }, classifier, adapter.seed());
    }

    /**
     * Any predictive model: MC dropout, a deep ensemble, a last-layer Laplace approximation loaded on the workers,
     * your own. Broadcasts {@code networks}; each partition restores them and asks {@code predictor} for its
     * predictive. The rows get a mutual information when the first network is a classifier (softmax output, or one
     * sigmoid output) and the predictive keeps its samples.
     *
     * @param networks  the networks the predictor needs (each a {@code MultiLayerNetwork}, or a
     *                  {@code ComputationGraph} of one input and one output); may be empty when the predictor loads
     *                  its own
     * @param predictor builds the predictive on a worker from the restored networks
     * @throws IllegalArgumentException naming the bad argument
     */
    public static SparkPredictive of(JavaSparkContext sc, List<? extends Model> networks, Predictor predictor) {
        if (networks == null) {
            throw new IllegalArgumentException("networks must not be null (an empty list when the predictor needs none)");
        }
        if (predictor == null) {
            throw new IllegalArgumentException("predictor must not be null");
        }
        if (sc == null) {
            throw new IllegalArgumentException("the Spark context must not be null");
        }
        boolean classifier = false;
        long seed = 0;
        for (int i = 0; i < networks.size(); i++) {
            NetworkAdapter adapter = checked(networks.get(i), "networks[" + i + "]");
            if (i == 0) {
                classifier = isClassifier(adapter.outputLayer(0));
                seed = adapter.seed();
            }
        }
        return broadcast(sc, networks, predictor, classifier, seed);
    }

    private static NetworkAdapter checked(Model net, String name) {
        if (net == null) {
            throw new IllegalArgumentException(name + " must be a MultiLayerNetwork or a ComputationGraph, got null");
        }
        NetworkAdapter adapter = NetworkAdapter.of(net);
        if (adapter.numInputs() != 1 || adapter.numOutputs() != 1) {
            throw new IllegalArgumentException("SparkPredictive takes networks of one input and one output; " + name
                    + " has " + adapter.numInputs() + " and " + adapter.numOutputs());
        }
        return adapter;
    }

    private static SparkPredictive broadcast(JavaSparkContext sc, List<? extends Model> nets, Predictor predictor,
                                             boolean classifier, long seed) {
        byte[][] bytes = new byte[nets.size()][];
        boolean[] graphs = new boolean[nets.size()];
        for (int i = 0; i < bytes.length; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                ModelSerializer.writeModel(nets.get(i), out, false);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not serialize network " + i, e);
            }
            bytes[i] = out.toByteArray();
            graphs[i] = nets.get(i) instanceof ComputationGraph;
        }
        return new SparkPredictive(sc.broadcast(bytes), graphs, predictor, classifier, seed);
    }

    private static boolean isClassifier(Layer output) {
        org.deeplearning4j.nn.conf.layers.Layer conf = output.conf().getLayer();
        // softmax: class probabilities; sigmoid with one output: a Bernoulli probability (several sigmoid outputs
        // are independent labels, not one categorical distribution, and get no mutual information here)
        return conf instanceof BaseOutputLayer && (((BaseOutputLayer) conf).getActivationFn() instanceof ActivationSoftmax
                || ((BaseOutputLayer) conf).getActivationFn() instanceof ActivationSigmoid
                && ((BaseOutputLayer) conf).getNOut() == 1);
    }

    /** @param samples the draws per row (&gt; 0; default 100), handed to the predictor */
    public SparkPredictive samples(int samples) {
        this.samples = ArgumentChecks.positive("samples", samples);
        return this;
    }

    /** @param rowsPerDraw rows predicted together, sharing each draw of the weights (&gt; 0; default 256) */
    public SparkPredictive rowsPerDraw(int rowsPerDraw) {
        this.rowsPerDraw = ArgumentChecks.positive("rowsPerDraw", rowsPerDraw);
        return this;
    }

    /** @param seed the seed of the draws (default: the first network's), combined with each partition's index */
    public SparkPredictive seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * @param rows feature vectors keyed by anything (a row id), each of the network's input length
     * @param <K>  the key type
     * @return for each input row, under its key, the predictive summary
     */
    public <K> JavaPairRDD<K, Row> predict(JavaPairRDD<K, INDArray> rows) {
        if (rows == null) {
            throw new IllegalArgumentException("rows must not be null");
        }
        return rows.mapPartitionsToPair(frozen()::predictPartition);
    }

    private <K> Iterator<Tuple2<K, Row>> predictPartition(Iterator<Tuple2<K, INDArray>> input) throws IOException {
        List<Tuple2<K, Row>> out = new ArrayList<>();
        if (!input.hasNext()) {
            return out.iterator();
        }
        TaskContext task = TaskContext.get();
        long partitionSeed = BayesianTrainingHook.workerSeed(seed, 0, task != null ? task.partitionId() : 0);
        PredictiveModel predictive = predictor.create(restore(), samples, partitionSeed);
        if (predictive == null) {
            throw new IllegalStateException("The predictor returned null");
        }
        List<Tuple2<K, INDArray>> chunk = new ArrayList<>(rowsPerDraw);
        while (input.hasNext()) {
            chunk.add(input.next());
            if (chunk.size() == rowsPerDraw || !input.hasNext()) {
                predictChunk(predictive, chunk, out);
                chunk.clear();
            }
        }
        return out.iterator();
    }

    private List<Model> restore() throws IOException {
        byte[][] bytes = networks.value();
        List<Model> nets = new ArrayList<>(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            ByteArrayInputStream in = new ByteArrayInputStream(bytes[i]);
            nets.add(graphs[i] ? ModelSerializer.restoreComputationGraph(in, false)
                    : ModelSerializer.restoreMultiLayerNetwork(in, false));
        }
        return nets;
    }

    private <K> void predictChunk(PredictiveModel predictive, List<Tuple2<K, INDArray>> chunk,
                                  List<Tuple2<K, Row>> out) {
        INDArray[] features = new INDArray[chunk.size()];
        for (int i = 0; i < features.length; i++) {
            INDArray x = chunk.get(i)._2();
            features[i] = x.reshape(1, x.length());
        }
        INDArray stacked = Nd4j.vstack(features);
        PredictiveSamples p = predictive.predict(stacked);
        INDArray mean = p.mean().castTo(DataType.DOUBLE);
        INDArray std = p.std().castTo(DataType.DOUBLE);
        INDArray mi = classifier && p.hasSamples()
                ? ClassificationUncertainty.of(p).mutualInformation().castTo(DataType.DOUBLE) : null;
        for (int i = 0; i < features.length; i++) {
            out.add(new Tuple2<>(chunk.get(i)._1(), new Row(mean.getRow(i).toDoubleVector(),
                    std.getRow(i).toDoubleVector(), mi != null ? mi.getDouble(i) : Double.NaN)));
        }
    }

    /** The predictive summary of one input row. */
    public static final class Row implements Serializable {
        private static final long serialVersionUID = 1L;
        private final double[] mean;
        private final double[] std;
        private final double mutualInformation;

        Row(double[] mean, double[] std, double mutualInformation) {
            this.mean = mean;
            this.std = std;
            this.mutualInformation = mutualInformation;
        }

        /** @return the predictive mean of each output (class probabilities for a classifier) */
        public double[] mean() {
            return mean.clone();
        }

        /** @return the standard deviation of each output over the draws */
        public double[] std() {
            return std.clone();
        }

        /**
         * @return the mutual information (nats) for a softmax or single-sigmoid classifier whose predictive keeps its
         *         samples, else NaN
         */
        public double mutualInformation() {
            return mutualInformation;
        }

        @Override
        public String toString() {
            return "Row(mean=" + java.util.Arrays.toString(mean) + ", std=" + java.util.Arrays.toString(std)
                    + ", mutualInformation=" + mutualInformation + ")";
        }
    }
}
