package io.github.dl4jbayes.plot;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The image grid and the overlaid histograms: layout, pixels, PNG output, argument checks. */
class PlotsTest {

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void imageGridDrawsEveryImageScaledAndWritesPng(@TempDir Path dir) throws Exception {
        // three 4x4 images: black, white, and a left-half-white one
        double[] black = new double[16];
        double[] white = new double[16];
        Arrays.fill(white, 1.0);
        double[] half = new double[16];
        for (int y = 0; y < 4; y++) {
            half[y * 4] = 1;
            half[y * 4 + 1] = 1;
        }
        BufferedImage grid = Plots.imageGrid("title", new double[][]{black, white, half}, 4, 4,
                List.of("black", "white\nline two", "half"), 2, List.of("row one", "row two"));
        assertTrue(grid.getWidth() >= 2 * 84, "width " + grid.getWidth());
        assertTrue(grid.getHeight() >= 2 * 84, "height " + grid.getHeight());

        // images are scaled by 21 (84 / 4) and centred in their cells; find them by their colour
        int whitePixels = 0;
        int blackPixels = 0;
        for (int y = 0; y < grid.getHeight(); y++) {
            for (int x = 0; x < grid.getWidth(); x++) {
                int rgb = grid.getRGB(x, y) & 0xffffff;
                if (rgb == 0) {
                    blackPixels++;
                } else if (rgb == 0xffffff) {
                    whitePixels++;
                }
            }
        }
        // the black image and the half image's dark half: at least 84 * 84 + 84 * 42 black pixels (plus text)
        assertTrue(blackPixels >= 84 * 84 + 84 * 42, "black pixels " + blackPixels);

        Path file = Plots.save(grid, dir, "grid");
        assertTrue(Files.size(file) > 0);
        BufferedImage read = ImageIO.read(file.toFile());
        assertEquals(grid.getWidth(), read.getWidth());
        assertEquals(grid.getHeight(), read.getHeight());
        assertTrue(whitePixels > 0);
    }

    @Test
    void imageGridWithoutCaptionsOrTitles() {
        BufferedImage grid = Plots.imageGrid(null, new double[][]{{0.5, 2.0, -1.0, 0.0}}, 2, 2, null, 5, null);
        // one 2x2 image scaled by 42, values clipped: 0.5 -> 128, 2 -> 255, -1 -> 0
        int left = 10 + (grid.getWidth() - 20 - 12 - 84) / 2;
        assertEquals(128, grid.getRGB(left + 10, 10 + 10) & 0xff);
        assertEquals(255, grid.getRGB(left + 42 + 10, 10 + 10) & 0xff);
        assertEquals(0, grid.getRGB(left + 10, 10 + 42 + 10) & 0xff);
    }

    @Test
    void imageGridRejectsBadArguments() {
        double[][] one = {new double[4]};
        assertMessage("images must not be empty", () -> Plots.imageGrid("t", new double[0][], 2, 2, null, 1, null));
        assertMessage("images[0] must hold height * width = 9 pixels, got 4",
                () -> Plots.imageGrid("t", one, 3, 3, null, 1, null));
        assertMessage("images[0] holds NaN",
                () -> Plots.imageGrid("t", new double[][]{{0, Double.NaN, 0, 0}}, 2, 2, null, 1, null));
        assertMessage("captions must hold one caption per image (1), got 2",
                () -> Plots.imageGrid("t", one, 2, 2, List.of("a", "b"), 1, null));
        assertMessage("rowTitles holds 2 titles for 1 rows",
                () -> Plots.imageGrid("t", one, 2, 2, null, 1, List.of("a", "b")));
        assertMessage("columns must be > 0", () -> Plots.imageGrid("t", one, 2, 2, null, 0, null));
        assertMessage("height and width must be > 0", () -> Plots.imageGrid("t", one, 0, 2, null, 1, null));
    }

    @Test
    void overlaidHistogramsOfFractions(@TempDir Path dir) {
        CategoryChart chart = Plots.histograms("MI", "mutual information (nats)", "fraction of images",
                List.of("in", "out"), List.of(new double[]{0, 0, 0, 1}, new double[]{1, 1}), 2, true);
        // bins [0, 0.5) and [0.5, 1]: in = 3/4, 1/4; out = 0, 1
        List<Double> in = chart.getSeriesMap().get("in").getYData().stream().map(Number::doubleValue).toList();
        List<Double> out = chart.getSeriesMap().get("out").getYData().stream().map(Number::doubleValue).toList();
        assertEquals(List.of(0.75, 0.25), in);
        assertEquals(List.of(0.0, 1.0), out);
        assertTrue(Files.exists(Plots.save(chart, dir, "hist")));
        // one value everywhere still draws
        Plots.histograms("c", "x", "y", List.of("a"), List.of(new double[]{0.3, 0.3}), 4, false);
        assertMessage("values[1] (out) must not be empty", () -> Plots.histograms("t", "x", "y", List.of("in", "out"),
                List.of(new double[]{1}, new double[0]), 2, true));
    }

    private static void assertMessage(String expected, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' should contain '" + expected + "'");
    }
}
