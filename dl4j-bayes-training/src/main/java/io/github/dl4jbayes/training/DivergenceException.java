package io.github.dl4jbayes.training;

/**
 * Thrown when training diverges: the ELBO (the network's score) became NaN or infinite.
 */
public class DivergenceException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened, at which iteration, and what to try */
    public DivergenceException(String message) {
        super(message);
    }
}
