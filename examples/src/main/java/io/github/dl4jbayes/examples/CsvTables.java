package io.github.dl4jbayes.examples;

import org.datavec.api.records.reader.impl.csv.CSVRecordReader;
import org.datavec.api.split.FileSplit;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.SplitTestAndTrain;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading the tabular examples' CSV files with DataVec (one translation of its errors), and their split and scaling. */
final class CsvTables {
    private CsvTables() {
    }

    /** Reads a CSV file with a DataVec reader (after {@code skipLines} lines) into one DataSet. */
    interface Reading {
        DataSet read(CSVRecordReader reader) throws IOException, InterruptedException;
    }

    /** @return the fields of the file's first line (a header, or the first row), without surrounding quotes */
    static String[] firstLine(Path file) throws IOException {
        try (java.util.stream.Stream<String> lines = Files.lines(file)) {
            String[] fields = lines.findFirst().orElse("").trim().split(",");
            for (int i = 0; i < fields.length; i++) {
                fields[i] = fields[i].trim().replaceAll("^\"(.*)\"$", "$1");
            }
            return fields;
        }
    }

    /**
     * @return what {@code reading} makes of the file, read by a {@code CSVRecordReader} skipping {@code skipLines}
     * @throws IllegalArgumentException naming the file if a value is not numeric
     */
    static DataSet read(Path file, int skipLines, Reading reading) throws IOException {
        try (CSVRecordReader reader = new CSVRecordReader(skipLines, ',')) {
            reader.initialize(new FileSplit(file.toFile()));
            return reading.read(reader);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": every column must be numeric (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /**
     * The tabular examples' parts: training, validation (early stopping) and test, with ND4J's standardization fitted
     * on the training part only and applied, once and in place, to all three.
     */
    record Split(DataSet train, DataSet validation, DataSet test, NormalizerStandardize normalizer) {
    }

    /**
     * @param all         the whole table (shuffled here, from {@code seed})
     * @param scaleLabels whether the labels are standardized too (regression: {@code fitLabel(true)})
     * @return a 60/20/20 split into training, validation and test parts, standardized
     */
    static Split split(DataSet all, long seed, boolean scaleLabels) {
        if (all.numExamples() < 5) {
            throw new IllegalArgumentException("need at least 5 rows to split 60/20/20, got " + all.numExamples());
        }
        all.shuffle(seed);
        SplitTestAndTrain trainAndRest = all.splitTestAndTrain(0.6);
        SplitTestAndTrain validationAndTest = trainAndRest.getTest().splitTestAndTrain(0.5);
        NormalizerStandardize normalizer = new NormalizerStandardize();
        normalizer.fitLabel(scaleLabels);
        normalizer.fit(trainAndRest.getTrain());                 // the training part's statistics only
        Split split = new Split(trainAndRest.getTrain(), validationAndTest.getTrain(), validationAndTest.getTest(),
                normalizer);
        for (DataSet part : new DataSet[]{split.train(), split.validation(), split.test()}) {
            normalizer.transform(part);        // once, in place (not as a pre-processor of a re-used iterator)
        }
        return split;
    }
}
