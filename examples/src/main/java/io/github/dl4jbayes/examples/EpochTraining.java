package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.metrics.ClassificationMetrics;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The epoch loop of the image examples, the same for the plain and the Bayesian network: run an epoch on freshly
 * shuffled minibatches, score the validation set, print one line (loss or ELBO, validation accuracy and NLL, time,
 * resident memory), stop early on the validation NLL and keep the best epoch's parameters.
 */
final class EpochTraining {
    private EpochTraining() {
    }

    /** How a training ran: seconds and resident memory (VmHWM, MB) after each epoch, and the epoch kept. */
    record Training(MultiLayerNetwork net, double[] epochSeconds, long[] peakResidentMb, int bestEpoch) {
    }

    /** One training epoch (its number from 0); returns what to print about it. */
    interface Epoch {
        String run(int epoch) throws Exception;
    }

    /**
     * Trains for up to {@code epochs} epochs, scoring the validation set after each; stops when its NLL has not
     * improved for {@code patience} epochs and puts back the parameters of the best epoch.
     */
    static Training train(MultiLayerNetwork net, int epochs, int patience, DataSet validation, Epoch epoch,
                                  ImagePredictions.Probabilities probabilities) throws Exception {
        double[] seconds = new double[epochs];
        long[] peak = new long[epochs];
        double bestNll = Double.POSITIVE_INFINITY;
        INDArray best = null;
        int bestEpoch = -1;
        int done = 0;
        for (int e = 0; e < epochs; e++) {
            long start = System.nanoTime();
            String line = epoch.run(e);
            seconds[e] = (System.nanoTime() - start) / 1e9;
            peak[e] = ResidentMemory.peakMb();
            done = e + 1;
            ClassificationMetrics v = ClassificationMetrics.of(probabilities.of(validation.getFeatures()),
                    validation.getLabels());
            boolean improved = v.negativeLogLikelihood() < bestNll;
            if (improved) {
                bestNll = v.negativeLogLikelihood();
                best = net.params().dup();
                bestEpoch = e;
            }
            System.out.printf(Locale.ROOT, "  epoch %d/%d: %s, validation accuracy %.2f%%, NLL %.4f%s, %.1f s, "
                            + "RSS %d MB (peak %d MB)%n", e + 1, epochs, line, 100 * v.accuracy(),
                    v.negativeLogLikelihood(), improved ? " (best)" : "", seconds[e], ResidentMemory.currentMb(),
                    peak[e]);
            if (e - bestEpoch >= patience) {
                System.out.printf(Locale.ROOT, "  early stop: no better validation NLL in %d epochs; keeping epoch "
                        + "%d%n", patience, bestEpoch + 1);
                break;
            }
        }
        if (best != null) {
            net.setParams(best);
        }
        return new Training(net, Arrays.copyOf(seconds, done), Arrays.copyOf(peak, done), bestEpoch);
    }

    /**
     * One epoch of DL4J's own {@code fit} on {@code batches}, then the network's epoch count advanced and its
     * activations cleared.
     *
     * @return the progress text: the mean training loss over the epoch's examples
     */
    static String fitPlain(MultiLayerNetwork net, List<DataSet> batches) {
        double lossSum = 0;
        long examples = 0;
        for (DataSet batch : batches) {
            net.fit(batch);
            lossSum += net.score() * batch.numExamples();
            examples += batch.numExamples();
        }
        net.incrementEpochCount();
        net.clear();
        return String.format(Locale.ROOT, "loss %.4f", lossSum / examples);
    }

    /** What an epoch does with its minibatches. */
    interface EpochOnBatches {
        String run(List<DataSet> batches);
    }

    /**
     * Runs {@code use} on a new shuffled copy of the training set in minibatches and then frees the copy's off-heap
     * memory at once ({@code INDArray.close()}). Without that, each epoch's copy lives for a whole epoch, its small
     * Java objects are promoted to the old generation, and its native memory waits for an old-generation collection,
     * which with the JVM's default heap (a quarter of the machine's memory) may not come for many epochs: the
     * resident memory grew by about half a gigabyte per epoch.
     */
    static String onShuffledBatches(DataSet data, int batchSize, Random random, EpochOnBatches use) {
        List<DataSet> batches = Minibatches.shuffledBatches(data, batchSize, random);
        try {
            return use.run(batches);
        } finally {
            for (DataSet b : batches) {
                for (INDArray a : new INDArray[]{b.getFeatures(), b.getLabels()}) {
                    if (a != null && a.closeable()) {
                        a.close();
                    }
                }
            }
        }
    }
}
