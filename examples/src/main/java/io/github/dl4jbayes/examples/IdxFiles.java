package io.github.dl4jbayes.examples;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A reader of the IDX files of MNIST and Fashion-MNIST ({@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, ...), plain or gzip-compressed (recognized by the gzip magic bytes, whatever the
 * file name).
 *
 * <p>The format: a big-endian int magic number {@code 0x00000803} (unsigned bytes, 3 dimensions) for images or
 * {@code 0x00000801} (1 dimension) for labels, the dimension sizes as big-endian ints (count, rows, columns for
 * images; count for labels), then the unsigned bytes row by row.
 *
 * <p>Why not DL4J's own reader: {@code org.deeplearning4j.datasets.mnist.MnistImageFile} / {@code MnistManager}
 * (artifact {@code org.deeplearning4j:deeplearning4j-datasets:1.0.0-M2.1}, which does resolve from Maven Central)
 * extend {@link java.io.RandomAccessFile}, so they read uncompressed files only: the {@code .gz} files that the
 * Debian package {@code dataset-fashion-mnist} and the Fashion-MNIST repository ship would have to be unpacked first.
 * The artifact also brings {@code datavec-data-image} (with JavaCV and OpenCV's natives) into the examples for what
 * is a few dozen lines here, and its bad-magic message does not name the file.
 */
public final class IdxFiles {
    /** Magic number of an IDX file of unsigned bytes with 3 dimensions (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an IDX file of unsigned bytes with 1 dimension (labels). */
    public static final int LABELS_MAGIC = 0x00000801;

    private IdxFiles() {
    }

    /**
     * Images of an IDX file.
     *
     * @param count  the number of images
     * @param rows   image height
     * @param cols   image width
     * @param pixels {@code count * rows * cols} unsigned bytes (read with {@code & 0xff}), image by image, row by row
     */
    public record Images(int count, int rows, int cols, byte[] pixels) {
        /** @return the pixel count of one image, {@code rows * cols} */
        public int imageSize() {
            return rows * cols;
        }
    }

    /**
     * Reads an image file.
     *
     * @param file an IDX image file, plain or gzip-compressed
     * @param limit read at most this many images (the first ones); a negative value reads all
     * @return the images
     * @throws IOException if the file cannot be read, its magic number is not {@link #IMAGES_MAGIC}, its sizes are
     *                     not positive or it is shorter than they say; the message names the file
     */
    public static Images readImages(Path file, int limit) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new IOException(file + ": not an IDX image file: magic number " + hex(magic) + ", expected "
                        + hex(IMAGES_MAGIC));
            }
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (count < 0 || rows <= 0 || cols <= 0 || (long) rows * cols > Integer.MAX_VALUE) {
                throw new IOException(file + ": bad image sizes " + count + " x " + rows + " x " + cols);
            }
            int n = limit < 0 ? count : Math.min(count, limit);
            long bytes = (long) n * rows * cols;
            if (bytes > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": " + n + " images of " + rows + " x " + cols
                        + " do not fit in one array; read fewer");
            }
            byte[] pixels = new byte[(int) bytes];
            in.readFully(pixels);
            return new Images(n, rows, cols, pixels);
        } catch (EOFException e) {
            throw new IOException(file + ": the file ends before the sizes in its header say it should", e);
        } catch (ZipException e) {
            throw new IOException(file + ": corrupt gzip data: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a label file.
     *
     * @param file  an IDX label file, plain or gzip-compressed
     * @param limit read at most this many labels (the first ones); a negative value reads all
     * @return the labels, 0 to 255
     * @throws IOException if the file cannot be read, its magic number is not {@link #LABELS_MAGIC}, or it is shorter
     *                     than its header says; the message names the file
     */
    public static int[] readLabels(Path file, int limit) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) {
                throw new IOException(file + ": not an IDX label file: magic number " + hex(magic) + ", expected "
                        + hex(LABELS_MAGIC));
            }
            int count = in.readInt();
            if (count < 0) {
                throw new IOException(file + ": bad label count " + count);
            }
            int n = limit < 0 ? count : Math.min(count, limit);
            byte[] bytes = new byte[n];
            in.readFully(bytes);
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = bytes[i] & 0xff;
            }
            return labels;
        } catch (EOFException e) {
            throw new IOException(file + ": the file ends before the sizes in its header say it should", e);
        } catch (ZipException e) {
            throw new IOException(file + ": corrupt gzip data: " + e.getMessage(), e);
        }
    }

    /**
     * Finds an IDX file by its base name in {@code dir}: {@code dir/name}, else {@code dir/name.gz}.
     *
     * @throws NoSuchFileException naming both paths tried when neither exists
     */
    public static Path locate(Path dir, String name) throws NoSuchFileException {
        Path plain = dir.resolve(name);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        Path gz = dir.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        throw new NoSuchFileException(plain + " (nor " + gz.getFileName() + ")");
    }

    /** Opens a file, through a gzip stream when it starts with the gzip magic bytes 1f 8b. */
    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        try {
            return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw);
        } catch (IOException e) {
            raw.close();
            throw new IOException(file + ": cannot read it as gzip: " + e.getMessage(), e);
        }
    }

    private static String hex(int v) {
        return String.format("0x%08x", v);
    }
}
