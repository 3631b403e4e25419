package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.examples.ForecastReport.Scores;
import io.github.dl4jbayes.examples.SunspotSeries.Series;
import io.github.dl4jbayes.examples.SunspotSeries.Standardized;
import io.github.dl4jbayes.layers.BayesianLSTM;
import io.github.dl4jbayes.layers.BayesianRnnOutputLayer;
import io.github.dl4jbayes.layers.Estimator;
import io.github.dl4jbayes.likelihoods.LossGaussianNll;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.predict.PosteriorStreams;
import io.github.dl4jbayes.predict.PredictiveSamples;
import io.github.dl4jbayes.predict.RegressionUncertainty;
import io.github.dl4jbayes.training.Advi;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

import static io.github.dl4jbayes.examples.ForecastReport.picture;
import static io.github.dl4jbayes.examples.ForecastReport.scores;
import static io.github.dl4jbayes.examples.PlainForecasts.lastMean;
import static io.github.dl4jbayes.examples.PlainForecasts.perHorizon;
import static io.github.dl4jbayes.examples.PlainForecasts.plainForecast;
import static io.github.dl4jbayes.examples.PlainForecasts.rmse;
import static io.github.dl4jbayes.examples.PlainForecasts.rmsePerHorizon;
import static io.github.dl4jbayes.examples.PlainForecasts.trainPlain;
import static io.github.dl4jbayes.examples.SunspotSeries.labels;
import static io.github.dl4jbayes.examples.SunspotSeries.naiveForecast;
import static io.github.dl4jbayes.examples.SunspotSeries.paths;
import static io.github.dl4jbayes.examples.SunspotSeries.range;
import static io.github.dl4jbayes.examples.SunspotSeries.seasonalNaive;
import static io.github.dl4jbayes.examples.SunspotSeries.sunspots;
import static io.github.dl4jbayes.examples.SunspotSeries.trainingWindows;
import static io.github.dl4jbayes.examples.SunspotSeries.windows;

/**
 * Forecasting the yearly sunspot numbers (1700-2008, shipped in the examples jar) with a Bayesian LSTM, against the
 * same plain DL4J LSTM (early-stopped on the validation years) and the seasonal-naive forecast (the value one
 * 11-year cycle earlier). Split by time: training 1700-1920, validation 1921-1960, test 1961-2008.
 *
 * <p>Every forecast reads a window of the last {@code W} years (the networks start from a zero state on each window,
 * as in training). The Bayesian LSTM's output layer has the Gaussian likelihood ({@link LossGaussianNll}): a mean and a
 * noise scale per year, so its predictive combines the weights' uncertainty (the draws) and the learned noise. The
 * plain LSTM and the seasonal-naive forecast get a Gaussian of standard deviation their validation RMSE (per horizon).
 * Reported on the test years, in sunspot units: one-step-ahead and 12-step-ahead RMSE, mean log-likelihood and the
 * coverage of the 80 % and 95 % intervals. The 12-step forecasts run {@link PosteriorStreams}: each stream holds one
 * draw of the weights for the whole forecast and feeds back a sample of its own prediction, so the streams together
 * sample the predictive of the whole 12-year path.
 */
final class ForecastExample {
    static final String OPTIONS = "Options: --out DIR (forecast-output) --iterations N (Bayesian ADVI steps, 3000) "
            + "--plain-epochs E (plain LSTM, at most 3000, early-stopped) --hidden H (32) --window W (40) "
            + "--burn-in B (30) --samples S (200) --horizon H (12) --seed S (0)";
    static final int FIRST_VALIDATION_YEAR = 1921;
    static final int FIRST_TEST_YEAR = 1961;

    private ForecastExample() {
    }

    record Result(Scores bayesian, Scores plain, Scores naive, Path picture) {
    }


    static Result run(Options o) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path out = Path.of(o.string("out", "forecast-output")).toAbsolutePath();
        Files.createDirectories(out);
        int iterations = o.positiveInteger("iterations", 3000);
        int plainEpochs = o.positiveInteger("plain-epochs", 3000);
        int hidden = o.positiveInteger("hidden", 32);
        int window = o.positiveInteger("window", 40);
        int burnIn = o.nonNegativeInteger("burn-in", 30);
        int samples = o.positiveInteger("samples", 200);
        int horizon = o.positiveInteger("horizon", 12);
        long seed = o.integer("seed", 0);
        if (burnIn >= window) {                                       // >= 0 checked above
            throw new IllegalArgumentException("--burn-in must be in [0, --window), got " + burnIn + " with window "
                    + window);
        }
        Series series = sunspots();
        int validationStart = series.index(FIRST_VALIDATION_YEAR);
        int testStart = series.index(FIRST_TEST_YEAR);
        int n = series.values().length;
        Standardized std = series.standardized(validationStart);
        double mean = std.mean();
        double scale = std.scale();
        double[] z = std.values();
        DataSet train = trainingWindows(z, validationStart, window, burnIn);
        System.out.printf(Locale.ROOT, "Sunspots %d-%d: training %d-%d (%d windows of %d years, the last %d of each "
                        + "scored), validation %d-%d, test %d-%d%n", series.years()[0], series.years()[n - 1],
                series.years()[0], FIRST_VALIDATION_YEAR - 1, train.numExamples(), window, window - burnIn,
                FIRST_VALIDATION_YEAR, FIRST_TEST_YEAR - 1, FIRST_TEST_YEAR, series.years()[n - 1]);

        // the Bayesian LSTM: N = the number of training windows (each year is scored in one window)
        MultiLayerNetwork bayes = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(DataType.FLOAT).updater(new Adam(3e-3)).list()
                .layer(new BayesianLSTM.Builder().nOut(hidden).estimator(Estimator.FLIPOUT).build())
                .layer(new BayesianRnnOutputLayer.Builder(new LossGaussianNll(1e-3)).nOut(2)
                        .activation(Activation.IDENTITY).estimator(Estimator.FLIPOUT).build())
                .setInputType(InputType.recurrent(1))
                .build());
        bayes.init();
        long start = System.nanoTime();
        Advi.builder().datasetSize(train.numExamples()).iterations(iterations)
                .printEvery(Math.max(1, iterations / 10)).build().fit(bayes, train);
        double bayesSeconds = (System.nanoTime() - start) / 1e9;

        // the plain LSTM: the same architecture with a squared-error output, early-stopped on the validation RMSE
        start = System.nanoTime();
        MultiLayerNetwork plain = trainPlain(train, z, validationStart, testStart, window, hidden, plainEpochs, seed);
        double plainSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "Training: Bayesian LSTM %.1f s, plain LSTM %.1f s%n", bayesSeconds, plainSeconds);

        // one step ahead
        int[] testTargets = range(testStart, n);
        int[] validationTargets = range(validationStart, testStart);
        INDArray testWindows = windows(z, testTargets, window);
        INDArray testLabels = labels(z, testTargets);
        RegressionUncertainty bayesOne = RegressionUncertainty.of(bayes, lastStep(PosteriorPredictive.of(bayes)
                .samples(samples).predict(testWindows).samples()));
        double plainSigma = rmse(lastMean(plain.output(windows(z, validationTargets, window))),
                labels(z, validationTargets));
        RegressionUncertainty plainOne = RegressionUncertainty.ofMeans(
                PredictiveSamples.pointEstimate(lastMean(plain.output(testWindows))), plainSigma);
        double naiveSigma = rmse(seasonalNaive(z, validationTargets, 1), labels(z, validationTargets));
        RegressionUncertainty naiveOne = RegressionUncertainty.ofMeans(
                PredictiveSamples.pointEstimate(seasonalNaive(z, testTargets, 1)), naiveSigma);

        // H steps ahead from every origin whose H years lie in the test period (validation: for the plug-in sigmas)
        int[] testOrigins = range(testStart, n - horizon + 1);
        int[] validationOrigins = range(validationStart, testStart - horizon + 1);
        INDArray testPaths = paths(z, testOrigins, horizon);
        RegressionUncertainty bayesH = RegressionUncertainty.of(bayes,
                streamForecast(bayes, z, testOrigins, window, horizon, samples, seed));
        double[] plainSigmaH = rmsePerHorizon(plainForecast(plain, z, validationOrigins, window, horizon),
                paths(z, validationOrigins, horizon), horizon);
        RegressionUncertainty plainH = perHorizon(plainForecast(plain, z, testOrigins, window, horizon), plainSigmaH,
                horizon);
        double[] naiveSigmaH = rmsePerHorizon(naiveForecast(z, validationOrigins, horizon),
                paths(z, validationOrigins, horizon), horizon);
        RegressionUncertainty naiveH = perHorizon(naiveForecast(z, testOrigins, horizon), naiveSigmaH, horizon);

        Scores b = scores("Bayesian LSTM (Flipout, " + samples + " draws)", bayesOne, testLabels, bayesH, testPaths,
                scale);
        Scores p = scores("plain DL4J LSTM (early-stopped, sigma = validation RMSE)", plainOne, testLabels, plainH,
                testPaths, scale);
        Scores s = scores("seasonal naive (11 years, sigma = validation RMSE)", naiveOne, testLabels, naiveH,
                testPaths, scale);
        System.out.println();
        System.out.printf(Locale.ROOT, "Test %d-%d (%d one-step forecasts, %d origins x %d steps), sunspot units:%n",
                FIRST_TEST_YEAR, series.years()[n - 1], testTargets.length, testOrigins.length, horizon);
        System.out.println("| method | RMSE 1 | log-lik 1 | 80 % cover 1 | 95 % cover 1 | RMSE " + horizon
                + " | log-lik " + horizon + " | 80 % cover " + horizon + " | 95 % cover " + horizon + " |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (Scores r : new Scores[]{b, p, s}) {
            System.out.println(r.row(horizon));
        }
        Path picture = picture(out, series, testTargets, bayesOne, lastMean(plain.output(testWindows)), mean, scale);
        System.out.println("Picture written to " + picture);
        return new Result(b, p, s, picture);
    }


    /** The predictive samples' last time step: {@code [S, B, F, T]} to {@code [S, B, F]}. */
    static PredictiveSamples lastStep(INDArray samples) {
        return PredictiveSamples.of(samples.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.point(samples.size(3) - 1)).dup());
    }

    /**
     * The Bayesian LSTM's {@code horizon}-step forecasts: {@code samples} streams, each one draw of the weights held
     * for the whole forecast, feeding back a sample {@code mu + sigma * eps} of its own prediction.
     *
     * @return the streams' outputs (mean, raw scale) for every origin and step, {@code [S, origins * horizon, 2]}
     */
    static PredictiveSamples streamForecast(MultiLayerNetwork net, double[] z, int[] origins, int window,
                                            int horizon, int samples, long seed) {
        LossGaussianNll likelihood = (LossGaussianNll) ((BayesianRnnOutputLayer) net.getLayer(1).conf().getLayer())
                .getLossFn();
        PosteriorStreams streams = PosteriorStreams.of(net, samples, seed);
        SplittableRandom random = new SplittableRandom(seed + 1);
        INDArray input = windows(z, origins, window);
        INDArray out = Nd4j.create(DataType.DOUBLE, samples, (long) origins.length * horizon, 2);
        for (int s = 0; s < samples; s++) {
            INDArray x = input;
            for (int h = 0; h < horizon; h++) {
                INDArray o = streams.rnnTimeStep(s, x);
                INDArray last = o.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(o.size(2) - 1))
                        .castTo(DataType.DOUBLE);
                double[] fed = new double[origins.length];
                for (int i = 0; i < origins.length; i++) {
                    double mu = last.getDouble(i, 0);
                    double raw = last.getDouble(i, 1);
                    out.putScalar(new long[]{s, (long) i * horizon + h, 0}, mu);
                    out.putScalar(new long[]{s, (long) i * horizon + h, 1}, raw);
                    fed[i] = mu + likelihood.std(raw) * random.nextGaussian();
                }
                x = Nd4j.createFromArray(fed).castTo(DataType.FLOAT).reshape(origins.length, 1, 1);
            }
        }
        return PredictiveSamples.of(out);
    }
}
