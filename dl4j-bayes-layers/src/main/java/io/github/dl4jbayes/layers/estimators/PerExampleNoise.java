package io.github.dl4jbayes.layers.estimators;

import io.github.dl4jbayes.layers.meanfield.JavaNoise;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/**
 * A {@code [minibatch, channels]} buffer of per-example noise (random signs or standard normals) drawn from a layer's
 * own generator, kept outside DL4J's workspaces from a step's forward pass to its backward pass, and reallocated
 * only when the shape or type changes.
 */
final class PerExampleNoise {
    private INDArray values;
    private Object scratch;

    /** Fills the buffer with independent random signs (+1 or -1, each with probability 1/2). */
    void signs(SplittableRandom random, long rows, long columns, DataType type) {
        ensure(rows, columns, type);
        JavaNoise.fillSigns(values, scratch, random);
    }

    /** Fills the buffer with independent N(0, 1) values. */
    void gaussian(SplittableRandom random, long rows, long columns, DataType type) {
        ensure(rows, columns, type);
        JavaNoise.fill(values, scratch, random);
    }

    /** @return the buffer, {@code [rows, columns]} */
    INDArray values() {
        return values;
    }

    private void ensure(long rows, long columns, DataType type) {
        if (values != null && values.size(0) == rows && values.size(1) == columns && values.dataType() == type) {
            return;
        }
        long n = rows * columns;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Per-example noise of " + rows + " x " + columns + " is too large");
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            values = Nd4j.create(type, rows, columns);
        }
        scratch = JavaNoise.scratchFor(type, (int) n);
    }
}
