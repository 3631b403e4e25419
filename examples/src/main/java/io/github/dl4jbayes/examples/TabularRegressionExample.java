package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.likelihoods.LossGaussianNll;
import io.github.dl4jbayes.metrics.RegressionMetrics;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.predict.RegressionUncertainty;
import io.github.dl4jbayes.training.Advi;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Bayesian regression on a table the user brings: a CSV file with a header and numeric columns, one of them the
 * target. Features and target are standardized on the training part (80%, shuffled with the seed); a Bayesian
 * {@code d-32-2} ReLU network with the Gaussian likelihood (heteroscedastic, or {@code --noise homoscedastic} for one
 * learned noise level) is fitted with minibatch ADVI; the test RMSE, predictive log-likelihood and interval coverage
 * are reported in the target's own units.
 */
final class TabularRegressionExample {
    static final String OPTIONS = "Options: --data FILE.csv (required) --target COLUMN (last) --iterations N (3000) "
            + "--batch B (64) --noise heteroscedastic|homoscedastic --seed S (0)";

    private TabularRegressionExample() {
    }

    record Result(double rmse, double logLikelihood, double coverage90, double targetStd, int trainRows, int testRows) {
    }

    static Result run(Options o) throws IOException {
        if (!o.has("data")) {
            throw new IllegalArgumentException("--data FILE.csv is required. " + OPTIONS);
        }
        Path file = Path.of(o.string("data", ""));
        List<String> lines = Files.readAllLines(file);
        if (lines.size() < 3) {
            throw new IllegalArgumentException(file + ": need a header and at least two rows");
        }
        List<String> header = Arrays.asList(lines.get(0).trim().split(","));
        int target = o.has("target") ? header.indexOf(o.string("target", "")) : header.size() - 1;
        if (target < 0) {
            throw new IllegalArgumentException(file + ": no column named '" + o.string("target", "") + "' in " + header);
        }
        List<double[]> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] f = lines.get(i).trim().split(",");
            if (f.length != header.size()) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + f.length + " fields, header has "
                        + header.size());
            }
            double[] row = new double[f.length];
            for (int j = 0; j < f.length; j++) {
                try {
                    row[j] = Double.parseDouble(f[j]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(file + " line " + (i + 1) + ": '" + f[j] + "' is not a number");
                }
            }
            rows.add(row);
        }
        long seed = o.integer("seed", 0);
        Collections.shuffle(rows, new Random(seed));
        int trainRows = (int) Math.round(0.8 * rows.size());
        List<double[]> train = rows.subList(0, trainRows);
        List<double[]> test = rows.subList(trainRows, rows.size());
        int columns = header.size();
        double[] mean = new double[columns];
        double[] std = new double[columns];
        for (int j = 0; j < columns; j++) {
            for (double[] r : train) {
                mean[j] += r[j];
            }
            mean[j] /= train.size();
            for (double[] r : train) {
                std[j] += (r[j] - mean[j]) * (r[j] - mean[j]);
            }
            std[j] = Math.sqrt(std[j] / train.size());
            if (std[j] == 0) {
                std[j] = 1;
            }
        }
        DataSet trainSet = toDataSet(train, target, mean, std);
        DataSet testSet = toDataSet(test, target, mean, std);

        boolean homoscedastic = "homoscedastic".equals(o.string("noise", "heteroscedastic"));
        LossGaussianNll likelihood = new LossGaussianNll(1e-3);
        BayesianOutputLayer.Builder output = new BayesianOutputLayer.Builder(likelihood).nIn(32)
                .activation(Activation.IDENTITY);
        output = homoscedastic ? output.nOut(1).learnedNoise(1.0) : output.nOut(2);
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(DataType.FLOAT).updater(new Adam(0.01)).list()
                .layer(new BayesianDenseLayer.Builder().nIn(columns - 1).nOut(32).activation(Activation.RELU).build())
                .layer(output.build())
                .build());
        net.init();
        int iterations = o.integer("iterations", 3000);
        int batch = o.integer("batch", 64);
        System.out.printf(Locale.ROOT, "Tabular regression on %s: target '%s', %d features, %d train / %d test rows, %s noise%n",
                file.getFileName(), header.get(target), columns - 1, train.size(), test.size(),
                homoscedastic ? "homoscedastic" : "heteroscedastic");
        Advi.builder().datasetSize(train.size()).iterations(iterations).printEvery(Math.max(1, iterations / 5))
                .klAnnealingIterations(iterations / 4).build()
                .fit(net, trainSet, batch);               // minibatches, reshuffled every pass

        RegressionUncertainty u = RegressionUncertainty.of(net,
                PosteriorPredictive.of(net).samples(200).predict(testSet.getFeatures()));
        RegressionMetrics m = RegressionMetrics.of(u, testSet.getLabels());
        double scale = std[target];
        // back to the target's units: RMSE scales by its std, the log-density shifts by -log(std)
        Result result = new Result(m.rmse() * scale, m.meanLogLikelihood() - Math.log(scale), m.coverage(0.9), scale,
                train.size(), test.size());
        System.out.printf(Locale.ROOT, "Test RMSE = %.4g (target std %.4g), log-likelihood per point = %.3f, "
                + "90%% interval coverage = %.1f%%%n", result.rmse(), scale, result.logLikelihood(), 100 * result.coverage90());
        return result;
    }

    private static DataSet toDataSet(List<double[]> rows, int target, double[] mean, double[] std) {
        int columns = mean.length;
        double[][] x = new double[rows.size()][columns - 1];
        double[][] y = new double[rows.size()][1];
        for (int i = 0; i < rows.size(); i++) {
            int k = 0;
            for (int j = 0; j < columns; j++) {
                double v = (rows.get(i)[j] - mean[j]) / std[j];
                if (j == target) {
                    y[i][0] = v;
                } else {
                    x[i][k++] = v;
                }
            }
        }
        return new DataSet(Nd4j.createFromArray(x).castTo(DataType.FLOAT), Nd4j.createFromArray(y).castTo(DataType.FLOAT));
    }
}
