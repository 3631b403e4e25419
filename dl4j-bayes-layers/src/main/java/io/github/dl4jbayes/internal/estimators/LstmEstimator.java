package io.github.dl4jbayes.internal.estimators;

import io.github.dl4jbayes.internal.meanfield.MeanFieldPosterior;
import io.github.dl4jbayes.internal.meanfield.SigmaGradient;
import io.github.dl4jbayes.layers.Estimator;
import org.deeplearning4j.nn.gradient.Gradient;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The estimators of a Bayesian LSTM ({@link LstmPass} with the posterior's draws): in training
 * {@link Estimator#REPARAMETERIZATION} (one draw of the whole weights per pass, used at every step of every sequence)
 * or {@link Estimator#FLIPOUT} (the means plus one perturbation per pass, with signs per sequence that stay the same
 * at every step); outside training the means or one whole-weight draw. One instance per layer instance.
 */
public final class LstmEstimator {
    private final LstmPass training;
    private final LstmPass inference;
    private final PerExampleNoise signsX = new PerExampleNoise();
    private final PerExampleNoise signsH = new PerExampleNoise();
    private final PerExampleNoise signsOut = new PerExampleNoise();
    private long signsOfDraw = -1;
    private LstmPass last;
    private Estimator trainingKind;

    /**
     * @param gate the gates' activation
     * @param cell the block input's and cell output's activation
     */
    public LstmEstimator(IActivation gate, IActivation cell) {
        this.training = new LstmPass(gate, cell, true);
        this.inference = new LstmPass(gate, cell, false);
    }

    /** @return what a training forward pass of {@code kind} draws from the posterior */
    public static MeanFieldPosterior.Draw drawKind(Estimator kind) {
        return kind == Estimator.FLIPOUT ? MeanFieldPosterior.Draw.PERTURBATION : MeanFieldPosterior.Draw.WEIGHTS;
    }

    /**
     * The training forward pass, kept for {@link #backward}.
     *
     * @param x    time-major input {@code [T * B, nIn]} in the parameters' data type
     * @param h0   initial hidden state {@code [B, H]} or null
     * @param c0   initial cell state or null
     * @param mask time-major mask {@code [T * B, 1]} or null
     * @return the hidden states, time-major {@code [T * B, H]} (a view, valid until the next training pass)
     */
    public INDArray forwardTraining(MeanFieldPosterior posterior, Estimator kind, INDArray x, long steps, long batch,
                                    INDArray h0, INDArray c0, INDArray mask) {
        LstmPass.Weights w;
        if (kind == Estimator.FLIPOUT) {
            posterior.draw(MeanFieldPosterior.Draw.PERTURBATION);
            if (posterior.drawCount() != signsOfDraw) {
                signsOfDraw = posterior.drawCount();
                boolean host = posterior.kernelPolicy().hostMemory();
                long hidden = posterior.meanBias().length() / 4;
                signsX.signs(host, posterior.noise(), batch, x.size(1), x.dataType());
                signsH.signs(host, posterior.noise(), batch, hidden, x.dataType());
                signsOut.signs(host, posterior.noise(), batch, 4 * hidden, x.dataType());
            }
            w = LstmPass.Weights.flipout(posterior.meanWeights(), posterior.meanBias(), posterior.drawnWeights(),
                    posterior.drawnBias(), signsX.values(), signsH.values(), signsOut.values());
        } else {
            posterior.draw(MeanFieldPosterior.Draw.WEIGHTS);
            w = LstmPass.Weights.whole(posterior.drawnWeights(), posterior.drawnBias());
        }
        trainingKind = kind;
        last = training;
        return training.forward(x, steps, batch, w, h0, c0, mask);
    }

    /**
     * A forward pass outside training: with the posterior means, or with one draw of the whole weights.
     *
     * @param sample whether to draw the weights (else the means)
     * @return the hidden states, time-major {@code [T * B, H]}, in the current workspace
     */
    public INDArray forwardInference(MeanFieldPosterior posterior, boolean sample, INDArray x, long steps, long batch,
                                     INDArray h0, INDArray c0, INDArray mask) {
        LstmPass.Weights w;
        if (sample) {
            posterior.draw(MeanFieldPosterior.Draw.WEIGHTS);
            w = LstmPass.Weights.whole(posterior.drawnWeights(), posterior.drawnBias());
        } else {
            w = LstmPass.Weights.whole(posterior.meanWeights(), posterior.meanBias());
        }
        last = inference;
        return inference.forward(x, steps, batch, w, h0, c0, mask);
    }

    /** @return the hidden state after the last step of the last pass, {@code [B, H]} (a view) */
    public INDArray lastHidden() {
        return last.lastHidden();
    }

    /** @return the cell state after the last step of the last pass, {@code [B, H]} (a view) */
    public INDArray lastCell() {
        return last.lastCell();
    }

    /**
     * The backward pass of the last training pass: writes the data term's gradients and completes them with the KL.
     *
     * @param eps           {@code dL/dh}, time-major {@code [T * B, H]}
     * @param backwardSteps steps to backpropagate through (truncated BPTT), or &le; 0 for all
     * @return the parameters' gradient and {@code dL/dx}, time-major {@code [T * B, nIn]}
     */
    public MeanFieldEstimator.Result backward(MeanFieldPosterior posterior, INDArray eps, int backwardSteps,
                                              Map<String, INDArray> gradientViews) {
        boolean flipout = trainingKind == Estimator.FLIPOUT;
        LstmPass.Gradients grads = new LstmPass.Gradients(posterior.gradMeanWeights(), posterior.gradMeanBias(),
                flipout ? posterior.gradRhoWeights() : null, flipout ? posterior.gradRhoBias() : null);
        INDArray dx = training.backward(eps, backwardSteps, grads);
        Gradient g = posterior.completeGradient(flipout ? SigmaGradient.FROM_PERTURBATION_GRADIENT
                : SigmaGradient.FROM_MEAN_GRADIENT, gradientViews);
        return new MeanFieldEstimator.Result(g, dx);
    }
}
