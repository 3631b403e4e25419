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

/**
 * The classification example on CSV files this test writes: three Gaussian classes in 3-D with unit spread, centres
 * 3 apart (a Bayes accuracy near 93%), with and without a header line.
 */
class TabularClassificationExampleTest {

    private static Path table(Path dir, boolean header) throws Exception {
        Random random = new Random(2);
        double[][] centres = {{0, 0, 0}, {3, 0, 0}, {0, 3, 0}};
        List<String> lines = new ArrayList<>();
        if (header) {
            lines.add("a,b,c,class");
        }
        for (int i = 0; i < 500; i++) {
            int k = i % 3;
            lines.add(String.format(Locale.ROOT, "%.5f,%.5f,%.5f,%d", centres[k][0] + random.nextGaussian(),
                    centres[k][1] + random.nextGaussian(), 100 * (centres[k][2] + random.nextGaussian()), k));
        }
        Path file = dir.resolve(header ? "with-header.csv" : "no-header.csv");
        Files.write(file, lines);
        return file;
    }

    @Test
    void classifiesATable(@TempDir Path dir) throws Exception {
        for (boolean header : new boolean[]{true, false}) {
            TabularClassificationExample.Result r = TabularClassificationExample.run(Options.parse(new String[]{
                    "--data", table(dir, header).toString(), "--iterations", "3000", "--samples", "50"}));
            assertEquals(3, r.classes());
            assertEquals(300, r.trainRows());
            assertEquals(100, r.testRows());
            // Bayes accuracy about 93%: a learned classifier is far above the 33% of guessing
            assertTrue(r.accuracy() > 0.8, "accuracy " + r.accuracy());
            assertTrue(r.nll() < Math.log(3), "NLL " + r.nll());
        }
    }

    @Test
    void badInput(@TempDir Path dir) throws Exception {
        assertThrows(IllegalArgumentException.class, () -> TabularClassificationExample.run(Options.parse(new String[]{})));
        Path file = table(dir, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TabularClassificationExample.run(
                Options.parse(new String[]{"--data", file.toString(), "--label", "7"})));
        assertTrue(e.getMessage().contains("--label"), e.getMessage());
    }
}
