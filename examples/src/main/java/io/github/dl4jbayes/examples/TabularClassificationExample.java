package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.metrics.PredictiveEvaluation;
import io.github.dl4jbayes.training.Advi;
import io.github.dl4jbayes.training.EarlyStopping;
import org.datavec.api.writable.Writable;
import org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Bayesian classification on a table the user brings: a CSV file of numeric columns (a header line is recognized
 * and skipped), one of them the class as an integer 0..K-1, read with DataVec. Split 60/20/20 after a seeded shuffle
 * into training, validation and test parts; features standardized with ND4J's {@code NormalizerStandardize} fitted on
 * the training part; a Bayesian {@code d-32-K} network (ReLU, softmax) fitted with minibatch ADVI and early stopping on
 * the validation part's predictive NLL; the test part evaluated with DL4J's evaluation objects (accuracy, F1, AUC)
 * and the library's NLL and ECE of the posterior predictive mean.
 */
final class TabularClassificationExample {
    static final String OPTIONS = "Options: --data FILE.csv (required) --label COLUMN-INDEX (last) --iterations N "
            + "(10000, early stopping usually ends sooner) --batch B (64) --lr R (0.01) --seed S (0) --samples P (200) "
            + TrainingUi.OPTION + "; for the defaults study: " + DefaultsStudy.TABULAR_OPTIONS;

    private TabularClassificationExample() {
    }

    record Result(double accuracy, double auc, double nll, double ece, int classes, int trainRows, int testRows,
                  long iterations) {
    }

    static Result run(Options o) throws IOException {
        if (!o.has("data")) {
            throw new IllegalArgumentException("--data FILE.csv is required. " + OPTIONS);
        }
        Path file = Path.of(o.string("data", ""));
        int columns = CsvTables.firstLine(file).length;
        long seed = o.integer("seed", 0);
        DataSet all = load(file, o.integer("label", columns - 1));
        int classes = all.getLabels().columns();
        CsvTables.Split split = CsvTables.split(all, seed, false);
        DataSet train = split.train();
        DataSet validation = split.validation();
        DataSet test = split.test();
        int features = columns - 1;
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(DataType.FLOAT).updater(new Adam(o.number("lr", 0.01))).list()
                .layer(DefaultsStudy.tabular(o, new BayesianDenseLayer.Builder().nIn(features).nOut(32)
                        .activation(Activation.RELU)).build())
                .layer(DefaultsStudy.tabular(o, new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(32).nOut(classes).activation(Activation.SOFTMAX)).build())
                .build());
        net.init();
        TrainingUi.attachIfAsked(o, net);
        int iterations = o.integer("iterations", 10_000);
        System.out.printf(Locale.ROOT, "Tabular classification on %s: %d features, %d classes, %d train / %d validation "
                + "/ %d test rows%n", file.getFileName(), features, classes, train.numExamples(),
                validation.numExamples(), test.numExamples());
        DefaultsStudy.tabular(o, Advi.builder().datasetSize(train.numExamples()).iterations(iterations)
                .printEvery(Math.max(1, iterations / 10))
                .earlyStopping(EarlyStopping.onValidationNll(validation).every(250).patience(8))).build()
                .fit(net, train, o.integer("batch", 64));

        PredictiveEvaluation.Classification eval = PredictiveEvaluation.of(net).samples(o.integer("samples", 200))
                .classification(new ListDataSetIterator<>(test.batchBy(256), 1));
        System.out.println(eval.evaluation().stats());
        double auc = classes == 2 ? eval.roc().calculateAUC() : eval.rocMultiClass().calculateAverageAUC();
        Result result = new Result(eval.evaluation().accuracy(), auc, eval.metrics().negativeLogLikelihood(),
                eval.metrics().expectedCalibrationError(10), classes, train.numExamples(), test.numExamples(),
                net.getIterationCount());
        System.out.printf(Locale.ROOT, "Test accuracy = %.1f%%, AUC%s = %.3f (DL4J); NLL = %.4f, ECE (10 bins) = %.4f "
                + "(posterior predictive mean, %d draws); %d ADVI iterations%n", 100 * result.accuracy(),
                classes == 2 ? "" : " (one-vs-all mean)", auc, result.nll(), result.ece(), o.integer("samples", 200),
                result.iterations());
        TrainingUi.waitIfAttached(o);
        return result;
    }

    /**
     * Reads a classification table with DataVec: numeric columns, a header line recognized and skipped, the class an
     * integer 0..K-1 in column {@code label}.
     *
     * @return all rows, one-hot labels
     */
    static DataSet load(Path file, int label) throws IOException {
        String[] fields = CsvTables.firstLine(file);
        boolean header = !isNumber(fields[0]);
        int columns = fields.length;
        if (label < 0 || label >= columns) {
            throw new IllegalArgumentException("--label must be a column index in [0, " + (columns - 1) + "], got " + label);
        }
        return CsvTables.read(file, header ? 1 : 0, reader -> {
            // one pass for the number of classes (the largest class index + 1), then the data
            int classes = 0;
            while (reader.hasNext()) {
                List<Writable> record = reader.next();
                classes = Math.max(classes, record.get(label).toInt() + 1);
            }
            reader.reset();
            if (classes < 2) {
                throw new IllegalArgumentException(file + ": column " + label + " must hold classes 0..K-1 with K >= 2");
            }
            return new RecordReaderDataSetIterator(reader, Integer.MAX_VALUE, label, classes).next();
        });
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s.trim());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
