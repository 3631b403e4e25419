package io.github.dl4jbayes.examples;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files in the Fashion-MNIST layout, for tests. */
final class SyntheticIdx {
    private SyntheticIdx() {
    }

    /** Writes an image file of {@code count} images of {@code rows x cols}: pixel i of image k is {@code pixel(k, i)}. */
    static void writeImages(Path file, int count, int rows, int cols, boolean gzip, PixelFunction pixel)
            throws IOException {
        try (DataOutputStream out = open(file, gzip)) {
            out.writeInt(IdxFiles.IMAGES_MAGIC);
            out.writeInt(count);
            out.writeInt(rows);
            out.writeInt(cols);
            for (int k = 0; k < count; k++) {
                for (int i = 0; i < rows * cols; i++) {
                    out.writeByte(pixel.value(k, i));
                }
            }
        }
    }

    /** Writes a label file. */
    static void writeLabels(Path file, int[] labels, boolean gzip) throws IOException {
        try (DataOutputStream out = open(file, gzip)) {
            out.writeInt(IdxFiles.LABELS_MAGIC);
            out.writeInt(labels.length);
            for (int label : labels) {
                out.writeByte(label);
            }
        }
    }

    /**
     * The four Fashion-MNIST files in {@code dir}: labels {@code k % 10}, images a bright horizontal band whose
     * position depends on the class, over noise. The training files are gzip-compressed when {@code gzipTrain}, the
     * test files when {@code gzipTest}.
     */
    static void writeFashion(Path dir, int trainCount, int testCount, int side, boolean gzipTrain, boolean gzipTest,
                             long seed) throws IOException {
        Random random = new Random(seed);
        write(dir, FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS, trainCount, side, gzipTrain, random);
        write(dir, FashionMnist.TEST_IMAGES, FashionMnist.TEST_LABELS, testCount, side, gzipTest, random);
    }

    private static void write(Path dir, String images, String labels, int count, int side, boolean gzip,
                              Random random) throws IOException {
        int[] y = new int[count];
        for (int k = 0; k < count; k++) {
            y[k] = k % 10;
        }
        byte[] noise = new byte[count * side * side];
        random.nextBytes(noise);
        writeImages(dir.resolve(images + (gzip ? ".gz" : "")), count, side, side, gzip, (k, i) -> {
            int row = i / side;
            int band = y[k] * side / 10;
            int base = (noise[k * side * side + i] & 0xff) / 4;
            return row >= band && row < band + Math.max(1, side / 10) ? 200 + base / 4 : base;
        });
        writeLabels(dir.resolve(labels + (gzip ? ".gz" : "")), y, gzip);
    }

    private static DataOutputStream open(Path file, boolean gzip) throws IOException {
        OutputStream raw = Files.newOutputStream(file);
        return new DataOutputStream(gzip ? new GZIPOutputStream(raw) : raw);
    }

    /** The value (0-255) of pixel {@code i} of image {@code k}. */
    interface PixelFunction {
        int value(int k, int i);
    }
}
