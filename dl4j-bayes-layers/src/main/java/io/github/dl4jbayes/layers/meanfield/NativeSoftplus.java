package io.github.dl4jbayes.layers.meanfield;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The transcendental part of the stable softplus of a large block (or a range of it), by ND4J's vectorized operations in
 * the block's data type (several times faster than {@code Math.exp} and {@code Math.log} per element):
 * {@code e = exp(-|rho|)} and {@code log(u)} with {@code u = 1 + e} rounded in that type, from which the Java-loop
 * kernel takes {@code log1p(e)} by Kahan's method ({@link io.github.dl4jbayes.layers.StableMath#log1pOfRounded}),
 * accurate to a few units in the last place of the type. Three native calls over buffers allocated once.
 */
final class NativeSoftplus {
    private final DataType type;
    /** Buffers of the range's length, allocated on first use. */
    private INDArray e;
    private INDArray logU;

    NativeSoftplus(DataType type) {
        this.type = type;
    }

    /**
     * For {@code i} in {@code [from, to)}: {@code expNegAbs[i] = exp(-|rho[i]|)} and
     * {@code logOnePlus[i] = log(1 + expNegAbs[i])}, with {@code 1 + e} rounded in the data type.
     */
    void compute(double[] rho, int from, int to, double[] expNegAbs, double[] logOnePlus) {
        int n = to - from;
        if (e == null || e.length() != n) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                e = Nd4j.create(type, n);
                logU = Nd4j.create(type, n);
            }
        }
        for (int i = from; i < to; i++) {
            expNegAbs[i] = -Math.abs(rho[i]);
        }
        HostArrays.write(expNegAbs, from, e, n);
        Nd4j.getExecutioner().exec(new Exp(e, e));                 // in (0, 1]
        e.add(1.0, logU);                                          // u = 1 + e, rounded in the type
        Nd4j.getExecutioner().exec(new Log(logU, logU));
        HostArrays.read(e, expNegAbs, from, n);
        HostArrays.read(logU, logOnePlus, from, n);
    }
}
