package io.github.dl4jbayes.internal.meanfield;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Copies between contiguous ND4J vectors in host memory and Java {@code double[]} arrays, for the Java-loop kernel.
 * FLOAT and DOUBLE vectors are read and written through their NIO view (a few tenths of a nanosecond per element;
 * ND4J's {@code asNio()} covers the whole underlying allocation, so a view starts at its buffer's offset);
 * other types (HALF, BFLOAT16) element by element through {@link DataBuffer} (much slower: the kernel choice in
 * {@link MeanFieldPosterior} keeps large blocks of those types on ND4J operations). Only valid where
 * the layer's arrays are in host memory (its kernel policy): a GPU backend's are not.
 */
final class HostArrays {
    private HostArrays() {
    }

    /**
     * Reads the first {@code n} elements of {@code vector} (a contiguous vector, possibly a view) into {@code dst}.
     */
    static void read(INDArray vector, double[] dst, int n) {
        DataBuffer data = vector.data();
        int offset = (int) data.offset();
        DataType type = vector.dataType();
        if (type == DataType.FLOAT && contiguous(vector)) {
            FloatBuffer f = data.asNio().asFloatBuffer();
            for (int i = 0; i < n; i++) {
                dst[i] = f.get(offset + i);
            }
        } else if (type == DataType.DOUBLE && contiguous(vector)) {
            DoubleBuffer d = data.asNio().asDoubleBuffer();
            d.position(offset);
            d.get(dst, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                dst[i] = vector.getDouble(i);
            }
        }
    }

    /** Writes {@code src[0..n)} into the first {@code n} elements of {@code vector} (contiguous, possibly a view). */
    static void write(double[] src, INDArray vector, int n) {
        DataBuffer data = vector.data();
        int offset = (int) data.offset();
        DataType type = vector.dataType();
        if (type == DataType.FLOAT && contiguous(vector)) {
            FloatBuffer f = data.asNio().asFloatBuffer();
            for (int i = 0; i < n; i++) {
                f.put(offset + i, (float) src[i]);
            }
        } else if (type == DataType.DOUBLE && contiguous(vector)) {
            DoubleBuffer d = data.asNio().asDoubleBuffer();
            d.position(offset);
            d.put(src, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                vector.putScalar(i, src[i]);
            }
        }
    }

    /**
     * Reads the first {@code n} elements of {@code vector} (a contiguous vector, possibly a view) into {@code dst}: a
     * bulk copy for FLOAT vectors, element by element otherwise.
     */
    static void readFloats(INDArray vector, float[] dst, int n) {
        if (vector.dataType() == DataType.FLOAT && contiguous(vector)) {
            vector.data().asNio().asFloatBuffer().get((int) vector.data().offset(), dst, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                dst[i] = vector.getFloat(i);
            }
        }
    }

    /** Writes {@code src[0..n)} into the first {@code n} elements of {@code vector} (contiguous, possibly a view). */
    static void writeFloats(float[] src, INDArray vector, int n) {
        if (vector.dataType() == DataType.FLOAT && contiguous(vector)) {
            vector.data().asNio().asFloatBuffer().put((int) vector.data().offset(), src, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                vector.putScalar(i, src[i]);
            }
        }
    }

    /** @return whether the fast paths apply to arrays of this type */
    static boolean bulk(DataType type) {
        return type == DataType.FLOAT || type == DataType.DOUBLE;
    }

    private static boolean contiguous(INDArray vector) {
        return Nd4j.getEnvironment().isCPU() && vector.rank() <= 2 && vector.elementWiseStride() == 1
                && vector.isVectorOrScalar();
    }
}
