package io.github.dl4jbayes.examples;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

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
}
