package io.github.dl4jbayes.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tabular example on a CSV file this test writes: y = 3 x1 - 2 x2 + 0 x3 + N(0, 0.5^2), 400 rows. */
class TabularRegressionExampleTest {

    private static Path table(Path dir) throws Exception {
        Random random = new Random(1);
        List<String> lines = new ArrayList<>();
        lines.add("x1,x2,x3,y");
        for (int i = 0; i < 400; i++) {
            double x1 = random.nextGaussian();
            double x2 = random.nextGaussian();
            double x3 = random.nextGaussian();
            double y = 3 * x1 - 2 * x2 + 0.5 * random.nextGaussian();
            lines.add(String.format(Locale.ROOT, "%.6f,%.6f,%.6f,%.6f", x1, x2, x3, y));
        }
        Path file = dir.resolve("table.csv");
        Files.write(file, lines);
        return file;
    }

    @Test
    void learnsTheTableInBothNoiseModels(@TempDir Path dir) throws Exception {
        Path file = table(dir);
        for (String noise : List.of("heteroscedastic", "homoscedastic")) {
            TabularRegressionExample.Result r = TabularRegressionExample.run(Options.parse(new String[]{
                    "--data", file.toString(), "--iterations", "1500", "--noise", noise}));
            assertEquals(240, r.trainRows(), "60% of 400");
            assertEquals(80, r.testRows());
            // the target's std is about sqrt(9 + 4 + 0.25) = 3.6; the noise floor is 0.5
            assertTrue(r.rmse() < 1.0, noise + ": RMSE " + r.rmse());
            assertTrue(r.coverage90() > 0.75, noise + ": coverage " + r.coverage90());
        }
    }

    @Test
    void badInput(@TempDir Path dir) throws Exception {
        Path file = table(dir);
        assertThrows(IllegalArgumentException.class, () -> TabularRegressionExample.run(Options.parse(new String[]{})));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TabularRegressionExample.run(Options.parse(
                new String[]{"--data", file.toString(), "--target", "nope"}))).getMessage().contains("nope"));
        Path text = dir.resolve("text.csv");
        Files.write(text, List.of("a,b", "1,2", "3,x", "5,6"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TabularRegressionExample.run(
                Options.parse(new String[]{"--data", text.toString()})));
        assertTrue(e.getMessage().contains("numeric"), e.getMessage());
    }
}
