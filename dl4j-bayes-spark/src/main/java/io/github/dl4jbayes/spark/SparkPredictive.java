package io.github.dl4jbayes.spark;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.KernelPolicy;
import io.github.dl4jbayes.internal.NetworkAdapter;
import io.github.dl4jbayes.predict.ClassificationUncertainty;
import io.github.dl4jbayes.predict.PosteriorPredictive;
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
 * The posterior predictive of a Bayesian network for every row of a keyed RDD of feature vectors: for each row, the
 * mean and standard deviation of the network's output over {@code samples} posterior draws, and for classifiers
 * (softmax output, or one sigmoid output) the mutual information between the prediction and the weights (BALD's score, the
 * epistemic part of the uncertainty). The network is broadcast once (as {@code ModelSerializer} bytes); each
 * partition restores it once and predicts its rows in chunks of {@code rowsPerDraw}, every chunk with {@code samples}
 * fresh whole-network draws (as {@link PosteriorPredictive} does), the noise seeded from the seed and the partition.
 *
 * <pre>{@code
 * JavaPairRDD<Long, SparkPredictive.Row> out = SparkPredictive.of(sc, net).samples(500).predict(rowsById);
 * }</pre>
 */
public final class SparkPredictive implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Broadcast<byte[]> network;
    private final boolean graph;
    private final boolean classifier;
    private final KernelPolicy kernelPolicy;
    private int samples = 100;
    private int rowsPerDraw = 256;
    private long seed;

    private SparkPredictive(Broadcast<byte[]> network, boolean graph, boolean classifier, KernelPolicy kernelPolicy,
                            long seed) {
        this.network = network;
        this.graph = graph;
        this.classifier = classifier;
        this.kernelPolicy = kernelPolicy;
        this.seed = seed;
    }

    /** @return a copy with the current settings, for a job: later settings must not change a lazy result */
    private SparkPredictive frozen() {
        SparkPredictive copy = new SparkPredictive(network, graph, classifier, kernelPolicy, seed);
        copy.samples = samples;
        copy.rowsPerDraw = rowsPerDraw;
        return copy;
    }

    /**
     * Broadcasts the network (its configuration, parameters and kernel policy; the inference settings are those of a
     * fresh network: fresh draws).
     *
     * @param net a {@code MultiLayerNetwork}, or a {@code ComputationGraph} of one input and one output, with
     *            Bayesian layers
     */
    public static SparkPredictive of(JavaSparkContext sc, Model net) {
        NetworkAdapter adapter = NetworkAdapter.of(net);
        if (sc == null) {
            throw new IllegalArgumentException("the Spark context must not be null");
        }
        if (BayesianNetworks.bayesianLayers(net).isEmpty()) {
            throw new IllegalArgumentException("The network has no Bayesian layer: its predictive has no spread");
        }
        if (adapter.numInputs() != 1 || adapter.numOutputs() != 1) {
            throw new IllegalArgumentException("SparkPredictive takes networks of one input and one output; the "
                    + "network has " + adapter.numInputs() + " and " + adapter.numOutputs());
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(net, bytes, false);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not serialize the network", e);
        }
        return new SparkPredictive(sc.broadcast(bytes.toByteArray()), net instanceof ComputationGraph,
                isClassifier(adapter.outputLayer(0)), BayesianNetworks.getKernelPolicy(net), adapter.seed());
    }

    private static boolean isClassifier(Layer output) {
        org.deeplearning4j.nn.conf.layers.Layer conf = output.conf().getLayer();
        // softmax: class probabilities; sigmoid with one output: a Bernoulli probability (several sigmoid outputs
        // are independent labels, not one categorical distribution, and get no mutual information here)
        return conf instanceof BaseOutputLayer && (((BaseOutputLayer) conf).getActivationFn() instanceof ActivationSoftmax
                || ((BaseOutputLayer) conf).getActivationFn() instanceof ActivationSigmoid
                && ((BaseOutputLayer) conf).getNOut() == 1);
    }

    /** @param samples the posterior draws per row (&gt; 0; default 100) */
    public SparkPredictive samples(int samples) {
        this.samples = ArgumentChecks.positive("samples", samples);
        return this;
    }

    /** @param rowsPerDraw rows predicted together, sharing each draw of the weights (&gt; 0; default 256) */
    public SparkPredictive rowsPerDraw(int rowsPerDraw) {
        this.rowsPerDraw = ArgumentChecks.positive("rowsPerDraw", rowsPerDraw);
        return this;
    }

    /** @param seed the seed of the draws (default: the network's), combined with each partition's index */
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
        Model net = restore();
        BayesianNetworks.setKernelPolicy(net, kernelPolicy);          // the driver's network's
        TaskContext task = TaskContext.get();
        BayesianNetworks.setNoiseSeed(net, BayesianTrainingHook.workerSeed(seed, 0, task != null ? task.partitionId() : 0));
        PosteriorPredictive predictive = PosteriorPredictive.of(net).samples(samples).keepSamples(classifier);
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

    private Model restore() throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(network.value());
        return graph ? ModelSerializer.restoreComputationGraph(in, false)
                : ModelSerializer.restoreMultiLayerNetwork(in, false);
    }

    private <K> void predictChunk(PosteriorPredictive predictive, List<Tuple2<K, INDArray>> chunk,
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
        INDArray mi = classifier ? ClassificationUncertainty.of(p).mutualInformation().castTo(DataType.DOUBLE) : null;
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

        /** @return the mutual information (nats) for a softmax or single-sigmoid classifier, else NaN */
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
