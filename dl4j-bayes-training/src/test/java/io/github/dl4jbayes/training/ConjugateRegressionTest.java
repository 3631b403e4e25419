package io.github.dl4jbayes.training;

import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.layers.MeanFieldLayout;
import io.github.dl4jbayes.layers.StableMath;
import io.github.dl4jbayes.priors.GaussianPrior;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.inverse.InvertMatrix;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bayesian linear regression with a known noise variance is conjugate: with prior {@code w ~ N(0, s0^2 I)} and
 * likelihood {@code y ~ N(Xw, s^2)}, the posterior is Gaussian with precision
 * {@code Lambda = X'X / s^2 + I / s0^2} and mean {@code m = Lambda^-1 X'y / s^2}. The optimal mean-field Gaussian
 * (the maximizer of the ELBO) then has exactly the means {@code m} and the variances {@code 1 / Lambda_ii}.
 * A single {@link BayesianOutputLayer} with identity activation and MSE loss is this model for
 * {@code s^2 = 1/2}: DL4J's MSE, {@code (y - y')^2}, is then the negative log-likelihood up to a constant.
 */
class ConjugateRegressionTest {

    @Test
    void adviRecoversTheExactMeanFieldPosterior() {
        int n = 40;
        double noiseVariance = 0.5;
        double priorStd = 1.0;
        INDArray x = TestData.randn(2016, DataType.DOUBLE, n, 3);
        INDArray wTrue = Nd4j.createFromArray(0.8, -0.5, 0.3).reshape(3, 1);
        INDArray y = x.mmul(wTrue).addi(TestData.randn(2017, DataType.DOUBLE, n, 1).muli(Math.sqrt(noiseVariance)));

        INDArray precision = x.transpose().mmul(x).divi(noiseVariance)
                .addi(Nd4j.eye(3).castTo(DataType.DOUBLE).divi(priorStd * priorStd));
        INDArray exactMean = InvertMatrix.invert(precision, false).mmul(x.transpose().mmul(y).divi(noiseVariance));

        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(1).dataType(DataType.DOUBLE)
                .updater(new Adam(new ExponentialSchedule(ScheduleType.ITERATION, 0.05, Math.pow(1e-4, 1.0 / 6000))))
                .list()
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(1)
                        .activation(Activation.IDENTITY).hasBias(false).prior(new GaussianPrior(0, priorStd))
                        .initialPosteriorStd(0.5).build())
                .build());
        net.init();

        Advi.builder().datasetSize(n).iterations(6000).mcSamples(4).printEvery(0).build().fit(net, new DataSet(x, y));

        INDArray mu = net.getLayer(0).getParam(MeanFieldLayout.WEIGHT_MU);
        INDArray rho = net.getLayer(0).getParam(MeanFieldLayout.WEIGHT_RHO);
        double worstMean = 0;
        double worstStd = 0;
        for (int i = 0; i < 3; i++) {
            double exactStd = 1.0 / Math.sqrt(precision.getDouble(i, i));
            double sigma = StableMath.softplus(rho.getDouble(i, 0));
            // mean error measured in posterior standard deviations; std error relative
            worstMean = Math.max(worstMean, Math.abs(mu.getDouble(i, 0) - exactMean.getDouble(i, 0)) / exactStd);
            worstStd = Math.max(worstStd, Math.abs(sigma - exactStd) / exactStd);
        }
        System.out.printf("conjugate regression: worst mean error %.4f posterior sd, worst std error %.4f%n",
                worstMean, worstStd);
        assertTrue(worstMean < 0.05, "means off by " + worstMean + " posterior sd");
        assertTrue(worstStd < 0.05, "stds off by " + worstStd);
    }
}
