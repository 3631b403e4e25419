package io.github.dl4jbayes.internal.meanfield;

import io.github.dl4jbayes.internal.HostLoops;
import io.github.dl4jbayes.internal.StableMath;
import io.github.dl4jbayes.layers.*;

import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.priors.KlEstimate;
import io.github.dl4jbayes.priors.KlTerm;
import io.github.dl4jbayes.priors.ParameterBlock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sigma = max(softplus(rho), floor) must stay finite and positive in every data type and on both kernels, from
 * rho = -100 (softplus underflows in HALF and FLOAT) to rho = 31 (exp(rho) overflows HALF from 11.1): the draw,
 * the KL term and the gradient stay finite, and the KL matches a double-precision reference.
 */
class KernelNumericsTest {
    private static final int SIZE = 64;
    /**
     * The kernels: Java loops with Java's exp and log (small layers), Java loops with ND4J's exp and log and the
     * noise on a second thread (large layers), ND4J operations (GPU, large HALF layers).
     */
    private static final String[] KERNELS = {"java", "javaNativeSoftplus", "nd4j"};

    static MeanFieldKernel kernel(String name, int size, DataType type) {
        switch (name) {
            case "java":
                return new JavaLoopKernel(ParameterBlock.flat(size), type, false);
            case "javaNativeSoftplus":
                return new JavaLoopKernel(ParameterBlock.flat(size), type, true);
            default:
                return new Nd4jKernel(ParameterBlock.flat(size), type, HostLoops.backendInHostMemory());
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String kernel : KERNELS) {
            for (DataType type : new DataType[]{DataType.HALF, DataType.FLOAT, DataType.DOUBLE}) {
                for (double rho : new double[]{-100, -20, 10, 12, 29, 31}) {
                    out.add(Arguments.of(kernel, type, rho));
                }
            }
        }
        return out.stream();
    }

    /** Relative error of the data type's rounding of sigma, amplified at most ~sigma^2 / KL: a few units of it. */
    private static double tolerance(DataType type) {
        return type == DataType.HALF ? 3e-3 : type == DataType.FLOAT ? 1e-6 : 1e-12;
    }

    @ParameterizedTest(name = "{0}, {1}, rho={2}")
    @MethodSource("cases")
    void sigmaStaysFiniteAndPositive(String kernelName, DataType type, double rho) {
        MeanFieldKernel kernel = kernel(kernelName, SIZE, type);
        INDArray mu = Nd4j.zeros(type, SIZE);
        INDArray rhos = Nd4j.valueArrayOf(new long[]{SIZE}, rho, type);
        KlTerm prior = KlTerm.of(GaussianPrior.standardNormal(), KlEstimate.AUTO);

        // reference: sigma in double, floored at the type's smallest normal number, then rounded to the type
        double sigma = Nd4j.scalar(type, StableMath.sigma(rho, StableMath.sigmaFloor(type))).getDouble(0);
        double expectedKl = SIZE * (-Math.log(sigma) + sigma * sigma / 2 - 0.5);

        kernel.draw(mu, rhos, new SplittableRandom(3), true);
        INDArray sampled = kernel.sampled();
        assertTrue(finite(sampled), "draw: " + sampled);
        double kl = kernel.klDivergence(prior, mu, rhos);
        assertTrue(Double.isFinite(kl), "KL " + kl);
        assertEquals(expectedKl, kl, Math.abs(expectedKl) * tolerance(type), "KL at rho " + rho);

        INDArray gradMu = Nd4j.zeros(type, SIZE);
        INDArray gradRho = Nd4j.zeros(type, SIZE);
        kernel.completeGradient(prior, 1e-3, mu, rhos, gradMu, gradRho, SigmaGradient.FROM_MEAN_GRADIENT);
        assertTrue(finite(gradMu) && finite(gradRho), "gradients " + gradMu + " " + gradRho);
    }

    /**
     * Each drawn weight is {@code sigma_i * eps_i} when mu = 0; the noise is reproduced from the same generator, so
     * sigma is checked element by element against double precision, rho from -40 to 40 (ND4J's own log1p is
     * log(1 + x), which once gave softplus(-14) 15% too small in FLOAT).
     */
    @ParameterizedTest(name = "{0}, {1}")
    @org.junit.jupiter.params.provider.CsvSource({"java, FLOAT", "javaNativeSoftplus, FLOAT", "nd4j, FLOAT",
            "java, DOUBLE", "javaNativeSoftplus, DOUBLE", "nd4j, DOUBLE"})
    void sigmaIsAccurateToTheDataType(String kernelName, DataType type) {
        int n = 801;
        double[] rho = new double[n];
        for (int i = 0; i < n; i++) {
            rho[i] = -40 + 0.1 * i;
        }
        MeanFieldKernel kernel = kernel(kernelName, n, type);
        INDArray rhos = Nd4j.createFromArray(rho).castTo(type);
        kernel.draw(Nd4j.zeros(type, n), rhos, new SplittableRandom(11), true);
        double[] drawn = kernel.sampled().castTo(DataType.DOUBLE).toDoubleVector();
        SplittableRandom noise = new SplittableRandom(11);
        double tolerance = type == DataType.FLOAT ? 1e-6 : 1e-13;
        for (int i = 0; i < n; i++) {
            double eps = type == DataType.FLOAT ? (float) noise.nextGaussian() : noise.nextGaussian();
            double r = rhos.getDouble(i);
            double expected = StableMath.softplus(r) * eps;
            assertEquals(expected, drawn[i], Math.abs(expected) * tolerance, "rho = " + r);
        }
    }

    private static boolean finite(INDArray x) {
        for (double v : x.castTo(DataType.DOUBLE).toDoubleVector()) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
