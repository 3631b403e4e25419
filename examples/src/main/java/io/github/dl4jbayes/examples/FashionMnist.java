package io.github.dl4jbayes.examples;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fashion-MNIST (Zalando's 28x28 grayscale images of 10 kinds of clothing, 60,000 training and 10,000 test images)
 * read from its four IDX files ({@link IdxFiles}), with some classes held out as out-of-distribution data:
 * <ul>
 *   <li>{@link #train()} and {@link #test()} keep the other classes, relabelled 0, 1, ... in their original order
 *       (holding out 5 Sandal and 8 Bag: T-shirt/top 0, Trouser 1, Pullover 2, Dress 3, Coat 4, Shirt 5, Sneaker 6,
 *       Ankle boot 7);</li>
 *   <li>{@link #outOfDistribution()} holds the test images of the held-out classes.</li>
 * </ul>
 * Features are {@code [n, height * width]} FLOAT pixels scaled to [0, 1], row by row (for
 * {@code InputType.convolutionalFlat(height, width, 1)}); labels are one-hot {@code [n, classes()]}.
 * See {@code docs/fashion-mnist.md} for how to get the files.
 */
public final class FashionMnist {
    /** The ten class names, by original label. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** The classes held out by default: 5 Sandal and 8 Bag. */
    public static final List<Integer> DEFAULT_HOLDOUT = List.of(5, 8);
    /** Base names of the four files; each may also be gzip-compressed with a {@code .gz} suffix. */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    /** @see #TRAIN_IMAGES */
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    /** @see #TRAIN_IMAGES */
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    /** @see #TRAIN_IMAGES */
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    private final int height;
    private final int width;
    private final int[] kept;
    private final int[] heldOut;
    private final DataSet train;
    private final DataSet test;
    private final INDArray outOfDistribution;
    private final int[] testClasses;
    private final int[] outOfDistributionClasses;

    private FashionMnist(int height, int width, int[] kept, int[] heldOut, DataSet train, DataSet test,
                         INDArray outOfDistribution, int[] testClasses, int[] outOfDistributionClasses) {
        this.height = height;
        this.width = width;
        this.kept = kept;
        this.heldOut = heldOut;
        this.train = train;
        this.test = test;
        this.outOfDistribution = outOfDistribution;
        this.testClasses = testClasses;
        this.outOfDistributionClasses = outOfDistributionClasses;
    }

    /**
     * Reads the four files from {@code dir} ({@link IdxFiles#locate}: plain or {@code .gz}).
     *
     * @param dir        the folder with the IDX files
     * @param holdout    original classes (0-9) to hold out; empty for none; at least two classes must remain
     * @param trainLimit keep only the first this many training images of the kept classes (&lt;= 0: all)
     * @param testLimit  read only the first this many test images, before splitting them into in- and
     *                   out-of-distribution (&lt;= 0: all)
     * @throws IOException              if a file is missing or not a valid IDX file, image and label counts differ,
     *                                  the training and test images differ in size, or a label is not 0-9; the
     *                                  message names the file
     * @throws IllegalArgumentException on a bad holdout list
     */
    public static FashionMnist load(Path dir, List<Integer> holdout, int trainLimit, int testLimit) throws IOException {
        boolean[] out = holdoutMask(holdout);
        int[] kept = classesWhere(out, false);
        int[] heldOut = classesWhere(out, true);
        int[] newLabel = new int[10];
        Arrays.fill(newLabel, -1);
        for (int k = 0; k < kept.length; k++) {
            newLabel[kept[k]] = k;
        }

        Path trainImagesFile = IdxFiles.locate(dir, TRAIN_IMAGES);
        Path trainLabelsFile = IdxFiles.locate(dir, TRAIN_LABELS);
        IdxFiles.Images trainImages = IdxFiles.readImages(trainImagesFile, -1);
        int[] trainLabels = IdxFiles.readLabels(trainLabelsFile, -1);
        checkPair(trainImagesFile, trainImages, trainLabelsFile, trainLabels);
        Path testImagesFile = IdxFiles.locate(dir, TEST_IMAGES);
        Path testLabelsFile = IdxFiles.locate(dir, TEST_LABELS);
        IdxFiles.Images testImages = IdxFiles.readImages(testImagesFile, testLimit > 0 ? testLimit : -1);
        int[] testLabels = IdxFiles.readLabels(testLabelsFile, testLimit > 0 ? testLimit : -1);
        checkPair(testImagesFile, testImages, testLabelsFile, testLabels);
        if (testImages.rows() != trainImages.rows() || testImages.cols() != trainImages.cols()) {
            throw new IOException(testImagesFile + ": images of " + testImages.rows() + " x " + testImages.cols()
                    + ", but the training images (" + trainImagesFile + ") are " + trainImages.rows() + " x "
                    + trainImages.cols());
        }

        List<Integer> trainRows = new ArrayList<>();
        for (int i = 0; i < trainLabels.length && (trainLimit <= 0 || trainRows.size() < trainLimit); i++) {
            if (!out[trainLabels[i]]) {
                trainRows.add(i);
            }
        }
        List<Integer> testRows = new ArrayList<>();
        List<Integer> oodRows = new ArrayList<>();
        for (int i = 0; i < testLabels.length; i++) {
            (out[testLabels[i]] ? oodRows : testRows).add(i);
        }
        if (trainRows.isEmpty()) {
            throw new IOException(trainLabelsFile + ": no training image of the kept classes");
        }
        if (testRows.isEmpty()) {
            throw new IOException(testLabelsFile + ": no test image of the kept classes");
        }
        DataSet train = new DataSet(features(trainImages, trainRows), oneHot(trainLabels, trainRows, newLabel,
                kept.length));
        DataSet test = new DataSet(features(testImages, testRows), oneHot(testLabels, testRows, newLabel, kept.length));
        INDArray ood = oodRows.isEmpty() ? null : features(testImages, oodRows);
        return new FashionMnist(trainImages.rows(), trainImages.cols(), kept, heldOut, train, test, ood,
                original(testLabels, testRows), original(testLabels, oodRows));
    }

    /**
     * Parses a holdout list: comma-separated original classes ({@code "5,8"}), or {@code "none"} (or empty) for none.
     *
     * @throws IllegalArgumentException naming the entry that is not a whole number
     */
    public static List<Integer> parseHoldout(String text) {
        List<Integer> classes = new ArrayList<>();
        if (text == null || text.isBlank() || "none".equalsIgnoreCase(text.trim())) {
            return classes;
        }
        for (String part : text.split(",")) {
            try {
                classes.add(Integer.parseInt(part.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--holdout needs class numbers 0-9 separated by commas, or 'none'; "
                        + "got '" + part.trim() + "' in '" + text + "'");
            }
        }
        return classes;
    }

    private static boolean[] holdoutMask(List<Integer> holdout) {
        if (holdout == null) {
            throw new IllegalArgumentException("holdout must not be null (use an empty list for none)");
        }
        boolean[] out = new boolean[10];
        for (Integer c : holdout) {
            if (c == null || c < 0 || c > 9) {
                throw new IllegalArgumentException("holdout classes must be 0-9, got " + c);
            }
            if (out[c]) {
                throw new IllegalArgumentException("holdout class " + c + " is listed twice");
            }
            out[c] = true;
        }
        if (holdout.size() > 8) {
            throw new IllegalArgumentException("holdout leaves " + (10 - holdout.size())
                    + " class(es): at least two must remain to classify");
        }
        return out;
    }

    private static int[] classesWhere(boolean[] out, boolean value) {
        List<Integer> list = new ArrayList<>();
        for (int c = 0; c < out.length; c++) {
            if (out[c] == value) {
                list.add(c);
            }
        }
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void checkPair(Path imagesFile, IdxFiles.Images images, Path labelsFile, int[] labels)
            throws IOException {
        if (images.count() != labels.length) {
            throw new IOException(imagesFile + " holds " + images.count() + " images but " + labelsFile + " holds "
                    + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] > 9) {
                throw new IOException(labelsFile + ": label " + labels[i] + " at index " + i
                        + " is not a Fashion-MNIST class (0-9)");
            }
        }
    }

    private static INDArray features(IdxFiles.Images images, List<Integer> rows) {
        int size = images.imageSize();
        byte[] pixels = images.pixels();
        float[] values = new float[rows.size() * size];
        for (int r = 0; r < rows.size(); r++) {
            int from = rows.get(r) * size;
            for (int j = 0; j < size; j++) {
                values[r * size + j] = (pixels[from + j] & 0xff) / 255f;
            }
        }
        return Nd4j.createFromArray(values).reshape('c', rows.size(), size);
    }

    private static INDArray oneHot(int[] labels, List<Integer> rows, int[] newLabel, int classes) {
        float[] values = new float[rows.size() * classes];
        for (int r = 0; r < rows.size(); r++) {
            values[r * classes + newLabel[labels[rows.get(r)]]] = 1f;
        }
        return Nd4j.createFromArray(values).reshape('c', rows.size(), classes);
    }

    private static int[] original(int[] labels, List<Integer> rows) {
        int[] out = new int[rows.size()];
        for (int r = 0; r < out.length; r++) {
            out[r] = labels[rows.get(r)];
        }
        return out;
    }

    /** @return the training set of the kept classes: features {@code [n, height * width]}, one-hot labels */
    public DataSet train() {
        return train;
    }

    /** @return the test images of the kept classes (in-distribution), labelled like {@link #train()} */
    public DataSet test() {
        return test;
    }

    /** @return the test images of the held-out classes, {@code [m, height * width]}; null when none are held out */
    public INDArray outOfDistribution() {
        return outOfDistribution;
    }

    /** @return the original class (0-9) of each {@link #test()} image */
    public int[] testClasses() {
        return testClasses.clone();
    }

    /** @return the original class (0-9) of each {@link #outOfDistribution()} image (empty when none) */
    public int[] outOfDistributionClasses() {
        return outOfDistributionClasses.clone();
    }

    /** @return image height in pixels (28 for Fashion-MNIST) */
    public int height() {
        return height;
    }

    /** @return image width in pixels (28 for Fashion-MNIST) */
    public int width() {
        return width;
    }

    /** @return the number of kept classes, the networks' number of outputs */
    public int classes() {
        return kept.length;
    }

    /** @return the original class (0-9) of each new label 0 .. {@code classes() - 1} */
    public int[] keptClasses() {
        return kept.clone();
    }

    /** @return the held-out original classes, ascending (empty for none) */
    public int[] heldOutClasses() {
        return heldOut.clone();
    }

    /** @return the class name of new label {@code label} (0 .. {@code classes() - 1}) */
    public String className(int label) {
        return CLASS_NAMES.get(kept[label]);
    }
}
