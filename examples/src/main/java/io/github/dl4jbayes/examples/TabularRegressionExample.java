package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.likelihoods.LossGaussianNll;
import io.github.dl4jbayes.metrics.RegressionMetrics;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.predict.RegressionUncertainty;
import io.github.dl4jbayes.training.Advi;
import io.github.dl4jbayes.training.EarlyStopping;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

import org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Bayesian regression on a table the user brings: a CSV file with a header and numeric columns, one of them the
 * target, read with DataVec ({@code CSVRecordReader}, {@code RecordReaderDataSetIterator}). Split 60/20/20 after a
 * seeded shuffle into training, validation and test parts; features and target standardized with ND4J's
 * {@code NormalizerStandardize} fitted on the training part ({@code fitLabel(true)}); a Bayesian {@code d-32-2} ReLU
 * network with the Gaussian likelihood (heteroscedastic, or {@code --noise homoscedastic} for one learned noise level)
 * fitted with minibatch ADVI (Adam 0.003, the library's KL warm-up) and early stopping on the validation part's
 * predictive log-likelihood; the test RMSE, predictive log-likelihood and interval coverage are reported in the
 * target's own units.
 */
final class TabularRegressionExample {
    static final String OPTIONS = "Options: --data FILE.csv (required) --target COLUMN (last) --iterations N (10000, "
            + "early stopping usually ends sooner) --batch B (64) --lr R (0.003) --noise heteroscedastic|homoscedastic "
            + "--seed S (0) " + TrainingUi.OPTION + "; for the defaults study: " + DefaultsStudy.TABULAR_OPTIONS;

    private TabularRegressionExample() {
    }

    record Result(double rmse, double logLikelihood, double coverage90, double targetStd, int trainRows, int testRows,
                  long iterations) {
    }

    static Result run(Options o) throws IOException {
        if (!o.has("data")) {
            throw new IllegalArgumentException("--data FILE.csv is required. " + OPTIONS);
        }
        Path file = Path.of(o.string("data", ""));
        List<String> header = Arrays.asList(CsvTables.firstLine(file));
        int target = o.has("target") ? header.indexOf(o.string("target", "")) : header.size() - 1;
        int columns = header.size();
        DataSet all = load(file, target, o.string("target", ""));
        long seed = o.integer("seed", 0);
        CsvTables.Split split = CsvTables.split(all, seed, true);     // the target standardized too
        DataSet trainSet = split.train();
        DataSet validationSet = split.validation();
        DataSet testSet = split.test();
        NormalizerStandardize normalizer = split.normalizer();

        boolean homoscedastic = "homoscedastic".equals(o.string("noise", "heteroscedastic"));
        LossGaussianNll likelihood = new LossGaussianNll(1e-3);
        BayesianOutputLayer.Builder output = DefaultsStudy.tabular(o, new BayesianOutputLayer.Builder(likelihood).nIn(32)
                .activation(Activation.IDENTITY));
        output = homoscedastic ? output.nOut(1).learnedNoise(1.0) : output.nOut(2);
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(DataType.FLOAT).updater(new Adam(o.number("lr", 0.003))).list()
                .layer(DefaultsStudy.tabular(o, new BayesianDenseLayer.Builder().nIn(columns - 1).nOut(32)
                        .activation(Activation.RELU)).build())
                .layer(output.build())
                .build());
        net.init();
        TrainingUi.attachIfAsked(o, net);
        int iterations = o.integer("iterations", 10_000);
        int batch = o.integer("batch", 64);
        System.out.printf(Locale.ROOT, "Tabular regression on %s: target '%s', %d features, %d train / %d validation / "
                + "%d test rows, %s noise%n", file.getFileName(), header.get(target), columns - 1,
                trainSet.numExamples(), validationSet.numExamples(), testSet.numExamples(),
                homoscedastic ? "homoscedastic" : "heteroscedastic");
        // minibatches reshuffled every pass, the library's KL warm-up (the first quarter), early stopping on the
        // validation part's predictive log-likelihood
        DefaultsStudy.tabular(o, Advi.builder().datasetSize(trainSet.numExamples()).iterations(iterations)
                .printEvery(Math.max(1, iterations / 10))
                .earlyStopping(EarlyStopping.onValidationNll(validationSet).every(250).patience(8))).build()
                .fit(net, trainSet, batch);

        RegressionUncertainty u = RegressionUncertainty.of(net,
                PosteriorPredictive.of(net).samples(200).predict(testSet.getFeatures()));
        RegressionMetrics m = RegressionMetrics.of(u, testSet.getLabels());
        double scale = normalizer.getLabelStd().getDouble(0);
        // back to the target's units: y = mean + std z, so RMSE scales by std and the density of y is that of z
        // divided by std (the Jacobian): the log-likelihood shifts by -log(std); interval coverage is unchanged
        Result result = new Result(m.rmse() * scale, m.meanLogLikelihood() - Math.log(scale), m.coverage(0.9), scale,
                trainSet.numExamples(), testSet.numExamples(), net.getIterationCount());
        System.out.printf(Locale.ROOT, "Test RMSE = %.4g (target std %.4g), log-likelihood per point = %.3f, "
                + "90%% interval coverage = %.1f%%; %d ADVI iterations%n", result.rmse(), scale, result.logLikelihood(),
                100 * result.coverage90(), result.iterations());
        TrainingUi.waitIfAttached(o);
        return result;
    }

    /**
     * Reads a regression table with DataVec: numeric columns under a header line, the target in column
     * {@code target} (found by name by the caller; -1 when the name is not in the header).
     *
     * @return all rows, the target as the label
     */
    static DataSet load(Path file, int target, String targetName) throws IOException {
        if (target < 0) {
            throw new IllegalArgumentException(file + ": no column named '" + targetName + "' in "
                    + Arrays.asList(CsvTables.firstLine(file)));
        }
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
        return all;
    }
}
