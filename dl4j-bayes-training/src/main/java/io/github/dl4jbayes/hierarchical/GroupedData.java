package io.github.dl4jbayes.hierarchical;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * Labelled examples, each with the index of the group it belongs to (0 to G - 1), for a {@link HierarchicalNetwork}.
 */
public final class GroupedData {
    private final INDArray features;
    private final INDArray labels;
    private final int[] groups;

    /**
     * @param features one example per row
     * @param labels   one label row per example
     * @param groups   the group of each example (&ge; 0)
     * @throws IllegalArgumentException if the counts differ or a group index is negative
     */
    public GroupedData(INDArray features, INDArray labels, int[] groups) {
        if (features == null || labels == null || groups == null) {
            throw new IllegalArgumentException("features, labels and groups must not be null");
        }
        if (features.size(0) != labels.size(0) || features.size(0) != groups.length) {
            throw new IllegalArgumentException("features (" + features.size(0) + "), labels (" + labels.size(0)
                    + ") and groups (" + groups.length + ") must have one entry per example");
        }
        for (int i = 0; i < groups.length; i++) {
            if (groups[i] < 0) {
                throw new IllegalArgumentException("group index of example " + i + " is negative: " + groups[i]);
            }
        }
        this.features = features;
        this.labels = labels;
        this.groups = groups.clone();
    }

    /** @return the number of examples */
    public int size() {
        return groups.length;
    }

    /** @return the features, one example per row */
    public INDArray features() {
        return features;
    }

    /** @return the labels */
    public INDArray labels() {
        return labels;
    }

    /** @return the group of example {@code i} */
    public int group(int i) {
        return groups[i];
    }

    /** @return a copy of the group indices */
    public int[] groups() {
        return groups.clone();
    }

    /** @return the largest group index plus one */
    public int groupCount() {
        return Arrays.stream(groups).max().orElse(-1) + 1;
    }

    /** @return the examples of {@code rows}, in that order */
    public GroupedData rows(int[] rows) {
        long[] r = Arrays.stream(rows).asLongStream().toArray();
        int[] g = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            g[i] = groups[rows[i]];
        }
        return new GroupedData(features.get(NDArrayIndex.indices(r)).dup(), labels.get(NDArrayIndex.indices(r)).dup(), g);
    }

    /** @return the examples of group {@code g} as a DataSet, or null when the group has none */
    public DataSet ofGroup(int g) {
        int[] rows = java.util.stream.IntStream.range(0, groups.length).filter(i -> groups[i] == g).toArray();
        if (rows.length == 0) {
            return null;
        }
        GroupedData d = rows(rows);
        return new DataSet(d.features, d.labels);
    }
}
