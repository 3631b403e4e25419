package io.github.dl4jbayes.internal.fused;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;

/**
 * The hidden-layer activations the fused path computes itself, each the same function as DL4J's
 * {@link IActivation} of that name (a test compares the fused step with DL4J's own).
 */
enum FusedActivation {
    IDENTITY {
        @Override
        double apply(double z) {
            return z;
        }

        @Override
        double derivative(double z, double a) {
            return 1.0;
        }
    },
    TANH {
        /** {@code 1 - 2 / (exp(2z) + 1)}: Math.exp is an intrinsic, Math.tanh a far slower library call */
        @Override
        double apply(double z) {
            if (z > 20) {
                return 1.0;
            }
            if (z < -20) {
                return -1.0;
            }
            return 1.0 - 2.0 / (Math.exp(2.0 * z) + 1.0);
        }

        @Override
        double derivative(double z, double a) {
            return 1.0 - a * a;
        }
    },
    SIGMOID {
        @Override
        double apply(double z) {
            return z >= 0 ? 1.0 / (1.0 + Math.exp(-z)) : Math.exp(z) / (1.0 + Math.exp(z));
        }

        @Override
        double derivative(double z, double a) {
            return a * (1.0 - a);
        }
    },
    RELU {
        @Override
        double apply(double z) {
            return z > 0 ? z : 0.0;
        }

        @Override
        double derivative(double z, double a) {
            return z > 0 ? 1.0 : 0.0;
        }
    };

    /** @return the activation of the pre-activation {@code z} */
    abstract double apply(double z);

    /** @return the derivative at {@code z}, whose activation is {@code a} */
    abstract double derivative(double z, double a);

    /** @return the fused form of a DL4J activation, or null when the fused path does not compute it */
    static FusedActivation of(IActivation fn) {
        if (fn == null) {
            return null;
        }
        Class<?> c = fn.getClass();
        if (c == ActivationIdentity.class) {
            return IDENTITY;
        }
        if (c == ActivationTanH.class) {
            return TANH;
        }
        if (c == ActivationSigmoid.class) {
            return SIGMOID;
        }
        if (c == ActivationReLU.class) {
            ActivationReLU relu = (ActivationReLU) fn;
            boolean plain = relu.getMax() == null && (relu.getThreshold() == null || relu.getThreshold() == 0.0)
                    && (relu.getNegativeSlope() == null || relu.getNegativeSlope() == 0.0);
            return plain ? RELU : null;
        }
        return null;
    }
}
