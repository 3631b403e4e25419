package io.github.dl4jbayes.layers;

/**
 * How a pruned parameter is stored: its mean is exactly 0 and its {@code rho} is {@link #PRUNED_RHO}, far below any
 * value training reaches (sigma would underflow long before). A layer treats every parameter with
 * {@code rho <= } {@link #PRUNED_RHO_LIMIT} as pruned: it draws it as exactly 0, keeps its mean at 0, gives it no
 * gradient, and leaves it out of the KL term (a pruned weight is no longer a random variable of the model). Since the
 * mark lives in the parameters, a pruned network saves, loads, clones and trains on as pruned.
 * {@link BayesianNetworks#prune} prunes by signal-to-noise ratio.
 */
public final class Pruning {
    /** The rho stored for a pruned parameter. */
    public static final double PRUNED_RHO = -1.0e4;
    /** Parameters with rho at or below this are pruned. */
    public static final double PRUNED_RHO_LIMIT = -1.0e3;

    private Pruning() {
    }

    /** @return whether a parameter with this rho is pruned */
    public static boolean isPruned(double rho) {
        return rho <= PRUNED_RHO_LIMIT;
    }
}
