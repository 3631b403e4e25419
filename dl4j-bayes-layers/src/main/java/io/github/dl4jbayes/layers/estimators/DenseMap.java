package io.github.dl4jbayes.layers.estimators;

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
        return x.mmul(w);
    }

    @Override
    public INDArray backward(INDArray x, INDArray w, INDArray delta, INDArray gradW) {
        Nd4j.gemm(x, delta, gradW, true, false, 1.0, 0.0);
        return delta.mmul(w.transpose());
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
    public void scaleChannels(INDArray a, INDArray factors) {
        a.muli(factors);
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
