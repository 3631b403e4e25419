package io.github.dl4jbayes.internal.estimators;

import io.github.dl4jbayes.internal.meanfield.MeanFieldPosterior;
import io.github.dl4jbayes.internal.meanfield.SigmaGradient;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * {@code FLIPOUT} (Wen et al. 2018): one perturbation {@code dW = sigma eps} per forward pass, decorrelated between
 * the examples of the minibatch by random signs {@code s_in} (per example and input channel) and {@code s_out} (per
 * example and output channel):
 * {@code z = x (*) mu_W + mu_b + ((x o s_in) (*) dW + db) o s_out}. Each example sees the weights
 * {@code mu + dW o (s_in s_out^T)}, a draw from the posterior (the law of {@code eps} is symmetric), so the gradient
 * is unbiased; the examples' perturbations are nearly independent, so its variance falls with the minibatch size.
 */
final class Flipout extends MeanFieldEstimator {
    private final PerExampleNoise signsIn = new PerExampleNoise();
    private final PerExampleNoise signsOut = new PerExampleNoise();
    /** {@code x o s_in} of the last forward pass, for the backward pass. */
    private final ScratchArray signedInput = new ScratchArray();
    /** The posterior's draw the signs belong to. */
    private long signsOfDraw = -1;

    @Override
    public MeanFieldPosterior.Draw drawKind() {
        return MeanFieldPosterior.Draw.PERTURBATION;
    }

    @Override
    public INDArray forward(MeanFieldPosterior posterior, LinearMap map, INDArray x) {
        INDArray z = affine(map, x, posterior.meanWeights(), posterior.meanBias());
        posterior.draw(MeanFieldPosterior.Draw.PERTURBATION);
        if (posterior.drawCount() != signsOfDraw) {
            signsOfDraw = posterior.drawCount();
            signsIn.signs(posterior.kernelPolicy().hostMemory(), posterior.noise(), x.size(0), map.channels(x), x.dataType());
            signsOut.signs(posterior.kernelPolicy().hostMemory(), posterior.noise(), x.size(0), map.channels(z), x.dataType());
        }
        INDArray xs = map.scaleChannels(x, signsIn.values(), signedInput.of(x.dataType(), x.shape()));
        INDArray perturbation = affine(map, xs, posterior.drawnWeights(), posterior.drawnBias());
        map.scaleChannels(perturbation, signsOut.values(), perturbation);
        return z.addi(perturbation);
    }

    @Override
    public Result backward(MeanFieldPosterior posterior, LinearMap map, INDArray x, INDArray delta,
                           Map<String, INDArray> gradientViews) {
        INDArray dx = affineBackward(map, x, posterior.meanWeights(), delta, posterior.gradMeanWeights(),
                posterior.gradMeanBias());
        INDArray signedDelta = map.scaleChannels(delta, signsOut.values(),
                Nd4j.createUninitialized(delta.dataType(), delta.shape()));
        // d(sigma eps) is written into the rho block; the posterior multiplies it by eps
        INDArray dxPerturbation = affineBackward(map, signedInput.get(), posterior.drawnWeights(), signedDelta,
                posterior.gradRhoWeights(), posterior.gradRhoBias());
        map.scaleChannels(dxPerturbation, signsIn.values(), dxPerturbation);
        dx.addi(dxPerturbation);
        return new Result(posterior.completeGradient(SigmaGradient.FROM_PERTURBATION_GRADIENT, gradientViews), dx);
    }
}
