package io.github.dl4jbayes.internal.estimators;

import io.github.dl4jbayes.internal.meanfield.MeanFieldPosterior;
import io.github.dl4jbayes.internal.meanfield.SigmaGradient;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * {@code REPARAMETERIZATION}: one draw of the whole weights {@code w = mu + sigma eps} per forward pass, shared by
 * the minibatch: {@code z = x (*) w + b}. {@code dL/dmu = dL/dw} and {@code dL/dsigma = dL/dw * eps}.
 */
final class Reparameterization extends MeanFieldEstimator {

    @Override
    public MeanFieldPosterior.Draw drawKind() {
        return MeanFieldPosterior.Draw.WEIGHTS;
    }

    @Override
    public INDArray forward(MeanFieldPosterior posterior, LinearMap map, INDArray x) {
        posterior.draw(MeanFieldPosterior.Draw.WEIGHTS);
        return affine(map, x, posterior.drawnWeights(), posterior.drawnBias());
    }

    @Override
    public Result backward(MeanFieldPosterior posterior, LinearMap map, INDArray x, INDArray delta,
                           Map<String, INDArray> gradientViews) {
        INDArray dx = affineBackward(map, x, posterior.drawnWeights(), delta, posterior.gradMeanWeights(),
                posterior.gradMeanBias());
        return new Result(posterior.completeGradient(SigmaGradient.FROM_MEAN_GRADIENT, gradientViews), dx);
    }
}
