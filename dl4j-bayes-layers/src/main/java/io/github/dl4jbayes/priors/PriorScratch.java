package io.github.dl4jbayes.priors;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Working memory for a prior's bulk methods on one block of a large layer, owned by the layer and reused at every
 * step so that the KL term and its gradient allocate nothing per step: a buffer of the layer's data type, and
 * double-precision buffers (allocated on first use) for sums that must not lose precision.
 *
 * <p>Sums over a block should be taken in double: a float or half sum over a million terms loses three or more
 * digits (and a half sum overflows at 65,504). {@link #asDouble(INDArray, int)} gives a double view of a block.
 */
public final class PriorScratch {
    /** Number of double buffers available through {@link #doubleBuffer(int)}. */
    public static final int DOUBLE_BUFFERS = 3;

    private final DataType dataType;
    private final long length;
    private final INDArray buffer;
    private final INDArray[] doubles = new INDArray[DOUBLE_BUFFERS];

    /**
     * @param dataType the layer's parameter type
     * @param length   the block's length
     */
    public PriorScratch(DataType dataType, long length) {
        if (length <= 0) {
            throw new IllegalArgumentException("length must be > 0, got " + length);
        }
        this.dataType = dataType;
        this.length = length;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            this.buffer = Nd4j.create(dataType, length);
        }
    }

    /** @return the block's length */
    public long length() {
        return length;
    }

    /** @return a vector of the layer's data type and the block's length, free for the prior to overwrite */
    public INDArray buffer() {
        return buffer;
    }

    /**
     * @param slot which buffer, {@code 0 <= slot < DOUBLE_BUFFERS}
     * @return a double vector of the block's length, free for the prior to overwrite
     */
    public INDArray doubleBuffer(int slot) {
        if (slot < 0 || slot >= DOUBLE_BUFFERS) {
            throw new IndexOutOfBoundsException("slot " + slot + " outside [0, " + DOUBLE_BUFFERS + ")");
        }
        if (doubles[slot] == null) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                doubles[slot] = Nd4j.create(DataType.DOUBLE, length);
            }
        }
        return doubles[slot];
    }

    /**
     * @param x    a vector of the block's length
     * @param slot the double buffer to copy into when {@code x} is not double
     * @return {@code x} itself when it is a double vector (do not overwrite it), else its values in double buffer
     *         {@code slot}
     */
    public INDArray asDouble(INDArray x, int slot) {
        if (x.length() != length) {
            throw new IllegalArgumentException("expected a vector of length " + length + ", got " + x.length());
        }
        if (x.dataType() == DataType.DOUBLE) {
            return x;
        }
        INDArray copy = doubleBuffer(slot);
        copy.assign(x.reshape(length));
        return copy;
    }

    @Override
    public String toString() {
        return "PriorScratch(" + dataType + ", " + length + ")";
    }
}
