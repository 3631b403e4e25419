package io.github.dl4jbayes.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The IDX reader (plain and gzip) and the Fashion-MNIST loader with held-out classes, on small synthetic files. */
class FashionMnistTest {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void readsImagesAndLabels(boolean gzip, @TempDir Path dir) throws IOException {
        // 3 images of 2 x 4, pixel i of image k = 10 k + i, and 250 + i on the last image to check unsigned bytes
        Path images = dir.resolve("images" + (gzip ? ".gz" : ""));
        SyntheticIdx.writeImages(images, 3, 2, 4, gzip, (k, i) -> k == 2 ? 248 + i : 10 * k + i);
        Path labels = dir.resolve("labels" + (gzip ? ".gz" : ""));
        SyntheticIdx.writeLabels(labels, new int[]{7, 0, 255}, gzip);

        IdxFiles.Images read = IdxFiles.readImages(images, -1);
        assertEquals(3, read.count());
        assertEquals(2, read.rows());
        assertEquals(4, read.cols());
        assertEquals(8, read.imageSize());
        assertEquals(24, read.pixels().length);
        assertEquals(13, read.pixels()[8 + 3]);
        assertEquals(255, read.pixels()[16 + 7] & 0xff);
        assertArrayEquals(new int[]{7, 0, 255}, IdxFiles.readLabels(labels, -1));

        IdxFiles.Images first = IdxFiles.readImages(images, 2);
        assertEquals(2, first.count());
        assertEquals(16, first.pixels().length);
        assertArrayEquals(new int[]{7}, IdxFiles.readLabels(labels, 1));
        assertEquals(3, IdxFiles.readImages(images, 10).count());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void badMagicNumberIsRejectedNamingTheFile(boolean gzip, @TempDir Path dir) throws IOException {
        Path labels = dir.resolve("labels-as-images" + (gzip ? ".gz" : ""));
        SyntheticIdx.writeLabels(labels, new int[]{1, 2}, gzip);
        IOException e = assertThrows(IOException.class, () -> IdxFiles.readImages(labels, -1));
        assertTrue(e.getMessage().contains(labels.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("magic number 0x00000801, expected 0x00000803"), e.getMessage());

        Path images = dir.resolve("images-as-labels" + (gzip ? ".gz" : ""));
        SyntheticIdx.writeImages(images, 1, 2, 2, gzip, (k, i) -> i);
        IOException e2 = assertThrows(IOException.class, () -> IdxFiles.readLabels(images, -1));
        assertTrue(e2.getMessage().contains(images.toString()), e2.getMessage());
        assertTrue(e2.getMessage().contains("magic number 0x00000803, expected 0x00000801"), e2.getMessage());

        Path text = dir.resolve("text");
        Files.writeString(text, "not an IDX file at all");
        IOException e3 = assertThrows(IOException.class, () -> IdxFiles.readImages(text, -1));
        assertTrue(e3.getMessage().startsWith(text + ": not an IDX image file"), e3.getMessage());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void truncatedFileIsRejectedNamingTheFile(boolean gzip, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("short" + (gzip ? ".gz" : ""));
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream out = gzip ? new GZIPOutputStream(raw) : raw) {
            // header for 5 images of 2 x 2, but only 3 pixels
            out.write(new byte[]{0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3});
        }
        IOException e = assertThrows(IOException.class, () -> IdxFiles.readImages(file, -1));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("ends before"), e.getMessage());
    }

    @Test
    void locatePrefersThePlainFileAndFallsBackToGzip(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.gz"), "x");
        assertEquals(dir.resolve("a.gz"), IdxFiles.locate(dir, "a"));
        Files.writeString(dir.resolve("a"), "x");
        assertEquals(dir.resolve("a"), IdxFiles.locate(dir, "a"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> IdxFiles.locate(dir, "b"));
        assertTrue(e.getMessage().contains(dir.resolve("b").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("b.gz"), e.getMessage());
    }

    @Test
    void holdsOutClassesAndRelabelsTheRest(@TempDir Path dir) throws IOException {
        // labels k % 10: 40 training images (4 per class), 20 test images (2 per class); train plain, test gzip
        SyntheticIdx.writeFashion(dir, 40, 20, 20, false, true, 1);
        FashionMnist data = FashionMnist.load(dir, List.of(5, 8), 0, 0);
        assertEquals(20, data.height());
        assertEquals(20, data.width());
        assertEquals(8, data.classes());
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 6, 7, 9}, data.keptClasses());
        assertArrayEquals(new int[]{5, 8}, data.heldOutClasses());
        assertEquals("Shirt", data.className(5));
        assertEquals("Ankle boot", data.className(7));

        assertEquals(32, data.train().numExamples());
        assertArrayEquals(new long[]{32, 400}, data.train().getFeatures().shape());
        assertArrayEquals(new long[]{32, 8}, data.train().getLabels().shape());
        assertEquals(DataType.FLOAT, data.train().getFeatures().dataType());
        // training rows in file order without classes 5 and 8: originals 0,1,2,3,4,6,7,9,10,... -> new 0..7, 0, ...
        double[] firstLabels = data.train().getLabels().getRow(5).toDoubleVector();
        assertArrayEquals(new double[]{0, 0, 0, 0, 0, 1, 0, 0}, firstLabels);   // original 6 Shirt -> 5
        assertArrayEquals(new double[]{0, 0, 0, 0, 0, 0, 0, 1}, data.train().getLabels().getRow(7).toDoubleVector());
        assertEquals(32.0, data.train().getLabels().sumNumber().doubleValue());

        assertEquals(16, data.test().numExamples());
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 6, 7, 9, 0, 1, 2, 3, 4, 6, 7, 9}, data.testClasses());
        INDArray ood = data.outOfDistribution();
        assertArrayEquals(new long[]{4, 400}, ood.shape());
        assertArrayEquals(new int[]{5, 8, 5, 8}, data.outOfDistributionClasses());

        double min = data.train().getFeatures().minNumber().doubleValue();
        double max = data.train().getFeatures().maxNumber().doubleValue();
        assertTrue(min >= 0 && max <= 1 && max > 0.7, "pixels in [" + min + ", " + max + "]");
    }

    @Test
    void pixelsAreScaledToTheUnitInterval(@TempDir Path dir) throws IOException {
        // 16 x 16 images whose pixel i is i (0..255), labels 0, 1, 2, ...
        SyntheticIdx.writeImages(dir.resolve(FashionMnist.TRAIN_IMAGES), 2, 16, 16, false, (k, i) -> i);
        SyntheticIdx.writeLabels(dir.resolve(FashionMnist.TRAIN_LABELS), new int[]{0, 1}, false);
        SyntheticIdx.writeImages(dir.resolve(FashionMnist.TEST_IMAGES), 2, 16, 16, false, (k, i) -> 255 - i);
        SyntheticIdx.writeLabels(dir.resolve(FashionMnist.TEST_LABELS), new int[]{0, 1}, false);
        FashionMnist data = FashionMnist.load(dir, List.of(), 0, 0);
        assertNull(data.outOfDistribution());
        assertEquals(10, data.classes());
        double[] row = data.train().getFeatures().getRow(0).toDoubleVector();
        assertEquals(0.0, row[0], 0.0);
        assertEquals(128 / 255.0, row[128], 1e-6);
        assertEquals(1.0, row[255], 0.0);
        assertEquals(1.0, data.test().getFeatures().getDouble(0, 0), 0.0);
    }

    @Test
    void limitsKeepTheFirstImages(@TempDir Path dir) throws IOException {
        SyntheticIdx.writeFashion(dir, 40, 20, 16, true, false, 2);
        FashionMnist data = FashionMnist.load(dir, List.of(5, 8), 10, 10);
        assertEquals(10, data.train().numExamples());
        assertEquals(8, data.test().numExamples());
        assertEquals(2, data.outOfDistribution().size(0));
    }

    @Test
    void badInputsAreRejected(@TempDir Path dir) throws IOException {
        assertEquals(List.of(5, 8), FashionMnist.parseHoldout("5, 8"));
        assertEquals(List.of(), FashionMnist.parseHoldout("none"));
        assertThrows(IllegalArgumentException.class, () -> FashionMnist.parseHoldout("5,bag"));
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> FashionMnist.load(dir, List.of(0, 1, 2, 3, 4, 5, 6, 7, 8), 0, 0));
        assertTrue(tooMany.getMessage().contains("at least two must remain"), tooMany.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(dir, List.of(10), 0, 0));
        assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(dir, List.of(5, 5), 0, 0));

        NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                () -> FashionMnist.load(dir, List.of(5, 8), 0, 0));
        assertTrue(missing.getMessage().contains(FashionMnist.TRAIN_IMAGES), missing.getMessage());

        // a label file with a label 12
        SyntheticIdx.writeFashion(dir, 20, 10, 16, false, false, 3);
        int[] bad = new int[20];
        bad[3] = 12;
        SyntheticIdx.writeLabels(dir.resolve(FashionMnist.TRAIN_LABELS), bad, false);
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(dir, List.of(), 0, 0));
        assertTrue(e.getMessage().contains("label 12 at index 3"), e.getMessage());
        // counts that differ
        SyntheticIdx.writeLabels(dir.resolve(FashionMnist.TRAIN_LABELS), new int[19], false);
        IOException e2 = assertThrows(IOException.class, () -> FashionMnist.load(dir, List.of(), 0, 0));
        assertTrue(e2.getMessage().contains("holds 20 images but"), e2.getMessage());
    }
}
