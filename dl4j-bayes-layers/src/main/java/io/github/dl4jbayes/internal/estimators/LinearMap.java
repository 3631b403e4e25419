package io.github.dl4jbayes.internal.estimators;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The linear part of a Bayesian layer, {@code z = x (*) w + b}, as the estimators need it: a matrix product for
 * dense and output layers ({@link DenseMap}), a convolution for convolution layers ({@link ConvolutionMap}). The
 * estimators are written once against this interface. "Channels" are the columns of a dense layer's input and
 * output, and the feature maps of a convolution's.
 */
public interface LinearMap {

    /** @return {@code x (*) w}, without bias, in a new array */
    INDArray forward(INDArray x, INDArray w);

    /**
     * The backward pass of {@link #forward}: writes {@code dL/dw} (summed over the minibatch) into {@code gradW}.
     *
     * @param delta {@code dL/dz}
     * @return {@code dL/dx}, in a new array
     */
    INDArray backward(INDArray x, INDArray w, INDArray delta, INDArray gradW);

    /** Adds the per-channel bias {@code b} to {@code z}, in place. */
    void addBias(INDArray z, INDArray b);

    /** Writes {@code dL/db}, {@code delta} summed over everything but the channel axis, into {@code gradB}. */
    void biasGradient(INDArray delta, INDArray gradB);

    /**
     * Multiplies {@code a} by a per-example, per-channel factor, in one pass.
     *
     * @param factors {@code [minibatch, channels]}
     * @param result  where the product goes, of {@code a}'s shape: {@code a} itself (in place) or another array
     * @return {@code result}
     */
    INDArray scaleChannels(INDArray a, INDArray factors, INDArray result);

    /** @return the number of channels of an input or output array {@code a} */
    long channels(INDArray a);
}
