package io.github.dl4jbayes.internal;

/**
 * Eigenvalues and eigenvectors of a real symmetric matrix by the cyclic Jacobi method, in plain Java double
 * precision. ND4J 1.0.0-M2.1's {@code Eigen.symmetricGeneralizedEigenvalues} and {@code gesvd} return wrong
 * eigenvectors from about 300 x 300 on (residual |A v - lambda v| in the hundreds, measured on the CPU backend), so the
 * library does not use them. Jacobi rotations are slower than LAPACK (a few seconds at 700 x 700) but exact to
 * rounding, and reproducible.
 */
public final class SymmetricEigen {
    private static final int MAX_SWEEPS = 100;

    private final double[] values;
    private final double[][] vectors;

    private SymmetricEigen(double[] values, double[][] vectors) {
        this.values = values;
        this.vectors = vectors;
    }

    /**
     * @param symmetric a square symmetric matrix (only read; the mean of {@code a[i][j]} and {@code a[j][i]} is used)
     * @return its eigenvalues in ascending order and the matching orthonormal eigenvectors (columns)
     * @throws IllegalArgumentException if the matrix is not square or holds NaN or infinity
     */
    public static SymmetricEigen of(double[][] symmetric) {
        int n = symmetric.length;
        double[][] a = new double[n][n];
        double norm = 0;
        for (int i = 0; i < n; i++) {
            if (symmetric[i].length != n) {
                throw new IllegalArgumentException("symmetric: row " + i + " has " + symmetric[i].length
                        + " entries, expected " + n);
            }
            for (int j = 0; j < n; j++) {
                double v = 0.5 * (symmetric[i][j] + symmetric[j][i]);
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("symmetric: entry [" + i + ", " + j + "] is " + v);
                }
                a[i][j] = v;
                norm += v * v;
            }
        }
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            v[i][i] = 1;
        }
        double target = 1e-30 * norm;
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off <= target) {
                break;
            }
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    rotate(a, v, p, q);
                }
            }
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = a[i][i];
        }
        return sorted(values, v);
    }

    /** One Jacobi rotation in the (p, q) plane that zeroes {@code a[p][q]}: {@code A <- J^T A J}, {@code V <- V J}. */
    private static void rotate(double[][] a, double[][] v, int p, int q) {
        double apq = a[p][q];
        if (apq == 0) {
            return;
        }
        double theta = (a[q][q] - a[p][p]) / (2 * apq);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) {
            t = 1;
        }
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        int n = a.length;
        for (int k = 0; k < n; k++) {           // columns p and q
            double[] row = a[k];
            double akp = row[p];
            double akq = row[q];
            row[p] = c * akp - s * akq;
            row[q] = s * akp + c * akq;
        }
        double[] rowP = a[p];
        double[] rowQ = a[q];
        for (int k = 0; k < n; k++) {           // rows p and q
            double apk = rowP[k];
            double aqk = rowQ[k];
            rowP[k] = c * apk - s * aqk;
            rowQ[k] = s * apk + c * aqk;
        }
        rowP[q] = 0;
        rowQ[p] = 0;
        for (int k = 0; k < n; k++) {
            double[] row = v[k];
            double vkp = row[p];
            double vkq = row[q];
            row[p] = c * vkp - s * vkq;
            row[q] = s * vkp + c * vkq;
        }
    }

    private static SymmetricEigen sorted(double[] values, double[][] v) {
        int n = values.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(values[x], values[y]));
        double[] sortedValues = new double[n];
        double[][] sortedVectors = new double[n][n];
        for (int j = 0; j < n; j++) {
            sortedValues[j] = values[order[j]];
            for (int i = 0; i < n; i++) {
                sortedVectors[i][j] = v[i][order[j]];
            }
        }
        return new SymmetricEigen(sortedValues, sortedVectors);
    }

    /** @return the eigenvalues, ascending (a copy) */
    public double[] values() {
        return values.clone();
    }

    /** @return the eigenvectors as columns, {@code [n][n]}, column j for eigenvalue j (a copy) */
    public double[][] vectors() {
        double[][] out = new double[vectors.length][];
        for (int i = 0; i < vectors.length; i++) {
            out[i] = vectors[i].clone();
        }
        return out;
    }
}
