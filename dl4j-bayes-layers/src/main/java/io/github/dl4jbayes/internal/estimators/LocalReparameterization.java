package io.github.dl4jbayes.internal.estimators;

import io.github.dl4jbayes.internal.meanfield.MeanFieldPosterior;
import io.github.dl4jbayes.internal.meanfield.SigmaGradient;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.util.Map;

/**
 * {@code LOCAL_REPARAMETERIZATION} (Kingma, Salimans and Welling 2015), for dense and output layers: the
 * pre-activations are drawn instead of the weights. Under the mean-field posterior, {@code z = x w + b} is Gaussian
 * given {@code x}, with mean {@code m = x mu_W + mu_b} and variance {@code v = x^2 sigma_W^2 + sigma_b^2}; so
 * {@code z = m + sqrt(v) o zeta} with {@code zeta ~ N(0, 1)} independent per example and unit. Same expected
 * data term, hence unbiased gradients of the same ELBO, and the noise of different examples is independent.
 *
 * <p>Backward, with {@code g = dL/dz o zeta / sqrt(v)} (twice {@code dL/dv}): {@code dL/dmu_W = x^T dL/dz},
 * {@code dL/dsigma_W = sigma_W o ((x^2)^T g)}, {@code dL/dsigma_b = sigma_b o sum(g)},
 * {@code dL/dx = dL/dz mu_W^T + x o (g (sigma_W^2)^T)}. Where {@code v = 0} (an all-zero input row without bias),
 * {@code sqrt(v)} is taken as 1 in the division: every term it multiplies is zero there, which is the limit.
 */
final class LocalReparameterization extends MeanFieldEstimator {
    private final PerExampleNoise zeta = new PerExampleNoise();
    /** The posterior's draw the per-example noise belongs to. */
    private long zetaOfDraw = -1;

    @Override
    public MeanFieldPosterior.Draw drawKind() {
        return MeanFieldPosterior.Draw.NO_NOISE;
    }
    /**
     * {@code x^2}, {@code sigma^2} (of the whole block, weights then biases: one contiguous pass) and {@code sqrt(v)}
     * (0 read as 1) of the last forward pass.
     */
    private final ScratchArray inputSquared = new ScratchArray();
    private final ScratchArray variance = new ScratchArray();
    private final ScratchArray std = new ScratchArray();

    @Override
    public INDArray forward(MeanFieldPosterior posterior, LinearMap map, INDArray x) {
        INDArray z = affine(map, x, posterior.meanWeights(), posterior.meanBias());
        posterior.draw(MeanFieldPosterior.Draw.NO_NOISE);
        if (posterior.drawCount() != zetaOfDraw) {
            zetaOfDraw = posterior.drawCount();
            zeta.gaussian(posterior.kernelPolicy().hostMemory(), posterior.noise(), x.size(0), map.channels(z), x.dataType());
        }
        INDArray x2 = x.mul(x, inputSquared.of(x.dataType(), x.shape()));
        INDArray sigma = posterior.sigmaBlock();
        INDArray var = sigma.mul(sigma, variance.of(sigma.dataType(), sigma.shape()));
        INDArray v = affine(map, x2, posterior.weightsOf(var), posterior.biasOf(var));
        INDArray s = Nd4j.exec(new Sqrt(v, std.of(v.dataType(), v.shape())));
        z.addi(s.mul(zeta.values(), v));
        BooleanIndexing.replaceWhere(s, 1.0, Conditions.equals(0.0));
        return z;
    }

    @Override
    public Result backward(MeanFieldPosterior posterior, LinearMap map, INDArray x, INDArray delta,
                           Map<String, INDArray> gradientViews) {
        INDArray dx = affineBackward(map, x, posterior.meanWeights(), delta, posterior.gradMeanWeights(),
                posterior.gradMeanBias());
        INDArray g = delta.mul(zeta.values()).divi(std.get());                      // 2 dL/dv
        // 2 dL/dsigma^2 into the rho views (the posterior multiplies it by sigma)
        INDArray dxVariance = affineBackward(map, inputSquared.get(), posterior.weightsOf(variance.get()), g,
                posterior.gradRhoWeights(), posterior.gradRhoBias());
        dx.addi(dxVariance.muli(x));
        return new Result(posterior.completeGradient(SigmaGradient.FROM_VARIANCE_GRADIENT, gradientViews), dx);
    }
}
