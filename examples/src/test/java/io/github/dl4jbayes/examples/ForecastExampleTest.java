package io.github.dl4jbayes.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import javax.imageio.ImageIO;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The forecast example's data handling, and a short run end to end (the full run's figures are in the user guide). */
class ForecastExampleTest {

    @Test
    void theShippedSeries() throws Exception {
        SunspotSeries.Series s = SunspotSeries.sunspots();
        assertEquals(309, s.values().length);
        assertEquals(1700, s.years()[0]);
        assertEquals(2008, s.years()[308]);
        assertEquals(5.0, s.values()[0], 0.0);
        assertEquals(2.9, s.values()[308], 1e-12);
    }

    /** Training windows score every training year after the first window's burn-in once, and only training years. */
    @Test
    void windowsScoreEachYearOnce() {
        double[] z = new double[100];
        for (int i = 0; i < z.length; i++) {
            z[i] = i;
        }
        DataSet d = SunspotSeries.trainingWindows(z, 80, 20, 15);
        INDArray mask = d.getLabelsMaskArray();
        int[] scored = new int[100];
        for (int w = 0; w < d.numExamples(); w++) {
            for (int t = 0; t < 20; t++) {
                double x = d.getFeatures().getDouble(w, 0, t);
                assertEquals(x + 1, d.getLabels().getDouble(w, 0, t), 0.0, "labels are the next value");
                if (mask.getDouble(w, t) > 0) {
                    scored[(int) x + 1]++;
                }
            }
        }
        int last = 0;
        for (int i = 0; i < 100; i++) {
            assertTrue(scored[i] <= 1, "year " + i + " scored " + scored[i] + " times");
            if (scored[i] == 1) {
                last = i;
            }
        }
        assertEquals(79, last, "the last training year is scored; no later one");
    }

    @Test
    void seasonalNaiveLooksWholeCyclesBack() {
        double[] z = new double[60];
        for (int i = 0; i < z.length; i++) {
            z[i] = i;
        }
        INDArray f = SunspotSeries.naiveForecast(z, new int[]{40}, 12);
        for (int h = 1; h <= 11; h++) {
            assertEquals(40 + h - 1 - 11, f.getDouble(h - 1, 0), 0.0, "step " + h);
        }
        assertEquals(40 + 11 - 22, f.getDouble(11, 0), 0.0, "step 12 goes two cycles back");
    }

    @Test
    void aShortRunGivesFiniteScoresAndAPicture(@TempDir Path out) throws Exception {
        ForecastExample.Result r = ForecastExample.run(Options.parse(new String[]{"--out", out.toString(),
                "--iterations", "60", "--plain-epochs", "20", "--hidden", "8", "--samples", "8", "--horizon", "3"}));
        assertNotNull(ImageIO.read(r.picture().toFile()));
        for (ForecastReport.Scores s : new ForecastReport.Scores[]{r.bayesian(), r.plain(), r.naive()}) {
            for (double v : new double[]{s.rmse1(), s.logLik1(), s.rmseH(), s.logLikH()}) {
                assertTrue(Double.isFinite(v), s.toString());
            }
            for (double c : new double[]{s.cover80(), s.cover95(), s.cover80H(), s.cover95H()}) {
                assertTrue(c >= 0 && c <= 1, s.toString());
            }
            assertTrue(s.cover95() >= s.cover80() && s.cover95H() >= s.cover80H(), s.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> ForecastExample.run(Options.parse(new String[]{
                "--out", out.toString(), "--window", "10", "--burn-in", "10"})));
    }
}
