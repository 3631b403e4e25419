package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.likelihoods.LossGaussianNll;
import io.github.dl4jbayes.predict.PredictiveSamples;
import io.github.dl4jbayes.predict.RegressionUncertainty;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Locale;

import static io.github.dl4jbayes.examples.SunspotSeries.labels;
import static io.github.dl4jbayes.examples.SunspotSeries.range;
import static io.github.dl4jbayes.examples.SunspotSeries.windows;

/**
 * The {@code forecast} example's baselines: the plain DL4J LSTM (trained, early-stopped on the validation years, and
 * its forecasts with its own mean fed back) and the plug-in Gaussians (standard deviation the validation RMSE per
 * horizon) that give the plain LSTM and the seasonal-naive forecast a predictive distribution.
 */
final class PlainForecasts {
    private PlainForecasts() {
    }

    /** A plain network's output at the last step, {@code [B, 1]}. */
    static INDArray lastMean(INDArray output) {
        return output.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(output.size(2) - 1))
                .castTo(DataType.DOUBLE).reshape(output.size(0), 1);
    }

    static double rmse(INDArray predicted, INDArray actual) {
        double norm = predicted.castTo(DataType.DOUBLE).sub(actual).norm2Number().doubleValue();
        return norm / Math.sqrt(actual.length());
    }


    /** The plain LSTM's forecast, its own mean fed back: {@code [origins * horizon, 1]} (origin-major). */
    static INDArray plainForecast(MultiLayerNetwork net, double[] z, int[] origins, int window, int horizon) {
        net.rnnClearPreviousState();
        INDArray next = lastMean(net.rnnTimeStep(windows(z, origins, window)));
        INDArray y = Nd4j.create(DataType.DOUBLE, (long) origins.length * horizon, 1);
        for (int h = 0; h < horizon; h++) {
            for (int i = 0; i < origins.length; i++) {
                y.putScalar((long) i * horizon + h, 0, next.getDouble(i, 0));
            }
            if (h + 1 < horizon) {
                next = lastMean(net.rnnTimeStep(next.castTo(DataType.FLOAT).reshape(origins.length, 1, 1)));
            }
        }
        net.rnnClearPreviousState();
        return y;
    }

    static double[] rmsePerHorizon(INDArray predicted, INDArray actual, int horizon) {
        double[] sum = new double[horizon];
        long origins = actual.size(0) / horizon;
        for (long i = 0; i < origins; i++) {
            for (int h = 0; h < horizon; h++) {
                double d = predicted.getDouble(i * horizon + h, 0) - actual.getDouble(i * horizon + h, 0);
                sum[h] += d * d;
            }
        }
        for (int h = 0; h < horizon; h++) {
            sum[h] = Math.sqrt(sum[h] / origins);
        }
        return sum;
    }

    /** Point forecasts with a Gaussian of standard deviation {@code sigma[h]} at step {@code h}. */
    static RegressionUncertainty perHorizon(INDArray predicted, double[] sigma, int horizon) {
        // a Gaussian per row: the point forecast as the mean, raw scale chosen so that LossGaussianNll gives sigma
        INDArray draws = Nd4j.create(DataType.DOUBLE, 1, predicted.size(0), 2);
        LossGaussianNll likelihood = new LossGaussianNll(0.0);
        for (long i = 0; i < predicted.size(0); i++) {
            draws.putScalar(new long[]{0, i, 0}, predicted.getDouble(i, 0));
            draws.putScalar(new long[]{0, i, 1}, likelihood.rawScale(sigma[(int) (i % horizon)]));
        }
        return RegressionUncertainty.of(PredictiveSamples.of(draws), likelihood);
    }

    /** DL4J's LSTM and RnnOutputLayer (squared error), full batch, the parameters of the best validation RMSE kept. */
    static MultiLayerNetwork trainPlain(DataSet train, double[] z, int validationStart, int testStart, int window,
                                        int hidden, int epochs, long seed) {
        // seed + 1: ND4J 1.0.0-M2.1 ignores a seed of 0, and DL4J initializes a plain LSTM from ND4J's generator
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(seed + 1).dataType(DataType.FLOAT).updater(new Adam(3e-3)).list()
                .layer(new LSTM.Builder().nOut(hidden).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(1))
                .build());
        net.init();
        int[] targets = range(validationStart, testStart);
        INDArray x = windows(z, targets, window);
        INDArray y = labels(z, targets);
        double best = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        INDArray bestParams = net.params().dup();
        int every = 10;
        for (int e = 1; e <= epochs; e++) {
            net.fit(train);
            if (e % every == 0) {
                double r = rmse(lastMean(net.output(x)), y);
                if (r < best) {
                    best = r;
                    bestEpoch = e;
                    bestParams = net.params().dup();
                }
                if (e % Math.max(every, epochs / 10 / every * every) == 0) {
                    System.out.printf(Locale.ROOT, "  plain LSTM epoch %d/%d: validation RMSE %.4f (best %.4f at %d)%n",
                            e, epochs, r, best, bestEpoch);
                }
                if (e - bestEpoch >= 500) {
                    System.out.printf(Locale.ROOT, "  plain LSTM: early stop at epoch %d (no better validation RMSE "
                            + "for 500 epochs)%n", e);
                    break;
                }
            }
        }
        net.setParams(bestParams);
        System.out.printf(Locale.ROOT, "  plain LSTM: kept epoch %d (validation RMSE %.4f, standardized units)%n",
                bestEpoch, best);
        return net;
    }
}
