package io.github.dl4jbayes.examples;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * An iterator over ready-made minibatches, one per {@code next()}. {@code ListDataSetIterator}'s batch argument is
 * the number of list elements it merges per {@code next()}: {@code new ListDataSetIterator<>(data.batchBy(50), 50)}
 * would hand out 50 minibatches of 50 merged, the whole dataset, at every step. Here it is 1, and {@code batch()}
 * reports the real minibatch size, which ADVI logs.
 */
public final class Minibatches {
    private Minibatches() {
    }

    /** @return an iterator over {@code data} in minibatches of {@code batchSize} (the last one may be smaller) */
    public static ListDataSetIterator<DataSet> of(DataSet data, int batchSize) {
        return of(data.batchBy(batchSize), batchSize);
    }

    /** @return an iterator handing out {@code batches} one at a time */
    public static ListDataSetIterator<DataSet> of(List<DataSet> batches, int batchSize) {
        return new ListDataSetIterator<>(batches, 1) {
            @Override
            public int batch() {
                return batchSize;
            }
        };
    }

    /**
     * Splits the training images into training and validation sets (a seeded random choice of the validation rows).
     *
     * @param size validation images; negative for the default, a twelfth of the images (5,000 of Fashion-MNIST's 60,000)
     */
    static DataSet[] validationSplit(DataSet all, int size, long seed) {
        int n = all.numExamples();
        int v = size < 0 ? n / 12 : size;
        if (v < 1 || v >= n) {
            throw new IllegalArgumentException("--validation must leave at least one training and one validation "
                    + "image: got " + v + " of " + n + " images");
        }
        int[] order = io.github.dl4jbayes.training.Shuffle.permutation(n, new Random(seed * 31 + 17));
        int[] validationRows = Arrays.copyOfRange(order, 0, v);
        int[] trainRows = Arrays.copyOfRange(order, v, n);
        Arrays.sort(validationRows);
        Arrays.sort(trainRows);
        return new DataSet[]{rows(all, trainRows), rows(all, validationRows)};
    }

    /** The training set in a random order (from {@code random}), cut into minibatches (the last may be smaller). */
    static List<DataSet> shuffledBatches(DataSet data, int batchSize, Random random) {
        int n = data.numExamples();
        int[] order = io.github.dl4jbayes.training.Shuffle.permutation(n, random);
        List<DataSet> batches = new ArrayList<>();
        for (int from = 0; from < n; from += batchSize) {
            int[] rows = Arrays.copyOfRange(order, from, Math.min(n, from + batchSize));
            batches.add(rows(data, rows));
        }
        return batches;
    }

    /**
     * @return the examples {@code rows} of {@code data} (images flattened to rows), copied by one ND4J operation per
     *         array ({@code pullRows}): {@code getRows} makes a view per row, 110,000 ND4J arrays an epoch whose small
     *         Java objects the garbage collector frees late
     */
    static DataSet rows(DataSet data, int[] rows) {
        return new DataSet(Nd4j.pullRows(data.getFeatures(), 1, rows), Nd4j.pullRows(data.getLabels(), 1, rows));
    }
}
