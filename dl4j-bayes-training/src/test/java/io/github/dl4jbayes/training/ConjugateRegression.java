package io.github.dl4jbayes.training;

import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.layers.MeanFieldLayout;
import io.github.dl4jbayes.internal.StableMath;
import io.github.dl4jbayes.priors.GaussianPrior;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.inverse.InvertMatrix;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Bayesian linear regression with a known noise variance, which is conjugate: with prior {@code w ~ N(0, s0^2 I)}
 * and likelihood {@code y ~ N(Xw, s^2)}, the posterior is Gaussian with precision {@code Lambda = X'X / s^2 + I / s0^2}
 * and mean {@code m = Lambda^-1 X'y / s^2}. The optimal mean-field Gaussian (the maximizer of the ELBO) then has
 * exactly the means {@code m} and the variances {@code 1 / Lambda_ii}. A single {@link BayesianOutputLayer} with
 * identity activation and MSE loss is this model for {@code s^2 = 1/2}: DL4J's MSE, {@code (y - y')^2}, is then the
 * negative log-likelihood up to a constant. Shared by the single-machine and the Spark tests (a test-jar).
 */
public final class ConjugateRegression {
    /** 40 examples, 3 features, no bias. */
    public static final int N = 40;
    private static final double NOISE_VARIANCE = 0.5;
    private static final double PRIOR_STD = 1.0;

    private final DataSet data;
    private final INDArray precision;
    private final INDArray exactMean;

    public ConjugateRegression() {
        INDArray x = TestData.randn(2016, DataType.DOUBLE, N, 3);
        INDArray wTrue = Nd4j.createFromArray(0.8, -0.5, 0.3).reshape(3, 1);
        INDArray y = x.mmul(wTrue).addi(TestData.randn(2017, DataType.DOUBLE, N, 1).muli(Math.sqrt(NOISE_VARIANCE)));
        this.data = new DataSet(x, y);
        this.precision = x.transpose().mmul(x).divi(NOISE_VARIANCE)
                .addi(Nd4j.eye(3).castTo(DataType.DOUBLE).divi(PRIOR_STD * PRIOR_STD));
        this.exactMean = InvertMatrix.invert(precision, false).mmul(x.transpose().mmul(y).divi(NOISE_VARIANCE));
    }

    /** @return the 40 examples */
    public DataSet data() {
        return data;
    }

    /** @return the model: one Bayesian output layer, identity, MSE, N(0, 1) prior, initial posterior std 0.5 */
    public MultiLayerNetwork network(IUpdater updater) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(1).dataType(DataType.DOUBLE).updater(updater)
                .list()
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(1)
                        .activation(Activation.IDENTITY).hasBias(false).prior(new GaussianPrior(0, PRIOR_STD))
                        .initialPosteriorStd(0.5).build())
                .build());
        net.init();
        return net;
    }

    /**
     * @return the worst errors of the network's posterior: {@code [max |mu_i - m_i| / sd_i, max |sigma_i - sd_i| / sd_i]}
     *         with {@code sd_i = 1 / sqrt(Lambda_ii)}
     */
    public double[] worstErrors(MultiLayerNetwork net) {
        Layer layer = net.getLayer(0);
        INDArray mu = layer.getParam(MeanFieldLayout.WEIGHT_MU);
        INDArray rho = layer.getParam(MeanFieldLayout.WEIGHT_RHO);
        double worstMean = 0;
        double worstStd = 0;
        for (int i = 0; i < 3; i++) {
            double exactStd = 1.0 / Math.sqrt(precision.getDouble(i, i));
            double sigma = StableMath.softplus(rho.getDouble(i, 0));
            worstMean = Math.max(worstMean, Math.abs(mu.getDouble(i, 0) - exactMean.getDouble(i, 0)) / exactStd);
            worstStd = Math.max(worstStd, Math.abs(sigma - exactStd) / exactStd);
        }
        return new double[]{worstMean, worstStd};
    }
}
