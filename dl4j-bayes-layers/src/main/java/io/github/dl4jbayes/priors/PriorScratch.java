package io.github.dl4jbayes.priors;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Working memory for a prior's bulk methods on one block of a large layer, owned by the layer and reused at every
 * step so that the KL term and its gradient allocate nothing per step: a buffer of the layer's data type, and a
 * double-precision buffer (allocated on first use) for sums that must not lose precision.
 *
 * <p>Sums over a block should be taken in double: a float or half sum over a million terms loses three or more
 * digits (and a half sum overflows at 65,504). {@link #doubleCopy(INDArray)} gives a double copy of a block.
 */
public final class PriorScratch {
    private final DataType dataType;
    private final long length;
    private final INDArray buffer;
    private INDArray doubles;

    /**
     * @param dataType the layer's parameter type
     * @param length   the block's length (&gt; 0)
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

    /** @return a double vector of the block's length, free for the prior to overwrite */
    public INDArray doubleBuffer() {
        if (doubles == null) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                doubles = Nd4j.create(DataType.DOUBLE, length);
            }
        }
        return doubles;
    }

    /**
     * @param x a vector of the block's length, of any type
     * @return {@link #doubleBuffer()} holding the values of {@code x}
     */
    public INDArray doubleCopy(INDArray x) {
        if (x.length() != length) {
            throw new IllegalArgumentException("expected a vector of length " + length + ", got " + x.length());
        }
        return doubleBuffer().assign(x.reshape(length));
    }

    @Override
    public String toString() {
        return "PriorScratch(" + dataType + ", " + length + ")";
    }
}
