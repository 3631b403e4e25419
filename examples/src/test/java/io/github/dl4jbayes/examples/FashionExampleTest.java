package io.github.dl4jbayes.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Fashion-MNIST example end to end on small synthetic IDX files (28 x 28, 200 training and 100 test images,
 * labels k % 10): it trains both networks for one epoch, writes its pictures, and every number it returns is finite.
 * Nothing here checks the quality of the networks: that needs the real data and more epochs.
 */
class FashionExampleTest {

    @Test
    void runsEndToEndWithHeldOutClasses(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path out = tmp.resolve("out");
        SyntheticIdx.writeFashion(data, 200, 100, 28, true, false, 7);
        FashionExample.Result r = FashionExample.run(Options.parse(new String[]{
                "--data", data.toString(), "--out", out.toString(), "--epochs", "1", "--samples", "3",
                "--epoch-samples", "2", "--batch", "32", "--grid", "4", "--kl-warmup", "3"}));

        for (String name : List.of("elbo", "reliability_plain", "reliability_bayesian", "mi_histogram",
                "certain_uncertain")) {
            Path picture = out.resolve(name + ".png");
            assertTrue(r.pictures().contains(picture), name + " in " + r.pictures());
            assertNotNull(ImageIO.read(picture.toFile()), name);
        }
        assertTrue(Files.size(out.resolve("elbo.csv")) > 0);
        for (FashionExample.NetScores s : List.of(r.plain(), r.bayesian())) {
            assertProbability(s.accuracy(), "accuracy");
            assertTrue(Double.isFinite(s.nll()) && s.nll() >= 0, "NLL " + s.nll());
            assertTrue(Double.isFinite(s.brier()) && s.brier() >= 0, "Brier " + s.brier());
            assertProbability(s.ece(), "ECE");
            assertProbability(s.aurocMaxProbability(), "AUROC of 1 - max p");
            assertEquals(1, s.epochSeconds().length);
            assertTrue(s.epochSeconds()[0] > 0);
        }
        assertProbability(r.aurocMutualInformation(), "AUROC of MI");
        assertTrue(Double.isFinite(r.meanMiIn()) && r.meanMiIn() >= 0, "MI in " + r.meanMiIn());
        assertTrue(Double.isFinite(r.meanMiOut()) && r.meanMiOut() >= 0, "MI out " + r.meanMiOut());
    }

    @Test
    void withoutHeldOutClassesThereIsNoOodSection(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path out = tmp.resolve("out");
        SyntheticIdx.writeFashion(data, 60, 30, 16, false, true, 8);
        FashionExample.Result r = FashionExample.run(Options.parse(new String[]{
                "--data", data.toString(), "--out", out.toString(), "--epochs", "1", "--samples", "2",
                "--epoch-samples", "1", "--batch", "16", "--holdout", "none", "--limit", "40"}));
        assertTrue(Double.isNaN(r.aurocMutualInformation()));
        assertTrue(Double.isNaN(r.plain().aurocMaxProbability()));
        assertTrue(Double.isNaN(r.meanMiOut()));
        assertFalse(Files.exists(out.resolve("mi_histogram.png")));
        assertNotNull(ImageIO.read(out.resolve("certain_uncertain.png").toFile()));
        assertProbability(r.bayesian().accuracy(), "accuracy");
    }

    @Test
    void dataIsRequiredAndImagesMustBeLargeEnough(@TempDir Path tmp) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FashionExample.run(Options.parse(new String[]{"--out", tmp.toString()})));
        assertTrue(e.getMessage().contains("--data DIR is required"), e.getMessage());
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> FashionExample.plainCnn(15, 28, 8, 0));
        assertTrue(small.getMessage().contains("at least 16 x 16"), small.getMessage());
    }

    private static void assertProbability(double v, String what) {
        assertTrue(v >= 0 && v <= 1, what + " = " + v);
    }
}
