package io.github.dl4jbayes.internal.estimators;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * An array a layer keeps from a step's forward pass to its backward pass: allocated outside DL4J's workspaces
 * (which close between the passes), and reused from step to step while its shape and type stay the same.
 */
public final class ScratchArray {
    private INDArray array;

    /** @return the array, {@code shape} of {@code type}, with unspecified contents */
    public INDArray of(DataType type, long... shape) {
        if (array == null || array.dataType() != type || !Arrays.equals(array.shape(), shape)) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                array = Nd4j.createUninitialized(type, shape);
            }
        }
        return array;
    }

    /** @return the array holding a copy of {@code a} */
    public INDArray copyOf(INDArray a) {
        return of(a.dataType(), a.shape()).assign(a);
    }

    /** @return the array as last filled */
    public INDArray get() {
        return array;
    }
}
