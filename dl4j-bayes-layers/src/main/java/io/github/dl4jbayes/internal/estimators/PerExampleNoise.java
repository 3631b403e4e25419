package io.github.dl4jbayes.internal.estimators;

import io.github.dl4jbayes.internal.meanfield.Noise;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.random.RandomGenerator;

/**
 * A {@code [minibatch, channels]} buffer of per-example noise (random signs or standard normals) drawn from a layer's
 * own generator (through a {@link Noise} filler of its own: Java's sampler in host memory, ND4J's generator on a GPU),
 * kept outside DL4J's
 * workspaces from a step's forward pass to its backward pass, and reallocated only when the shape or type changes.
 */
final class PerExampleNoise {
    private final ScratchArray values = new ScratchArray();
    /** This buffer's own filler (its scratch fits this buffer's length), for the layer's memory. */
    private Noise filler;

    /** Fills the buffer with independent random signs (+1 or -1, each with probability 1/2). */
    void signs(boolean hostMemory, RandomGenerator random, long rows, long columns, DataType type) {
        filler(hostMemory).signs(ensure(rows, columns, type), random);
    }

    /** Fills the buffer with independent N(0, 1) values. */
    void gaussian(boolean hostMemory, RandomGenerator random, long rows, long columns, DataType type) {
        filler(hostMemory).gaussian(ensure(rows, columns, type), random);
    }

    /** @return the filler for arrays in host memory (Java's sampler) or on a device (ND4J's generator) */
    private Noise filler(boolean hostMemory) {
        if (filler == null || filler.onHost() != hostMemory) {
            filler = new Noise(hostMemory);
        }
        return filler;
    }

    /** @return the buffer, {@code [rows, columns]} */
    INDArray values() {
        return values.get();
    }

    private INDArray ensure(long rows, long columns, DataType type) {
        long n = rows * columns;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Per-example noise of " + rows + " x " + columns + " is too large");
        }
        return values.of(type, rows, columns);
    }
}
