package io.github.dl4jbayes.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 1-D regression example with its defaults runs, writes its picture, and its epistemic uncertainty grows away from
 * the data. (With 3,000 iterations instead of 6,000, about one run in eight ended in the poor optimum that explains
 * the data as noise: RMSE about 1, coverage about 50%. The same seed gives the same run in the same setting, but not
 * bit for bit across settings (alone or after other tests); the cause is not pinned down.)
 */
class Regression1dExampleTest {

    @Test
    void uncertaintyGrowsAwayFromTheData(@TempDir Path out) throws Exception {
        Regression1dExample.Result r = Regression1dExample.run(Options.parse(new String[]{
                "--out", out.toString()}));
        assertNotNull(ImageIO.read(r.picture().toFile()));
        System.out.printf("epistemic std inside %.3f, outside %.3f; coverage %.3f%n", r.epistemicInside(),
                r.epistemicOutside(), r.coverage90());
        assertTrue(r.epistemicOutside() > 2 * r.epistemicInside(),
                "epistemic std outside the data " + r.epistemicOutside() + " vs inside " + r.epistemicInside());
        assertTrue(r.coverage90() > 0.7, "90% intervals cover " + r.coverage90());
    }
}
