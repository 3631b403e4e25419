package io.github.dl4jbayes.training;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/**
 * Minibatches of in-memory data in an order drawn anew for every pass: the data are read into Java arrays once, the
 * minibatch arrays are allocated once, and each pass refills them row by row in the pass's order, so that no ND4J
 * array is made per step (on a small network a new ND4J array costs more than the step). Pass {@code e} shuffles
 * the previous pass's order with a generator seeded with {@code seed + 31 e} (the first pass shuffles the data's
 * order).
 */
final class ShuffledMinibatches {
    private final int n;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int[] order;
    private final Column[] columns;
    private final org.nd4j.linalg.dataset.DataSet[] batches;
    private int next;

    /**
     * One array of the data set (features, labels or a mask): all its rows in a Java array of its precision (double
     * for DOUBLE data, float otherwise, which holds HALF and BFLOAT16 values exactly), and its minibatch arrays.
     */
    private static final class Column {
        final double[] doubles;
        final float[] floats;
        final int width;
        final INDArray[] parts;

        Column(INDArray a, int n, int batchSize, int count) {
            INDArray c = a.reshape(a.size(0), -1).dup('c');
            this.width = (int) c.size(1);
            boolean isDouble = a.dataType() == org.nd4j.linalg.api.buffer.DataType.DOUBLE;
            this.doubles = isDouble ? c.data().asDouble() : null;
            this.floats = isDouble ? null : c.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat();
            this.parts = new INDArray[count];
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                for (int k = 0; k < count; k++) {
                    int size = Math.min(batchSize, n - k * batchSize);
                    long[] shape = a.shape().clone();
                    shape[0] = size;
                    parts[k] = Nd4j.create(a.dataType(), shape, 'c');
                }
            }
        }

        /** Copies rows {@code order[from .. from + size)} into part {@code k}. */
        void fill(int k, int[] order, int from) {
            DataBuffer target = parts[k].data();
            int size = (int) parts[k].size(0);
            for (int r = 0; r < size; r++) {
                int source = order[from + r] * width;
                long at = (long) r * width;
                for (int j = 0; j < width; j++) {
                    if (doubles != null) {
                        target.put(at + j, doubles[source + j]);
                    } else {
                        target.put(at + j, floats[source + j]);
                    }
                }
            }
        }
    }

    ShuffledMinibatches(DataSet data, int batchSize, boolean shuffle, long seed) {
        this.n = (int) data.getFeatures().size(0);
        if (n == 0) {
            throw new IllegalArgumentException("data hold no examples");
        }
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int count = (n + batchSize - 1) / batchSize;
        INDArray[] arrays = {data.getFeatures(), data.getLabels(), data.getFeaturesMaskArray(), data.getLabelsMaskArray()};
        this.columns = new Column[arrays.length];
        for (int c = 0; c < arrays.length; c++) {
            columns[c] = arrays[c] == null ? null : new Column(arrays[c], n, batchSize, count);
        }
        this.batches = new org.nd4j.linalg.dataset.DataSet[count];
        for (int k = 0; k < count; k++) {
            batches[k] = new org.nd4j.linalg.dataset.DataSet(part(0, k), part(1, k), part(2, k), part(3, k));
        }
        this.next = count;
    }

    private INDArray part(int column, int k) {
        return columns[column] == null ? null : columns[column].parts[k];
    }

    /** @return whether the current pass has handed out all its minibatches */
    boolean passDone() {
        return next >= batches.length;
    }

    /** Starts pass {@code epoch}: draws its order (when shuffling) and refills the minibatches. */
    void newPass(long epoch) {
        if (shuffle) {
            Shuffle.inPlace(order, new SplittableRandom(seed + 31L * epoch));
        }
        for (int k = 0; k < batches.length; k++) {
            for (Column c : columns) {
                if (c != null) {
                    c.fill(k, order, k * batchSize);
                }
            }
        }
        next = 0;
    }

    /** @return the number of minibatches of the current pass handed out so far */
    int position() {
        return next;
    }

    /**
     * Continues pass {@code epoch} after its first {@code position} minibatches, as an interrupted fit that started
     * at pass {@code firstEpoch} left it: each pass shuffles the previous pass's order, so the passes of that fit
     * before {@code epoch} are shuffled again (in Java, without filling minibatches) to reach the same order.
     * {@code position} equal to the number of minibatches means that the pass before {@code epoch} had just ended.
     */
    void resumePass(long firstEpoch, long epoch, int position) {
        if (position < 0 || position > batches.length) {
            throw new IllegalArgumentException("position " + position + " is outside a pass of " + batches.length
                    + " minibatches: not the same data");
        }
        for (long e = firstEpoch; e < epoch && shuffle; e++) {
            Shuffle.inPlace(order, new SplittableRandom(seed + 31L * e));
        }
        if (position < batches.length) {
            newPass(epoch);
        }
        next = position;
    }

    /** @return the next minibatch of the current pass */
    DataSet next() {
        return batches[next++];
    }
}
