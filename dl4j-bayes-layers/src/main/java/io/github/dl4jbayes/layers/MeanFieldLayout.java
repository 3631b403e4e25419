package io.github.dl4jbayes.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flattened parameter (and gradient) layout of a Bayesian layer: a block of means followed by a block of
 * {@code rho}s of the same shape, so that a whole layer is sampled in one pass:
 *
 * <pre>
 *   [ Wmu | bmu (nOut) | Wrho | brho (nOut) ]
 * </pre>
 *
 * with the weights in the layer's shape and order ({@link BayesianLayerConfig#weightShape()}): {@code [nIn, nOut]}
 * column-major for dense layers, {@code [nOut, nIn, kH, kW]} row-major for convolutions, as in DL4J's own layers,
 * and {@code [nIn + nOut, 4 nOut]} column-major for an LSTM (input weights above recurrent weights, 4 nOut biases).
 *
 * The bias entries are absent when the layer has no bias. An output layer that learns a homoscedastic noise scale
 * appends {@code noise (nOut)} after the two blocks.
 */
public final class MeanFieldLayout {
    /*
     * DL4J joins layer and parameter names as "layer_param" and splits gradient keys at the last '_'
     * (BaseMultiLayerUpdater), so parameter keys cannot contain '_': "W_mu" would be read as parameter "mu" of
     * layer "0_W". Hence Wmu / Wrho rather than W_mu / W_rho.
     */
    /** Key of the weight means ("W_mu"), in the layer's weight shape ({@code [nIn, nOut]} for dense layers). */
    public static final String WEIGHT_MU = "Wmu";
    /** Key of the bias means ("b_mu"), a vector of length {@code nOut} ({@code 4 nOut} for an LSTM). */
    public static final String BIAS_MU = "bmu";
    /** Key of the weights' rho ("W_rho", {@code sigma = softplus(rho)}), in the layer's weight shape. */
    public static final String WEIGHT_RHO = "Wrho";
    /** Key of the biases' rho ("b_rho"), a vector of length {@code nOut}. */
    public static final String BIAS_RHO = "brho";
    /** Key of the learned homoscedastic noise's raw scales, a vector of length {@code nOut} (output layers only). */
    public static final String NOISE = "noise";

    private final long[] weightShape;
    private final char weightOrder;
    private final long weightCount;
    private final long nOut;
    private final long biasSize;
    private final boolean hasBias;
    private final boolean hasNoise;

    /** @param conf the layer configuration the layout is for */
    public MeanFieldLayout(BayesianLayerConfig conf) {
        this.weightShape = conf.weightShape();
        this.weightOrder = conf.weightOrder();
        long count = 1;
        for (long d : weightShape) {
            count *= d;
        }
        this.weightCount = count;
        this.nOut = conf.getNOut();
        this.biasSize = conf.biasSize();
        this.hasBias = conf.hasBias();
        this.hasNoise = conf.hasLearnedNoise();
    }

    /** @return the number of weights ({@code nIn * nOut} for dense layers) */
    public long weightCount() {
        return weightCount;
    }

    /** @return the shape of the weight array */
    public long[] weightShape() {
        return weightShape.clone();
    }

    /** @return the size of one block (means or rhos): weights plus biases */
    public long blockSize() {
        return weightCount() + (hasBias ? biasSize : 0);
    }

    /** @return the total number of parameters: two blocks, and the noise scales when the layer learns them */
    public long totalSize() {
        return 2 * blockSize() + (hasNoise ? nOut : 0);
    }

    /** @return the learned noise's raw scales of a flattened array, or null when the layer has none */
    public INDArray noise(INDArray flat) {
        return hasNoise ? vector(flat).get(NDArrayIndex.interval(2 * blockSize(), totalSize())) : null;
    }

    /** @return whether the layout has bias entries */
    public boolean hasBias() {
        return hasBias;
    }

    /** @return the block of means (weights then biases) of a flattened parameter or gradient array */
    public INDArray muBlock(INDArray flat) {
        return vector(flat).get(NDArrayIndex.interval(0, blockSize()));
    }

    /** @return the block of rhos (weights then biases) of a flattened parameter or gradient array */
    public INDArray rhoBlock(INDArray flat) {
        return vector(flat).get(NDArrayIndex.interval(blockSize(), 2 * blockSize()));
    }

    /** @return the weight view of a block, in the layer's weight shape */
    public INDArray weights(INDArray block) {
        return block.get(NDArrayIndex.interval(0, weightCount())).reshape(weightOrder, weightShape);
    }

    /** @return the bias vector view of a block, or null without biases */
    public INDArray bias(INDArray block) {
        return hasBias ? block.get(NDArrayIndex.interval(weightCount(), blockSize())) : null;
    }

    /**
     * @param flat a flattened parameter or gradient array of {@link #totalSize()} elements
     * @return views keyed {@code Wmu, bmu, Wrho, brho}, in the flattened order
     */
    public Map<String, INDArray> views(INDArray flat) {
        if (flat.length() != totalSize()) {
            throw new IllegalStateException("Expected a parameter view of length " + totalSize() + ", got " + flat.length());
        }
        INDArray mu = muBlock(flat);
        INDArray rho = rhoBlock(flat);
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(WEIGHT_MU, weights(mu));
        if (hasBias) {
            out.put(BIAS_MU, bias(mu));
        }
        out.put(WEIGHT_RHO, weights(rho));
        if (hasBias) {
            out.put(BIAS_RHO, bias(rho));
        }
        if (hasNoise) {
            out.put(NOISE, noise(flat));
        }
        return out;
    }

    /** @return the parameter keys in the flattened order: {@code Wmu, [bmu,] Wrho[, brho]} */
    public List<String> keys() {
        List<String> keys = new java.util.ArrayList<>(hasBias ? List.of(WEIGHT_MU, BIAS_MU, WEIGHT_RHO, BIAS_RHO)
                : List.of(WEIGHT_MU, WEIGHT_RHO));
        if (hasNoise) {
            keys.add(NOISE);
        }
        return keys;
    }

    private static INDArray vector(INDArray flat) {
        return flat.rank() == 1 ? flat : flat.reshape(flat.length());
    }
}
