package io.github.dl4jbayes.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Fashion-MNIST example end to end on small synthetic IDX files (28 x 28, 200 training and 100 test images,
 * labels k % 10): it trains both networks for one epoch, writes its pictures, every number it returns is finite, and
 * the accuracies are counts over the test images the options select. Nothing here checks the quality of the networks:
 * that needs the real data and more epochs.
 */
class FashionExampleTest {

    @Test
    void runsEndToEndWithHeldOutClasses(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path out = tmp.resolve("out");
        SyntheticIdx.writeFashion(data, 200, 100, 28, true, false, 7);
        FashionExample.Result r = FashionExample.run(Options.parse(new String[]{
                "--data", data.toString(), "--out", out.toString(), "--epochs", "1", "--samples", "3",
                "--epoch-samples", "2", "--batch", "32", "--grid", "4", "--kl-warmup", "3", "--holdout", "5,8",
                "--rotations", "0,90,180", "--rotation-limit", "100", "--convert-epochs", "1", "--convert-posterior-std",
                "0.01,0.02", "--validation", "30"}));

        for (String name : List.of("elbo", "reliability_plain", "reliability_bayesian", "mi_histogram",
                "certain_uncertain", "rotation_shift")) {
            Path picture = out.resolve(name + ".png");
            assertTrue(r.pictures().contains(picture), name + " in " + r.pictures());
            assertNotNull(ImageIO.read(picture.toFile()), name);
        }
        assertTrue(Files.size(out.resolve("elbo.csv")) > 0);
        List<String> csv = Files.readAllLines(out.resolve("rotation.csv"));
        assertEquals(4, csv.size(), "header and three angles");
        for (int k = 0; k < 3; k++) {            // the CSV holds the scores the run returns, column by column
            double[] row = java.util.Arrays.stream(csv.get(k + 1).split(",")).mapToDouble(Double::parseDouble)
                    .toArray();
            assertArrayEquals(new double[]{r.plainRotated().degrees()[k], r.plainRotated().accuracy()[k],
                    r.plainRotated().nll()[k], r.plainRotated().ece()[k], r.bayesianRotated().accuracy()[k],
                    r.bayesianRotated().nll()[k], r.bayesianRotated().ece()[k]}, row, 0, "rotation.csv row " + k);
        }
        List<String> converted = Files.readAllLines(out.resolve("rotation_converted.csv"));
        assertEquals(4, converted.size(), "header and three angles");
        for (int k = 0; k < 3; k++) {
            double[] row = java.util.Arrays.stream(converted.get(k + 1).split(",")).mapToDouble(Double::parseDouble)
                    .toArray();
            assertArrayEquals(new double[]{r.convertedRotated().degrees()[k], r.convertedRotated().accuracy()[k],
                    r.convertedRotated().nll()[k], r.convertedRotated().ece()[k]}, row, 0, "converted row " + k);
        }
        for (ImagePredictions.RotationScores rotated : List.of(r.plainRotated(), r.bayesianRotated(),
                r.convertedRotated())) {
            assertArrayEquals(new double[]{0, 90, 180}, rotated.degrees());
            for (int k = 0; k < 3; k++) {
                assertCount(rotated.accuracy()[k], 80, "accuracy at " + rotated.degrees()[k] + " on the 80 test images");
                assertProbability(rotated.ece()[k], "ECE at " + rotated.degrees()[k]);
                assertTrue(Double.isFinite(rotated.nll()[k]), "NLL at " + rotated.degrees()[k]);
            }
        }
        // the limit (100) takes every test image, and 0 degrees leaves them as they are: the plain network's
        // (deterministic) scores at 0 degrees are its test scores, through the rotation path
        assertEquals(r.plain().accuracy(), r.plainRotated().accuracy()[0], 0, "accuracy at 0 degrees");
        assertEquals(r.plain().nll(), r.plainRotated().nll()[0], 1e-6, "NLL at 0 degrees");
        assertEquals(r.plain().ece(), r.plainRotated().ece()[0], 1e-6, "ECE at 0 degrees");
        for (FashionReport.NetScores s : List.of(r.plain(), r.bayesian(), r.converted())) {
            assertCount(s.accuracy(), 80, "accuracy on the 80 test images of the classes kept");
            assertTrue(Double.isFinite(s.nll()) && s.nll() >= 0, "NLL " + s.nll());
            assertTrue(Double.isFinite(s.brier()) && s.brier() >= 0, "Brier " + s.brier());
            assertProbability(s.ece(), "ECE");
            assertEquals(1, s.epochSeconds().length);
            assertTrue(s.epochSeconds()[0] > 0);
            assertEquals(1, s.bestEpoch());
        }
        assertProbability(r.plain().aurocMaxProbability(), "AUROC of 1 - max p");
        assertProbability(r.bayesian().aurocMaxProbability(), "AUROC of 1 - max p");
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
                "--epoch-samples", "1", "--batch", "16", "--limit", "40", "--rotations", "none", "--epochs", "2",
                "--patience", "1"}));
        assertTrue(Double.isNaN(r.aurocMutualInformation()), "no held-out classes by default");
        assertNull(r.converted());
        assertNull(r.plainRotated());
        assertFalse(Files.exists(out.resolve("rotation_shift.png")));
        assertTrue(r.plain().bestEpoch() >= 1 && r.plain().bestEpoch() <= 2, "best epoch " + r.plain().bestEpoch());
        assertTrue(Double.isNaN(r.plain().aurocMaxProbability()));
        assertTrue(Double.isNaN(r.meanMiOut()));
        assertFalse(Files.exists(out.resolve("mi_histogram.png")));
        assertNotNull(ImageIO.read(out.resolve("certain_uncertain.png").toFile()));
        assertCount(r.bayesian().accuracy(), 30, "accuracy on all 30 test images");

        // the run saved its plain CNN; a second run reads it back instead of training one: the same test scores, no
        // epochs, and the conversion fine-tunes it at the learning rate asked
        Path plainFile = out.resolve(FashionNetworks.PLAIN_FILE);
        assertTrue(Files.size(plainFile) > 0);
        Path again = tmp.resolve("again");
        FashionExample.Result r2 = FashionExample.run(Options.parse(new String[]{
                "--data", data.toString(), "--out", again.toString(), "--samples", "2", "--epoch-samples", "1",
                "--batch", "16", "--limit", "40", "--rotations", "none", "--epochs", "1", "--plain-network",
                plainFile.toString(), "--convert-epochs", "1", "--convert-lr", "0.0001"}));
        assertEquals(r.plain().accuracy(), r2.plain().accuracy(), 0, "the saved plain CNN's test accuracy");
        assertEquals(r.plain().nll(), r2.plain().nll(), 1e-9, "the saved plain CNN's test NLL");
        assertEquals(0, r2.plain().epochSeconds().length, "not trained again");
        assertNotNull(r2.converted());
        assertTrue(Files.size(again.resolve(FashionNetworks.PLAIN_FILE)) > 0, "copied to the new output folder");

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> FashionExample.run(Options.parse(new String[]{"--data", data.toString(), "--out",
                        tmp.resolve("o").toString(), "--plain-network", tmp.resolve("none.zip").toString()})));
        assertTrue(missing.getMessage().contains("--plain-network") && missing.getMessage().contains("no such file"),
                missing.getMessage());
        IllegalArgumentException plainEpochs = assertThrows(IllegalArgumentException.class,
                () -> FashionExample.run(Options.parse(new String[]{"--data", data.toString(), "--out",
                        tmp.resolve("o").toString(), "--plain-network", plainFile.toString(), "--plain-epochs", "2"})));
        assertTrue(plainEpochs.getMessage().contains("--plain-epochs"), plainEpochs.getMessage());
        IllegalArgumentException otherModel = assertThrows(IllegalArgumentException.class,
                () -> FashionExample.run(Options.parse(new String[]{"--data", data.toString(), "--out",
                        tmp.resolve("o").toString(), "--model", "lenet5", "--plain-network", plainFile.toString()})));
        assertTrue(otherModel.getMessage().contains("--plain-network") && otherModel.getMessage().contains("lenet5"),
                otherModel.getMessage());
    }

    @Test
    void dataIsRequiredAndImagesMustBeLargeEnough(@TempDir Path tmp) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FashionExample.run(Options.parse(new String[]{"--out", tmp.toString()})));
        assertTrue(e.getMessage().contains("--data DIR is required"), e.getMessage());
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> FashionNetworks.plainCnn(15, 28, 8, 0));
        assertTrue(small.getMessage().contains("at least 16 x 16"), small.getMessage());
        IllegalArgumentException model = assertThrows(IllegalArgumentException.class,
                () -> FashionNetworks.Model.parse("resnet"));
        assertTrue(model.getMessage().contains("--model"), model.getMessage());
        IllegalArgumentException prior = assertThrows(IllegalArgumentException.class,
                () -> FashionNetworks.prior("laplace"));
        assertTrue(prior.getMessage().contains("--prior"), prior.getMessage());
        IllegalArgumentException smallPrior = assertThrows(IllegalArgumentException.class,
                () -> FashionExample.run(Options.parse(new String[]{"--data", tmp.toString(), "--out",
                        tmp.resolve("o").toString(), "--prior", "normal"})));
        assertTrue(smallPrior.getMessage().contains("lenet5"), smallPrior.getMessage());
        IllegalArgumentException smallStd = assertThrows(IllegalArgumentException.class,
                () -> FashionExample.run(Options.parse(new String[]{"--data", tmp.toString(), "--out",
                        tmp.resolve("o").toString(), "--posterior-std", "0.01"})));
        assertTrue(smallStd.getMessage().contains("--posterior-std"), smallStd.getMessage());
        IllegalArgumentException zeroStd = assertThrows(IllegalArgumentException.class,
                () -> FashionExample.run(Options.parse(new String[]{"--data", tmp.toString(), "--out",
                        tmp.resolve("o").toString(), "--model", "lenet5", "--posterior-std", "0"})));
        assertTrue(zeroStd.getMessage().contains("--posterior-std must be"), zeroStd.getMessage());
        IllegalArgumentException convertStd = assertThrows(IllegalArgumentException.class,
                () -> FashionExample.run(Options.parse(new String[]{"--data", tmp.toString(), "--out",
                        tmp.resolve("o").toString(), "--convert-posterior-std", "0.01"})));
        assertTrue(convertStd.getMessage().contains("--convert-epochs"), convertStd.getMessage());
        IllegalArgumentException convertLr = assertThrows(IllegalArgumentException.class,
                () -> FashionExample.run(Options.parse(new String[]{"--data", tmp.toString(), "--out",
                        tmp.resolve("o").toString(), "--convert-lr", "0.0001"})));
        assertTrue(convertLr.getMessage().contains("--convert-lr") && convertLr.getMessage().contains(
                "--convert-epochs"), convertLr.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImagePredictions.parseAngles("0:180"));
        assertThrows(IllegalArgumentException.class, () -> ImagePredictions.parseAngles("0,x"));
    }

    @Test
    void minibatchesAndTheValidationSplitHoldTheRowsAsked() {
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(5);
        org.nd4j.linalg.dataset.DataSet data = new org.nd4j.linalg.dataset.DataSet(
                org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 50, 12),
                org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 50, 3));
        int[] rows = {7, 0, 49, 7, 23};
        org.nd4j.linalg.dataset.DataSet picked = Minibatches.rows(data, rows);
        assertEquals(data.getFeatures().getRows(rows), picked.getFeatures());
        assertEquals(data.getLabels().getRows(rows), picked.getLabels());
        List<org.nd4j.linalg.dataset.DataSet> batches = Minibatches.shuffledBatches(data, 16, new java.util.Random(3));
        assertEquals(List.of(16L, 16L, 16L, 2L), batches.stream().map(b -> (long) b.numExamples()).toList());
        int[] order = io.github.dl4jbayes.training.Shuffle.permutation(50, new java.util.Random(3));
        assertEquals(data.getFeatures().getRows(java.util.Arrays.copyOfRange(order, 16, 32)),
                batches.get(1).getFeatures());
        org.nd4j.linalg.dataset.DataSet[] split = Minibatches.validationSplit(data, 10, 1);
        assertEquals(40, split[0].numExamples());
        assertEquals(10, split[1].numExamples());
        assertEquals(data.getFeatures().sumNumber().doubleValue(), split[0].getFeatures().sumNumber().doubleValue()
                + split[1].getFeatures().sumNumber().doubleValue(), 1e-3);
    }

    @Test
    void anglesAreAListOrARange() {
        assertArrayEquals(new double[]{0, 15, 30}, ImagePredictions.parseAngles("0:30:15"));
        assertEquals(13, ImagePredictions.parseAngles("0:180:15").length);
        assertArrayEquals(new double[]{0, 45}, ImagePredictions.parseAngles("0, 45"));
        assertEquals(0, ImagePredictions.parseAngles("none").length);
    }

    @Test
    void lenet5ConfigurationsHaveTheAnchorsShape() {
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork plain =
                new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(FashionNetworks.lenet5Plain(28, 28, 10, 0, 1e-3));
        plain.init();
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork bayes =
                new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(FashionNetworks.lenet5Bayesian(28, 28, 10, 0,
                        1e-3));
        bayes.init();
        // conv 6 (5x5x1), 16 (5x5x6), 120 (5x5x16), dense 84 from 7x7x120, 10: weights and biases
        long plainParams = (6 * 25 + 6) + (16 * 150 + 16) + (120 * 400 + 120) + (84 * 7 * 7 * 120 + 84) + (10 * 84 + 10);
        assertEquals(plainParams, plain.numParams());
        assertTrue(bayes.numParams() >= 2 * plainParams, "mu and rho per weight: " + bayes.numParams());
        assertEquals(plain.getnLayers(), bayes.getnLayers());
        // --posterior-std reaches every Bayesian layer; the default is the recipe's softplus(-7)
        double std = Math.log1p(Math.exp(-5));
        org.deeplearning4j.nn.conf.MultiLayerConfiguration wider = FashionNetworks.lenet5Bayesian(28, 28, 10, 0, 1e-3,
                io.github.dl4jbayes.priors.GaussianPrior.standardNormal(), std);
        int bayesian = 0;
        for (int i = 0; i < wider.getConfs().size(); i++) {
            if (wider.getConf(i).getLayer() instanceof io.github.dl4jbayes.layers.BayesianLayerConfig c) {
                assertEquals(std, c.getMeanField().getInitialPosteriorStd(), 0, "layer " + i);
                assertEquals(Math.log1p(Math.exp(-7)), ((io.github.dl4jbayes.layers.BayesianLayerConfig)
                        bayes.getLayerWiseConfigurations().getConf(i).getLayer()).getMeanField()
                        .getInitialPosteriorStd(), 1e-15, "layer " + i);
                bayesian++;
            }
        }
        assertEquals(5, bayesian);
        // --convert-posterior-std reaches every layer of the converted network; with C,D the convolutions start at C
        // and the dense layers at D, in their configuration and in their rho parameters (softplus(rho) = std)
        for (double[] cd : List.of(new double[]{0.02, 0.02}, new double[]{0.005, 0.03})) {
            org.deeplearning4j.nn.multilayer.MultiLayerNetwork converted = FashionNetworks.convert(plain, cd[0],
                    cd[1]);
            List<Double> configured = new java.util.ArrayList<>();
            for (int i = 0; i < converted.getnLayers(); i++) {
                if (converted.getLayer(i).conf().getLayer() instanceof io.github.dl4jbayes.layers.BayesianLayerConfig c) {
                    double start = c.getMeanField().getInitialPosteriorStd();
                    configured.add(start);
                    for (String key : List.of("Wrho", "brho")) {   // float rho: |rho| 2^-24 x sigmoid(rho) < 1e-8
                        org.nd4j.linalg.api.ndarray.INDArray rho = converted.getLayer(i).getParam(key);
                        assertEquals(start, Math.log1p(Math.exp(rho.minNumber().doubleValue())), 1e-8, key + " " + i);
                        assertEquals(start, Math.log1p(Math.exp(rho.maxNumber().doubleValue())), 1e-8, key + " " + i);
                    }
                }
            }
            assertEquals(List.of(cd[0], cd[0], cd[0], cd[1], cd[1]), configured);
        }
        // --posterior-std C,D: the three convolutions start at C, the two dense layers at D
        double[] stds = FashionNetworks.posteriorStds(Options.parse(new String[]{"--posterior-std", "0.05,0.007"}),
                "posterior-std");
        org.deeplearning4j.nn.conf.MultiLayerConfiguration split = FashionNetworks.lenet5Bayesian(28, 28, 10, 0, 1e-3,
                io.github.dl4jbayes.priors.GaussianPrior.standardNormal(), stds[0], stds[1]);
        List<Double> perLayer = new java.util.ArrayList<>();
        for (int i = 0; i < split.getConfs().size(); i++) {
            if (split.getConf(i).getLayer() instanceof io.github.dl4jbayes.layers.BayesianLayerConfig c) {
                perLayer.add(c.getMeanField().getInitialPosteriorStd());
            }
        }
        assertEquals(List.of(0.05, 0.05, 0.05, 0.007, 0.007), perLayer);
        assertArrayEquals(new double[]{0.02, 0.02},
                FashionNetworks.posteriorStds(Options.parse(new String[]{"--posterior-std", "0.02"}), "posterior-std"));
        assertArrayEquals(new double[]{Math.log1p(Math.exp(-7)), Math.log1p(Math.exp(-7))},
                FashionNetworks.posteriorStds(Options.parse(new String[0]), "posterior-std"));
        assertArrayEquals(new double[]{0.01, 0.03}, FashionNetworks.posteriorStds(Options.parse(new String[]{
                "--convert-posterior-std", "0.01,0.03"}), "convert-posterior-std"));
        IllegalArgumentException convertBad = assertThrows(IllegalArgumentException.class,
                () -> FashionNetworks.posteriorStds(Options.parse(new String[]{"--convert-posterior-std", "0.1,0"}),
                        "convert-posterior-std"));
        assertTrue(convertBad.getMessage().contains("--convert-posterior-std"), convertBad.getMessage());
        for (String bad : List.of("0.1,0.2,0.3", "0.1,", "0.1,-1", "a,0.1")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FashionNetworks.posteriorStds(Options.parse(new String[]{"--posterior-std", bad}),
                            "posterior-std"));
            assertTrue(e.getMessage().contains("--posterior-std"), e.getMessage());
        }
    }

    /** A fraction of {@code n} images: a whole number of them right. */
    private static void assertCount(double fraction, int n, String what) {
        assertEquals(Math.rint(n * fraction), n * fraction, 1e-9, what + " = " + fraction);
    }

    private static void assertProbability(double v, String what) {
        assertTrue(v >= 0 && v <= 1, what + " = " + v);
    }
}
