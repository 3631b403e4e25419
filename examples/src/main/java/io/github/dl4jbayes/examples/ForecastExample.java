package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.examples.SunspotSeries.Series;
import io.github.dl4jbayes.layers.BayesianLSTM;
import io.github.dl4jbayes.layers.BayesianRnnOutputLayer;
import io.github.dl4jbayes.layers.Estimator;
import io.github.dl4jbayes.likelihoods.LossGaussianNll;
import io.github.dl4jbayes.metrics.RegressionMetrics;
import io.github.dl4jbayes.plot.Plots;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.predict.PosteriorStreams;
import io.github.dl4jbayes.predict.PredictiveSamples;
import io.github.dl4jbayes.predict.RegressionUncertainty;
import io.github.dl4jbayes.training.Advi;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

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

    /** One method's test scores, in sunspot units. */
    record Scores(String method, double rmse1, double logLik1, double cover80, double cover95, double rmseH,
                  double logLikH, double cover80H, double cover95H) {
        String row(int horizon) {
            return String.format(Locale.ROOT, "| %s | %.2f | %.3f | %.1f %% | %.1f %% | %.2f | %.3f | %.1f %% | %.1f %% |",
                    method, rmse1, logLik1, 100 * cover80, 100 * cover95, rmseH, logLikH, 100 * cover80H,
                    100 * cover95H);
        }
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
        double mean = 0;
        for (int t = 0; t < validationStart; t++) {
            mean += series.values()[t];
        }
        mean /= validationStart;
        double var = 0;
        for (int t = 0; t < validationStart; t++) {
            var += (series.values()[t] - mean) * (series.values()[t] - mean);
        }
        double scale = Math.sqrt(var / (validationStart - 1));
        double[] z = new double[n];
        for (int t = 0; t < n; t++) {
            z[t] = (series.values()[t] - mean) / scale;
        }
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

    static Scores scores(String method, RegressionUncertainty one, INDArray y1, RegressionUncertainty many,
                         INDArray yH, double scale) {
        RegressionMetrics m1 = RegressionMetrics.of(one, y1);
        RegressionMetrics mH = RegressionMetrics.of(many, yH);
        double logScale = Math.log(scale);
        return new Scores(method, m1.rmse() * scale, m1.meanLogLikelihood() - logScale, m1.coverage(0.8),
                m1.coverage(0.95), mH.rmse() * scale, mH.meanLogLikelihood() - logScale, mH.coverage(0.8),
                mH.coverage(0.95));
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

    static Path picture(Path out, Series series, int[] targets, RegressionUncertainty bayes, INDArray plainMean,
                        double mean, double scale) throws IOException {
        int from = series.index(FIRST_TEST_YEAR - 40);
        double[] histX = new double[series.values().length - from];
        double[] histY = new double[histX.length];
        for (int i = 0; i < histX.length; i++) {
            histX[i] = series.years()[from + i];
            histY[i] = series.values()[from + i];
        }
        double[] x = new double[targets.length];
        double[] m = new double[targets.length];
        double[] plain = new double[targets.length];
        INDArray[] b80 = bayes.interval(0.8);
        INDArray[] b95 = bayes.interval(0.95);
        double[][] edges = new double[4][targets.length];
        INDArray bm = bayes.mean();
        for (int i = 0; i < targets.length; i++) {
            x[i] = series.years()[targets[i]];
            m[i] = mean + scale * bm.getDouble(i, 0);
            plain[i] = mean + scale * plainMean.getDouble(i, 0);
            edges[0][i] = mean + scale * b95[0].getDouble(i, 0);
            edges[1][i] = mean + scale * b95[1].getDouble(i, 0);
            edges[2][i] = mean + scale * b80[0].getDouble(i, 0);
            edges[3][i] = mean + scale * b80[1].getDouble(i, 0);
        }
        XYChart chart = new XYChartBuilder().width(1100).height(600)
                .title("Yearly sunspots: one-step-ahead forecasts of the test years " + FIRST_TEST_YEAR + "-"
                        + series.years()[series.values().length - 1])
                .xAxisTitle("year").yAxisTitle("sunspot number").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setPlotGridLinesVisible(false);
        chart.getStyler().setXAxisDecimalPattern("0");
        Plots.band(chart, "Bayesian LSTM 95 % interval", x, edges[0], edges[1], new Color(158, 202, 225));
        Plots.band(chart, "Bayesian LSTM 80 % interval", x, edges[2], edges[3], new Color(49, 130, 189));
        XYSeries observed = chart.addSeries("observed", histX, histY);
        observed.setMarker(SeriesMarkers.CIRCLE);
        observed.setLineColor(new Color(40, 40, 40));
        observed.setMarkerColor(new Color(40, 40, 40));
        XYSeries bm1 = chart.addSeries("Bayesian LSTM predictive mean", x, m);
        bm1.setMarker(SeriesMarkers.NONE);
        bm1.setLineColor(new Color(8, 48, 107));
        bm1.setLineWidth(2.5f);
        XYSeries pm = chart.addSeries("plain DL4J LSTM", x, plain);
        pm.setMarker(SeriesMarkers.NONE);
        pm.setLineColor(new Color(230, 85, 13));
        pm.setLineWidth(2f);
        chart.getStyler().setMarkerSize(4);
        return Plots.save(chart, out, "forecast");
    }
}
