package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.metrics.PredictiveEvaluation;
import io.github.dl4jbayes.training.Advi;
import io.github.dl4jbayes.training.EarlyStopping;
import org.datavec.api.records.reader.RecordReader;
import org.datavec.api.records.reader.impl.csv.CSVRecordReader;
import org.datavec.api.split.FileSplit;
import org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The user guide's "Tabular data the DL4J way", line for line, on CSV files this test writes (4 features on different
 * scales, the class = whether x1 / 10 + x2 > 0): DataVec in, NormalizerStandardize, ADVI with early stopping,
 * DL4J's evaluation of the posterior predictive out.
 */
class TabularQuickStartTest {

    private static File csv(Path dir, String name, int rows, long seed) throws Exception {
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>();
        lines.add("x1,x2,x3,x4,label");
        for (int i = 0; i < rows; i++) {
            double x1 = 10 * random.nextGaussian();
            double x2 = random.nextGaussian();
            double x3 = 100 + 5 * random.nextGaussian();
            double x4 = random.nextGaussian();
            lines.add(String.format(Locale.ROOT, "%.5f,%.5f,%.5f,%.5f,%d", x1, x2, x3, x4, x1 / 10 + x2 > 0 ? 1 : 0));
        }
        Path file = dir.resolve(name);
        Files.write(file, lines);
        return file.toFile();
    }

    private static DataSetIterator iterator(File file, int batch) throws Exception {
        RecordReader reader = new CSVRecordReader(1, ',');
        reader.initialize(new FileSplit(file));
        return new RecordReaderDataSetIterator(reader, batch, 4, 2);    // label: column 4, 2 classes
    }

    @Test
    void readmeTabularPathRuns(@TempDir Path dir) throws Exception {
        File trainCsv = csv(dir, "train.csv", 300, 1);
        File validationCsv = csv(dir, "validation.csv", 100, 2);
        File testCsv = csv(dir, "test.csv", 200, 3);

        // --- the user guide's lines ---
        DataSetIterator train = iterator(trainCsv, 64);
        NormalizerStandardize normalizer = new NormalizerStandardize();
        normalizer.fit(train);                       // statistics of the training data only
        train.setPreProcessor(normalizer);
        DataSetIterator validationIterator = iterator(validationCsv, 1000);
        validationIterator.setPreProcessor(normalizer);
        DataSet validation = validationIterator.next();
        DataSetIterator test = iterator(testCsv, 64);
        test.setPreProcessor(normalizer);

        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(0).updater(new Adam(0.01)).list()
                .layer(new BayesianDenseLayer.Builder().nIn(4).nOut(16).activation(Activation.TANH).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        Advi.builder().datasetSize(300).iterations(3_000).printEvery(500)
                .earlyStopping(EarlyStopping.onValidationNll(validation).every(100).patience(5)).build()
                .fit(net, train);

        PredictiveEvaluation.Classification eval = PredictiveEvaluation.of(net).samples(100).classification(test);
        System.out.println(eval.evaluation().stats());
        System.out.printf(Locale.ROOT, "AUC %.3f, NLL %.3f, ECE %.3f%n", eval.roc().calculateAUC(),
                eval.metrics().negativeLogLikelihood(), eval.metrics().expectedCalibrationError(10));
        // --- end ---

        assertEquals(200, eval.evaluation().getNumRowCounter());
        // a linear boundary on standardized features: well above the 50% of guessing
        assertTrue(eval.evaluation().accuracy() > 0.9, "accuracy " + eval.evaluation().accuracy());
        assertTrue(eval.roc().calculateAUC() > 0.95, "AUC " + eval.roc().calculateAUC());
    }
}
