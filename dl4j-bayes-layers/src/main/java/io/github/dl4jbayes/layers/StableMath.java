package io.github.dl4jbayes.layers;

/**
 * Numerically stable scalar functions for the softplus parameterization {@code sigma = softplus(rho)}.
 */
public final class StableMath {
    private StableMath() {
    }

    /** @return {@code log(1 + exp(x))} without overflow for large {@code x} or loss of precision for small */
    public static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    /** @return {@code 1 / (1 + exp(-x))}, the derivative of {@link #softplus(double)}, without overflow */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /**
     * @param y a positive number
     * @return {@code rho} such that {@code softplus(rho) = y}, i.e. {@code log(exp(y) - 1)}, computed stably
     * @throws IllegalArgumentException if {@code y} is not a finite positive number
     */
    public static double inverseSoftplus(double y) {
        if (!(y > 0) || !Double.isFinite(y)) {
            throw new IllegalArgumentException("inverseSoftplus needs a finite positive argument, got " + y);
        }
        return y + Math.log(-Math.expm1(-y));
    }
}
