package io.github.dl4jbayes.priors;

/**
 * The structure of one Bayesian layer's parameter block, as a prior sees it: {@code weightCount} weights followed by
 * {@code units} biases (when the layer has them), in the layer's flattened order. The weights of one output unit (an
 * output neuron of a dense layer, an output channel of a convolution) are contiguous in that order, so a weight's unit
 * is its position divided by {@code weightCount / units}; bias {@code j} belongs to unit {@code j}.
 *
 * <p>Priors that hold a value per parameter check their length against {@link #size()}; priors that pool per unit
 * (automatic relevance determination) use {@link #unitOf(int)}.
 */
public final class ParameterBlock {
    private final String layerName;
    private final long weightCount;
    private final int units;
    private final boolean hasBias;
    private final long weightsPerUnit;

    /**
     * @param layerName   the layer's name, for messages (may be null)
     * @param weightCount the number of weights (&gt; 0)
     * @param units       the number of output units (&gt; 0, dividing {@code weightCount})
     * @param hasBias     whether a bias per unit follows the weights
     * @throws IllegalArgumentException if the counts are not positive or {@code units} does not divide the weights
     */
    public ParameterBlock(String layerName, long weightCount, long units, boolean hasBias) {
        if (weightCount <= 0 || units <= 0 || weightCount % units != 0 || units > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("ParameterBlock: weightCount " + weightCount + " and units " + units
                    + " must be positive, with units dividing weightCount");
        }
        this.layerName = layerName;
        this.weightCount = weightCount;
        this.units = (int) units;
        this.hasBias = hasBias;
        this.weightsPerUnit = weightCount / units;
    }

    /** A block of {@code size} weights in one unit, without biases (for priors used outside a layer). */
    public static ParameterBlock flat(int size) {
        return new ParameterBlock(null, size, 1, false);
    }

    /** @return the layer's name (null when unnamed) */
    public String layerName() {
        return layerName;
    }

    /** @return the number of parameters: weights plus biases */
    public long size() {
        return weightCount + (hasBias ? units : 0);
    }

    /** @return the number of weights */
    public long weightCount() {
        return weightCount;
    }

    /** @return the number of output units */
    public int units() {
        return units;
    }

    /** @return whether the block ends with one bias per unit */
    public boolean hasBias() {
        return hasBias;
    }

    /** @return whether position {@code position} holds a bias (not a weight) */
    public boolean isBias(long position) {
        return position >= weightCount;
    }

    /** @return the output unit of the parameter at {@code position} in the block */
    public int unitOf(long position) {
        return (int) (position < weightCount ? position / weightsPerUnit : position - weightCount);
    }

    /** @return a description for error messages: the layer's name and the block's size */
    public String describe() {
        return (layerName == null ? "an unnamed layer" : "layer '" + layerName + "'") + " (" + size() + " parameters: "
                + weightCount + " weights" + (hasBias ? " + " + units + " biases" : "") + ")";
    }

    @Override
    public String toString() {
        return "ParameterBlock(" + describe() + ")";
    }
}
