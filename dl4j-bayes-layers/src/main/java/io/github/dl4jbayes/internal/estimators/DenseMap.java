package io.github.dl4jbayes.internal.estimators;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.function.Supplier;

/** {@link LinearMap} of dense and output layers: {@code z = x w + b} with {@code x [minibatch, nIn]}, {@code w [nIn, nOut]}. */
public final class DenseMap implements LinearMap {
    private final Supplier<String> layerName;

    /** @param layerName the layer's name, for messages */
    public DenseMap(Supplier<String> layerName) {
        this.layerName = layerName;
    }

    @Override
    public INDArray forward(INDArray x, INDArray w) {
        if (x.rank() != 2 || x.size(1) != w.size(0)) {
            throw new DL4JInvalidInputException("Bayesian layer '" + layerName() + "': Input size ("
                    + (x.rank() == 2 ? x.size(1) + " columns; " : "") + "shape " + Arrays.toString(x.shape())
                    + ") does not match the layer's nIn = " + w.size(0) + ": expected [minibatch, " + w.size(0) + "]");
        }
        return product(x, w, false, x.size(0), w.size(1));
    }

    @Override
    public INDArray backward(INDArray x, INDArray w, INDArray delta, INDArray gradW) {
        Nd4j.gemm(x, delta, gradW, true, false, 1.0, 0.0);
        return product(delta, w, true, delta.size(0), w.size(0));
    }

    /**
     * {@code a (*) b} or {@code a (*) b^T}, written by the product itself into a new array in the current workspace.
     * ND4J's {@code mmul} computes into a temporary array of Fortran order and copies it into the C-order result, a
     * transposing pass over the output that took about 6% of a Flipout step of the 784-400-400-10 network (JFR).
     */
    private static INDArray product(INDArray a, INDArray b, boolean transposeB, long rows, long columns) {
        INDArray result = Nd4j.createUninitialized(a.dataType(), rows, columns);
        Nd4j.gemm(a, b, result, false, transposeB, 1.0, 0.0);
        return result;
    }

    @Override
    public void addBias(INDArray z, INDArray b) {
        z.addiRowVector(b);
    }

    @Override
    public void biasGradient(INDArray delta, INDArray gradB) {
        gradB.assign(delta.sum(0));
    }

    @Override
    public INDArray scaleChannels(INDArray a, INDArray factors, INDArray result) {
        return a.mul(factors, result);
    }

    @Override
    public long channels(INDArray a) {
        return a.size(1);
    }

    private String layerName() {
        String name = layerName.get();
        return name == null ? "(unnamed)" : name;
    }
}
