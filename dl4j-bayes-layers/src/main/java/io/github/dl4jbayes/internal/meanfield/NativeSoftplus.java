package io.github.dl4jbayes.internal.meanfield;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The transcendental part of the stable softplus of a large block, by ND4J's vectorized operations in the block's
 * data type (several times faster than {@code Math.exp} and {@code Math.log} per element):
 * {@code e = exp(-|rho|)} and {@code log(u)} with {@code u = 1 + e} rounded in that type, from which the Java-loop
 * kernel takes {@code log1p(e)} by Kahan's method ({@link io.github.dl4jbayes.internal.StableMath#log1pOfRounded}),
 * accurate to a few units in the last place of the type. Three native calls over buffers allocated once.
 */
final class NativeSoftplus {
    private final INDArray e;
    private final INDArray logU;

    NativeSoftplus(DataType type, int size) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            this.e = Nd4j.create(type, size);
            this.logU = Nd4j.create(type, size);
        }
    }

    /**
     * For each element: {@code expNegAbs[i] = exp(-|rho[i]|)} and {@code logOnePlus[i] = log(1 + expNegAbs[i])}, with
     * {@code 1 + e} rounded in the data type.
     */
    void compute(double[] rho, double[] expNegAbs, double[] logOnePlus) {
        int n = (int) e.length();
        for (int i = 0; i < n; i++) {
            expNegAbs[i] = -Math.abs(rho[i]);
        }
        HostArrays.write(expNegAbs, e, n);
        Nd4j.getExecutioner().exec(new Exp(e, e));                 // in (0, 1]
        e.add(1.0, logU);                                          // u = 1 + e, rounded in the type
        Nd4j.getExecutioner().exec(new Log(logU, logU));
        HostArrays.read(e, expNegAbs, n);
        HostArrays.read(logU, logOnePlus, n);
    }
}
