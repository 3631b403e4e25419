package io.github.dl4jbayes.priors;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Working memory for a prior's bulk methods on one block of a large layer, owned by the layer and reused at every
 * step so that the KL term and its gradient allocate nothing per step: a buffer of the layer's data type, and a
 * double-precision buffer (allocated on first use) for sums that must not lose precision, and Java arrays (allocated on
 * first use) for priors computed element-wise ({@link #sample}).
 *
 * <p>Sums over a block should be taken in double: a float or half sum over a million terms loses three or more
 * digits (and a half sum overflows at 65,504). {@link #doubleCopy(INDArray)} gives a double copy of a block.
 */
public final class PriorScratch {
    private final DataType dataType;
    private final long length;
    private final ParameterBlock block;
    private final INDArray buffer;
    private INDArray doubles;
    private double[][] javaArrays;
    private final boolean hostMemory;
    private MeanFieldSample sample;

    /**
     * @param dataType the layer's parameter type
     * @param length   the block's length (&gt; 0)
     */
    public PriorScratch(DataType dataType, long length) {
        this(dataType, ParameterBlock.flat(checkedLength(length)));
    }

    /**
     * Working memory for arrays where the default kernel policy says they are (host memory on the CPU backend, unless
     * {@code -Ddl4jbayes.hostLoops=false}).
     *
     * @param dataType the layer's parameter type
     * @param block    the structure of the layer's block
     */
    public PriorScratch(DataType dataType, ParameterBlock block) {
        this(dataType, block, io.github.dl4jbayes.internal.HostLoops.defaultHostMemory());
    }

    /**
     * @param dataType   the layer's parameter type
     * @param block      the structure of the layer's block
     * @param hostMemory whether the arrays live in host memory (read element by element), else on a device (read
     *                   and written by one bulk copy each)
     */
    public PriorScratch(DataType dataType, ParameterBlock block, boolean hostMemory) {
        this.hostMemory = hostMemory;
        this.dataType = dataType;
        this.length = block.size();
        this.block = block;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            this.buffer = Nd4j.create(dataType, length);
        }
    }

    private static int checkedLength(long length) {
        if (length <= 0 || length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("length must be > 0 (and fit an int), got " + length);
        }
        return (int) length;
    }

    /** @return the structure of the layer's block */
    public ParameterBlock block() {
        return block;
    }

    /**
     * @return a sample over Java copies of the three vectors (each of the block's length), in arrays this scratch owns
     *         and reuses: the bridge from the bulk methods to a prior's element-wise ones
     */
    public MeanFieldSample sample(INDArray mu, INDArray sigma, INDArray eps) {
        double[] m = read(mu, 2);
        double[] s = read(sigma, 3);
        double[] e = read(eps, 4);
        if (sample == null) {
            sample = new MeanFieldSample(block, m, s, e, null, (int) length);
        }
        return sample;
    }

    /**
     * @param x    a contiguous vector of the block's length
     * @param slot which of this scratch's Java arrays (0 to 4) receives it; {@link #sample} uses 2 to 4
     * @return that array holding the values of {@code x}
     */
    public double[] read(INDArray x, int slot) {
        checkLength(x);
        if (javaArrays == null) {
            javaArrays = new double[5][];
        }
        if (javaArrays[slot] == null) {
            javaArrays[slot] = new double[(int) length];
        }
        double[] out = javaArrays[slot];
        if (!hostMemory) {
            // on a GPU one bulk copy to the host, not a transfer per element
            System.arraycopy(x.castTo(DataType.DOUBLE).reshape(length).toDoubleVector(), 0, out, 0, out.length);
            return out;
        }
        DataBuffer data = x.data();
        for (int i = 0; i < out.length; i++) {
            out[i] = data.getDouble(i);
        }
        return out;
    }

    /** Writes {@code values} into the contiguous vector {@code x} of the same length (converting to its type). */
    public void writeBack(double[] values, INDArray x) {
        if (!hostMemory) {
            x.assign(Nd4j.createFromArray(values).castTo(x.dataType()).reshape(x.shape()));
            return;
        }
        DataBuffer data = x.data();
        for (int i = 0; i < values.length; i++) {
            data.put(i, values[i]);
        }
    }

    private void checkLength(INDArray x) {
        if (x.length() != length) {
            throw new IllegalArgumentException("expected a vector of length " + length + ", got " + x.length());
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
        checkLength(x);
        return doubleBuffer().assign(x.reshape(length));
    }

    @Override
    public String toString() {
        return "PriorScratch(" + dataType + ", " + length + ")";
    }
}
