package io.github.dl4jbayes.baselines;

import io.github.dl4jbayes.internal.SymmetricEigen;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The generalized Gauss-Newton curvature G of the last layer's log-likelihood, kept in its eigenbasis so that the
 * posterior precision {@code G + delta I} can be inverted, sampled and its determinant taken for any prior precision
 * {@code delta} without a new factorization. Parameters are ordered output-major: index {@code k * rows + i} is
 * weight {@code [i, k]} of {@code [W; b]}.
 */
abstract sealed class Curvature {
    /** Eigenvalues below this fraction of the largest are rounding noise of a positive semi-definite matrix. */
    private static final double RELATIVE_FLOOR = 1e-12;

    final int rows;
    final int outputs;

    Curvature(int rows, int outputs) {
        this.rows = rows;
        this.outputs = outputs;
    }

    static Curvature full(INDArray g, int rows, int outputs) {
        return new Full(rows, outputs, g);
    }

    static Curvature kronecker(INDArray a, INDArray b, int rows, int outputs) {
        return new Kronecker(rows, outputs, a, b);
    }

    /** @return {@code log det(G + delta I)} */
    abstract double logDetPrecision(double delta);

    /**
     * @param z standard normal draws, {@code [draws, parameters]}
     * @return draws of the posterior's deviation from its mean, {@code [draws, parameters]}
     */
    abstract INDArray deviations(INDArray z, double delta);

    /**
     * @param phi last-layer inputs with the bias column, {@code [n, rows]}
     * @return the variance of each output's pre-activation under the posterior, {@code [n, outputs]}
     */
    abstract INDArray functionVariance(INDArray phi, double delta);

    /** @return the dense posterior covariance {@code (G + delta I)^-1}, {@code [parameters, parameters]} */
    abstract INDArray covariance(double delta);

    /** @return the curvature's own arrays, for saving: eigenvalues and eigenvectors */
    abstract INDArray[] arrays();

    /**
     * @param symmetric a symmetric positive semi-definite matrix
     * @return {eigenvalues (clipped at zero, those below 1e-12 of the largest set to zero), eigenvectors as columns};
     *         by {@link SymmetricEigen} (ND4J's own eigenvectors are wrong from about 300 x 300 on)
     */
    static INDArray[] eigen(INDArray symmetric) {
        SymmetricEigen e = SymmetricEigen.of(symmetric.castTo(DataType.DOUBLE).toDoubleMatrix());
        INDArray values = Nd4j.createFromArray(e.values());
        double floor = RELATIVE_FLOOR * Math.max(values.amaxNumber().doubleValue(), Double.MIN_NORMAL);
        values = Transforms.max(values, 0.0, false);
        values.muli(values.gt(floor).castTo(DataType.DOUBLE));
        return new INDArray[]{values, Nd4j.createFromArray(e.vectors())};
    }

    private static double sumLog(INDArray values, double delta) {
        return Transforms.log(values.add(delta), false).sumNumber().doubleValue();
    }

    /** The whole matrix: G = V diag(lambda) V^T. */
    static final class Full extends Curvature {
        private final INDArray values;
        private final INDArray vectors;

        private Full(int rows, int outputs, INDArray g) {
            super(rows, outputs);
            INDArray[] e = eigen(g);
            this.values = e[0];
            this.vectors = e[1];
        }

        Full(int rows, int outputs, INDArray values, INDArray vectors) {
            super(rows, outputs);
            this.values = values;
            this.vectors = vectors;
        }

        @Override
        double logDetPrecision(double delta) {
            return sumLog(values, delta);
        }

        @Override
        INDArray deviations(INDArray z, double delta) {
            INDArray scale = Transforms.pow(values.add(delta), -0.5, false).reshape(1, values.length());
            return z.mulRowVector(scale).mmul(vectors.transpose());
        }

        @Override
        INDArray functionVariance(INDArray phi, double delta) {
            INDArray inverse = Transforms.pow(values.add(delta), -1.0, false).reshape(values.length(), 1);
            INDArray out = Nd4j.create(DataType.DOUBLE, phi.size(0), outputs);
            for (int k = 0; k < outputs; k++) {
                INDArray block = vectors.get(NDArrayIndex.interval((long) k * rows, (long) (k + 1) * rows),
                        NDArrayIndex.all());
                INDArray projected = phi.mmul(block);
                out.putColumn(k, projected.muli(projected).mmul(inverse));
            }
            return out;
        }

        @Override
        INDArray covariance(double delta) {
            INDArray inverse = Transforms.pow(values.add(delta), -1.0, false).reshape(1, values.length());
            return vectors.mulRowVector(inverse).mmul(vectors.transpose());
        }

        @Override
        INDArray[] arrays() {
            return new INDArray[]{values, vectors};
        }
    }

    /**
     * Kronecker factors (Martens and Grosse 2015; Ritter et al. 2018): {@code G ~ B (x) A}, A the sum of the inputs'
     * outer products, B the mean over the examples of the likelihood's Hessian in the outputs; exact when that Hessian
     * is the same for every example (a Gaussian likelihood) or there is one example.
     */
    static final class Kronecker extends Curvature {
        private final INDArray aValues;
        private final INDArray aVectors;
        private final INDArray bValues;
        private final INDArray bVectors;

        private Kronecker(int rows, int outputs, INDArray a, INDArray b) {
            super(rows, outputs);
            INDArray[] ea = eigen(a);
            INDArray[] eb = eigen(b);
            this.aValues = ea[0];
            this.aVectors = ea[1];
            this.bValues = eb[0];
            this.bVectors = eb[1];
        }

        Kronecker(int rows, int outputs, INDArray aValues, INDArray aVectors, INDArray bValues, INDArray bVectors) {
            super(rows, outputs);
            this.aValues = aValues;
            this.aVectors = aVectors;
            this.bValues = bValues;
            this.bVectors = bVectors;
        }

        /** @return {@code a_i b_j + delta}, {@code [rows, outputs]} */
        private INDArray precisionValues(double delta) {
            return aValues.reshape(rows, 1).mmul(bValues.reshape(1, outputs)).addi(delta);
        }

        @Override
        double logDetPrecision(double delta) {
            return Transforms.log(precisionValues(delta), false).sumNumber().doubleValue();
        }

        @Override
        INDArray deviations(INDArray z, double delta) {
            INDArray scale = Transforms.pow(precisionValues(delta), -0.5, false);
            INDArray out = Nd4j.create(DataType.DOUBLE, z.size(0), (long) rows * outputs);
            for (long s = 0; s < z.size(0); s++) {
                INDArray x = z.getRow(s).reshape('c', outputs, rows).transpose().mul(scale);
                INDArray w = aVectors.mmul(x).mmul(bVectors.transpose());
                out.putRow(s, w.transpose().dup('c').reshape((long) rows * outputs));
            }
            return out;
        }

        @Override
        INDArray functionVariance(INDArray phi, double delta) {
            INDArray projected = phi.mmul(aVectors);
            INDArray inverse = Transforms.pow(precisionValues(delta), -1.0, false);
            return projected.muli(projected).mmul(inverse).mmul(bVectors.mul(bVectors).transpose());
        }

        @Override
        INDArray covariance(double delta) {
            int d = rows * outputs;
            INDArray basis = Nd4j.create(DataType.DOUBLE, d, d);
            for (int k = 0; k < outputs; k++) {
                for (int j = 0; j < outputs; j++) {
                    basis.get(NDArrayIndex.interval((long) k * rows, (long) (k + 1) * rows),
                                    NDArrayIndex.interval((long) j * rows, (long) (j + 1) * rows))
                            .assign(aVectors.mul(bVectors.getDouble(k, j)));
                }
            }
            INDArray inverse = Transforms.pow(precisionValues(delta), -1.0, false).transpose().dup('c')
                    .reshape(1, d);
            return basis.mulRowVector(inverse).mmul(basis.transpose());
        }

        @Override
        INDArray[] arrays() {
            return new INDArray[]{aValues, aVectors, bValues, bVectors};
        }
    }
}
