package io.github.dl4jbayes.examples;

import org.datavec.api.records.reader.impl.csv.CSVRecordReader;
import org.datavec.api.split.FileSplit;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading the tabular examples' CSV files with DataVec, with one translation of its errors. */
final class CsvTables {
    private CsvTables() {
    }

    /** Reads a CSV file with a DataVec reader (after {@code skipLines} lines) into one DataSet. */
    interface Reading {
        DataSet read(CSVRecordReader reader) throws IOException, InterruptedException;
    }

    /** @return the fields of the file's first line (a header, or the first row) */
    static String[] firstLine(Path file) throws IOException {
        try (java.util.stream.Stream<String> lines = Files.lines(file)) {
            return lines.findFirst().orElse("").trim().split(",");
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
}
