package io.github.dl4jbayes.internal.meanfield;

/**
 * How a pruned parameter is stored. A pruned weight has mean exactly 0 and {@code rho =} {@link #PRUNED_RHO}, far below
 * any value training reaches (sigma would underflow long before). A layer treats every parameter with
 * {@code rho <=} {@link #PRUNED_RHO_LIMIT} as pruned: it draws it as exactly 0, keeps its mean at 0 (writing 0 back if an
 * optimizer's momentum moved it), gives it no gradient, and leaves it out of the KL term. The mark lives in the
 * parameters, so a pruned network saves, loads, clones and trains on as pruned. Biases are never pruned.
 * {@link MeanFieldPosterior#prune} does the pruning; {@code io.github.dl4jbayes.layers.Pruning} is its user API.
 */
public final class PrunedParameters {
    /** The rho stored for a pruned parameter. */
    public static final double PRUNED_RHO = -1.0e4;
    /** Parameters with rho at or below this are pruned. */
    public static final double PRUNED_RHO_LIMIT = -1.0e3;

    private PrunedParameters() {
    }

    /** @return whether a parameter with this rho is pruned */
    public static boolean isPruned(double rho) {
        return rho <= PRUNED_RHO_LIMIT;
    }
}
