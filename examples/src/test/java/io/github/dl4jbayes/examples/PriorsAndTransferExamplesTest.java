package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.layers.Pruning;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The priors and transfer examples, shortened: they run end to end and write their pictures and tables. */
class PriorsAndTransferExamplesTest {

    private static void assertPicture(Path png) throws Exception {
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, png + " is not a readable PNG");
        assertTrue(image.getWidth() >= 1200 && image.getHeight() >= 400, png + " is too small");
    }

    @Test
    void priorsExampleWritesItsPicturesAndTable(@TempDir Path out) throws Exception {
        PriorsExample.Result result = PriorsExample.run(Options.parse(new String[]{
                "--out", out.toString(), "--iterations", "300", "--ppc-samples", "10", "--kl-warmup", "100"}));
        assertEquals(4, result.fits().size());
        assertPicture(out.resolve("priors.png"));
        assertPicture(out.resolve("pruning.png"));
        assertEquals(5, Files.readAllLines(out.resolve("priors.csv")).size());
        for (PriorsExample.Fit fit : result.fits()) {
            assertEquals(40, fit.weightMeans().length, fit.name());
            assertTrue(Double.isFinite(fit.elbo()) && Double.isFinite(fit.nll()), fit.name());
            // everything pruned: the output no longer depends on the input, so one class for all, about half right
            assertEquals(0.5, fit.pruneAccuracy()[fit.pruneAccuracy().length - 1], 0.1, fit.name());
        }
    }

    /** pruneFraction prunes the requested share of the 40 weights, to the weight. */
    @Test
    void pruneFractionPrunesTheRequestedShare() {
        for (double fraction : new double[]{0, 0.1, 0.5, 0.95}) {
            MultiLayerNetwork net = NotebookNetwork.build(true, false, 0.01, 3);
            PriorsExample.pruneFraction(net, fraction);
            assertEquals(Math.round(fraction * 40), Math.round(40 * Pruning.prune(net, 0).fractionPruned()), "" + fraction);
        }
    }

    @Test
    void transferExampleWritesItsLearningCurves(@TempDir Path out) throws Exception {
        TransferExample.Result result = TransferExample.run(Options.parse(new String[]{
                "--out", out.toString(), "--sizes", "10,40", "--repeats", "1", "--iterations", "200",
                "--finetune-iterations", "20", "--ppc-samples", "10", "--hidden", "6"}));
        assertPicture(out.resolve("transfer.png"));
        java.util.List<String> csv = Files.readAllLines(out.resolve("transfer.csv"));
        assertEquals(1 + 4 * 2, csv.size());
        // the CSV is the result: method by method, labelled-set size by size (the method's name is quoted: it has commas)
        for (int m = 0; m < 4; m++) {
            for (int s = 0; s < 2; s++) {
                String line = csv.get(1 + 2 * m + s);
                String[] tail = line.substring(line.lastIndexOf('"') + 2).split(",");
                assertEquals(result.sizes()[s], Integer.parseInt(tail[0]), line);
                assertEquals(result.accuracy()[m][s], Double.parseDouble(tail[1]), 5e-5, line);
                assertEquals(result.nll()[m][s], Double.parseDouble(tail[2]), 5e-5, line);
            }
        }
    }

    /** The target task's features are the source's turned by the angle: lengths kept, angle between them exact. */
    @Test
    void rotateTurnsTheFeatures() {
        DataSet data = MoonsData.generate(40, 0.2, 1).train();
        DataSet turned = MoonsData.rotate(data, Math.toRadians(30));
        INDArray a = data.getFeatures().castTo(DataType.DOUBLE);
        INDArray b = turned.getFeatures().castTo(DataType.DOUBLE);
        for (int i = 0; i < a.rows(); i++) {
            double x = a.getDouble(i, 0);
            double y = a.getDouble(i, 1);
            double u = b.getDouble(i, 0);
            double v = b.getDouble(i, 1);
            assertEquals(Math.hypot(x, y), Math.hypot(u, v), 1e-5);
            assertEquals(Math.cos(Math.toRadians(30)) * Math.hypot(x, y) * Math.hypot(u, v), x * u + y * v, 1e-5);
        }
        assertEquals(data.getLabels(), turned.getLabels());
    }
}
