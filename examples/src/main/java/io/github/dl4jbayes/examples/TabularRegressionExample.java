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
import org.nd4j.linalg.learning.config.Adam;

import org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator;
import org.nd4j.linalg.dataset.SplitTestAndTrain;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Bayesian regression on a table the user brings: a CSV file with a header and numeric columns, one of them the
 * target, read with DataVec ({@code CSVRecordReader}, {@code RecordReaderDataSetIterator}). Features and target are
 * standardized with ND4J's {@code NormalizerStandardize} fitted on the training part (80%, shuffled with the seed;
 * {@code fitLabel(true)}); a Bayesian
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
        List<String> header = Arrays.asList(CsvTables.firstLine(file));
        int target = o.has("target") ? header.indexOf(o.string("target", "")) : header.size() - 1;
        if (target < 0) {
            throw new IllegalArgumentException(file + ": no column named '" + o.string("target", "") + "' in " + header);
        }
        int columns = header.size();
        // DataVec reads the CSV (header skipped), the target column becomes the regression label
        DataSet all = CsvTables.read(file, 1, reader -> {
            DataSetIterator rows = new RecordReaderDataSetIterator(reader, Integer.MAX_VALUE, target, target, true);
            if (!rows.hasNext()) {
                throw new IllegalArgumentException(file + ": need a header and at least two rows");
            }
            return rows.next();
        });
        if (all.numExamples() < 2) {
            throw new IllegalArgumentException(file + ": need a header and at least two rows");
        }
        long seed = o.integer("seed", 0);
        all.shuffle(seed);
        SplitTestAndTrain split = all.splitTestAndTrain(0.8);
        DataSet trainSet = split.getTrain();
        DataSet testSet = split.getTest();
        // ND4J's standardization, fitted on the training split only, the target too: the network sees z-scores
        NormalizerStandardize normalizer = new NormalizerStandardize();
        normalizer.fitLabel(true);
        normalizer.fit(trainSet);
        normalizer.transform(trainSet);
        normalizer.transform(testSet);

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
                file.getFileName(), header.get(target), columns - 1, trainSet.numExamples(), testSet.numExamples(),
                homoscedastic ? "homoscedastic" : "heteroscedastic");
        Advi.builder().datasetSize(trainSet.numExamples()).iterations(iterations).printEvery(Math.max(1, iterations / 5))
                .klAnnealingIterations(iterations / 4).build()
                .fit(net, trainSet, batch);               // minibatches, reshuffled every pass

        RegressionUncertainty u = RegressionUncertainty.of(net,
                PosteriorPredictive.of(net).samples(200).predict(testSet.getFeatures()));
        RegressionMetrics m = RegressionMetrics.of(u, testSet.getLabels());
        double scale = normalizer.getLabelStd().getDouble(0);
        // back to the target's units: y = mean + std z, so RMSE scales by std and the density of y is that of z
        // divided by std (the Jacobian): the log-likelihood shifts by -log(std); interval coverage is unchanged
        Result result = new Result(m.rmse() * scale, m.meanLogLikelihood() - Math.log(scale), m.coverage(0.9), scale,
                trainSet.numExamples(), testSet.numExamples());
        System.out.printf(Locale.ROOT, "Test RMSE = %.4g (target std %.4g), log-likelihood per point = %.3f, "
                + "90%% interval coverage = %.1f%%%n", result.rmse(), scale, result.logLikelihood(), 100 * result.coverage90());
        return result;
    }
}
