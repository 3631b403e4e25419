package io.github.dl4jbayes.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The moons example with few iterations: it runs end to end and writes every picture and trace. */
class MoonsExampleSmokeTest {

    @Test
    void writesPicturesAndTraces(@TempDir Path out) throws Exception {
        MoonsExample.Result result = MoonsExample.run(Options.parse(new String[]{
                "--out", out.toString(), "--iterations", "60", "--minibatch-iterations", "40", "--draws", "200",
                "--ppc-samples", "10", "--grid", "20", "--print-every", "20"}));
        for (String name : List.of("data", "elbo", "reliability", "weights_trace", "weights_hist", "predictive_mean", "predictive_std")) {
            Path png = out.resolve(name + ".png");
            assertTrue(result.pictures().contains(png), name + " not reported");
            BufferedImage image = ImageIO.read(png.toFile());
            assertNotNull(image, name + ".png is not a readable PNG");
            assertTrue(image.getWidth() >= 600 && image.getHeight() >= 400, name + ".png is too small");
        }
        assertEquals(61, Files.readAllLines(out.resolve("elbo_fullbatch.csv")).size());
        assertEquals(41, Files.readAllLines(out.resolve("elbo_minibatch.csv")).size());
        // 2*5 + 5*5 + 5*1 weights, no biases, and a header
        assertEquals(41, Files.readAllLines(out.resolve("weights_summary.csv")).size());
        // a run repeats exactly from its seed (the default, 0): the same accuracy and the same ELBO trace
        MoonsExample.Result again = MoonsExample.run(Options.parse(new String[]{
                "--out", out.resolve("again").toString(), "--iterations", "60", "--minibatch-iterations", "40",
                "--draws", "200", "--ppc-samples", "10", "--grid", "20", "--print-every", "20"}));
        assertEquals(result.fullBatchAccuracy(), again.fullBatchAccuracy());
        assertEquals(result.minibatchAccuracy(), again.minibatchAccuracy());
        assertEquals(Files.readAllLines(out.resolve("elbo_fullbatch.csv")),
                Files.readAllLines(out.resolve("again").resolve("elbo_fullbatch.csv")));
        // on the 500 test points
        assertEquals(Math.rint(500 * result.fullBatchAccuracy()), 500 * result.fullBatchAccuracy(), 1e-9);
    }

    @Test
    void readsTheNotebookData() {
        MoonsData data = MoonsData.notebook();
        assertEquals(500, data.train().numExamples());
        assertEquals(500, data.test().numExamples());
    }

    @Test
    void generatedDataIsStandardizedAndBalanced() {
        MoonsData data = MoonsData.generate(1000, 0.2, 0);
        assertEquals(500, data.train().numExamples());
        org.nd4j.linalg.api.ndarray.INDArray all = org.nd4j.linalg.factory.Nd4j.vstack(
                data.train().getFeatures(), data.test().getFeatures());
        assertEquals(0.0, all.mean(0).getDouble(0), 1e-5);
        assertEquals(1.0, all.std(false, 0).getDouble(1), 1e-4);
        double ones = data.train().getLabels().sumNumber().doubleValue() + data.test().getLabels().sumNumber().doubleValue();
        assertEquals(500.0, ones, 0.0);
    }
}
