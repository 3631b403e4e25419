package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.active.Acquisition;
import io.github.dl4jbayes.active.ActiveLearning;
import io.github.dl4jbayes.hierarchical.GroupedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hierarchical and active-learning examples, shortened: they run end to end and write pictures and tables. */
class HierarchicalAndActiveExamplesTest {

    @Test
    void hierarchicalExampleRuns(@TempDir Path out) throws Exception {
        HierarchicalExample.Result r = HierarchicalExample.run(Options.parse(new String[]{"--out", out.toString(),
                "--groups", "3", "--points", "40", "--seeds", "1", "--iterations", "50", "--ppc-samples", "5"}));
        BufferedImage image = ImageIO.read(out.resolve("hierarchical_surfaces.png").toFile());
        assertNotNull(image);
        assertEquals(3, r.tau().length);
        List<String> csv = Files.readAllLines(out.resolve("hierarchical.csv"));
        assertEquals(1 + 3, csv.size());
        for (int m = 0; m < 3; m++) {
            // each model on the 3 x 20 held-out points: a whole number of them right, and the CSV says the same
            double correct = 60 * r.accuracy()[m][0];
            assertEquals(Math.rint(correct), correct, 1e-9, "model " + m + ": accuracy x 60");
            String[] row = csv.get(1 + m).split(",");
            assertEquals(r.accuracy()[m][0], Double.parseDouble(row[2]), 5e-5, csv.get(1 + m));
            assertEquals(r.nll()[m][0], Double.parseDouble(row[3]), 5e-5, csv.get(1 + m));
        }
    }

    /** G groups of n points, half held out in each, every example tagged with its group; rotation keeps the radii. */
    @Test
    void groupedMoonsHaveTheirGroups() {
        GroupedData[] split = MoonsData.grouped(4, 20, 0.3, 90, 7);
        assertEquals(40, split[0].size());
        assertEquals(40, split[1].size());
        for (int g = 0; g < 4; g++) {
            assertEquals(10, split[0].ofGroup(g).numExamples());
            assertEquals(10, split[1].ofGroup(g).numExamples());
        }
        assertEquals(4, split[0].groupCount());
    }

    @Test
    void activeExampleRuns(@TempDir Path out) throws Exception {
        List<ActiveExample.Task> tasks = ActiveExample.run(Options.parse(new String[]{"--out", out.toString(),
                "--methods", "bald,random", "--seeds", "1", "--start", "6", "--acquire", "4", "--budget", "14",
                "--iterations", "50", "--ppc-samples", "5", "--moons-data", "generated"}));
        assertEquals(1, tasks.size());
        ActiveExample.Task moons = tasks.get(0);
        assertEquals(List.of(Acquisition.BALD, Acquisition.RANDOM), moons.methods());
        for (List<ActiveLearning.Result> runs : moons.runs()) {
            assertEquals(List.of(6, 10, 14), runs.get(0).rounds().stream().map(ActiveLearning.Round::labelled).toList());
        }
        assertNotNull(ImageIO.read(moons.picture().toFile()));
        assertTrue(Files.exists(out.resolve("moons_bald_seed0.csv")));
    }

    /** The Fashion subset's model: a plain hidden layer under a Bayesian output layer by default, or both Bayesian. */
    @Test
    void fashionModelIsLastLayerOrFullyBayesian() {
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork last = ActiveExample.fashionMlp(0,
                ActiveExample.fashionModel("last"), org.deeplearning4j.nn.weights.WeightInit.XAVIER).get();
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork full = ActiveExample.fashionMlp(0,
                ActiveExample.fashionModel("full"), org.deeplearning4j.nn.weights.WeightInit.XAVIER).get();
        assertTrue(last.getLayerWiseConfigurations().getConf(0).getLayer()
                instanceof org.deeplearning4j.nn.conf.layers.DenseLayer);
        assertTrue(full.getLayerWiseConfigurations().getConf(0).getLayer()
                instanceof io.github.dl4jbayes.layers.BayesianDenseLayer);
        for (org.deeplearning4j.nn.multilayer.MultiLayerNetwork net : List.of(last, full)) {
            assertTrue(net.getLayerWiseConfigurations().getConf(1).getLayer()
                    instanceof io.github.dl4jbayes.layers.BayesianOutputLayer);
            assertEquals(10, net.output(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 784)).size(1));
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ActiveExample.fashionModel("deep"));
        assertTrue(e.getMessage().contains("--fashion-model"), e.getMessage());
    }

    /** The initial labelled set takes the classes in turn, distinct rows. */
    @Test
    void balancedStartTakesEveryClass() {
        double[][] labels = new double[20][1];
        for (int i = 0; i < 20; i++) {
            labels[i][0] = i < 15 ? 0 : 1;
        }
        int[] start = ActiveExample.balancedStart(Nd4j.createFromArray(labels), 6, new SplittableRandom(3));
        assertEquals(6, java.util.Arrays.stream(start).distinct().count());
        assertEquals(3, java.util.Arrays.stream(start).filter(i -> i >= 15).count());
    }
}
