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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The five methods end to end on small budgets: the moons with their pictures, and a regression table. */
class CompareExampleTest {

    @Test
    void comparesTheFiveMethodsOnTheMoons(@TempDir Path out) throws Exception {
        CompareExample.Result r = CompareExample.run(Options.parse(new String[]{"--out", out.toString(),
                "--epochs", "30", "--patience", "5", "--iterations", "1000", "--members", "2", "--samples", "20",
                "--grid", "12"}));
        assertEquals(CompareExample.METHODS, r.scores().stream().map(CompareExample.Score::method).toList());
        for (CompareExample.Score s : r.scores()) {
            // two moons at noise 0.2 are separated by every method far above the 50% of guessing
            assertTrue(s.values()[0] > 80, s.method() + ": accuracy " + s.values()[0] + "%");
            assertTrue(Double.isFinite(s.values()[1]) && s.values()[1] > 0 && s.values()[1] < Math.log(2),
                    s.method() + ": NLL " + s.values()[1]);
        }
        assertEquals(2, r.pictures().size());
        for (Path p : r.pictures()) {
            assertTrue(Files.size(p) > 10_000, p + " is a picture");
        }
        assertEquals(1 + CompareExample.METHODS.size(), Files.readAllLines(out.resolve("compare.csv")).size());
    }

    @Test
    void methodsRunsTheMethodsNamedAndLaplaceGetsThePlainNetworkAnyway(@TempDir Path out) throws Exception {
        String[] common = {"--epochs", "30", "--patience", "5", "--samples", "20", "--grid", "12"};
        CompareExample.Result both = CompareExample.run(Options.parse(concat(common, "--out", out.resolve("a")
                .toString(), "--methods", "plain,laplace")));
        CompareExample.Result laplace = CompareExample.run(Options.parse(concat(common, "--out", out.resolve("b")
                .toString(), "--methods", "laplace, dropout")));
        assertEquals(List.of("plain (MAP)", "last-layer Laplace"), both.scores().stream()
                .map(CompareExample.Score::method).toList());
        assertEquals(List.of("MC dropout", "last-layer Laplace"), laplace.scores().stream()
                .map(CompareExample.Score::method).toList(), "in the table's order, not the option's");
        // the plain network trained for Laplace alone is the one of the run with the plain row: the same scores
        org.junit.jupiter.api.Assertions.assertArrayEquals(both.scores().get(1).values(),
                laplace.scores().get(1).values(), 1e-12);
        assertEquals(3, Files.readAllLines(out.resolve("b").resolve("compare.csv")).size());
        assertEquals(2, laplace.pictures().size(), "the means and the sds, each with the two sampled methods");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> CompareExample.run(Options.parse(new String[]{"--out", out.toString(), "--methods",
                        "plain,swag"})));
        assertTrue(e.getMessage().contains("--methods") && e.getMessage().contains("swag"), e.getMessage());
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(new String[0]);
    }

    @Test
    void regressionTableInTheTargetsUnits(@TempDir Path dir) throws Exception {
        Random random = new Random(4);
        List<String> lines = new ArrayList<>(List.of("a,b,y"));
        for (int i = 0; i < 200; i++) {
            double a = random.nextGaussian();
            double b = random.nextGaussian();
            lines.add(String.format(Locale.ROOT, "%.5f,%.5f,%.5f", a, b, 100 + 20 * (a - 0.5 * b)
                    + 5 * random.nextGaussian()));
        }
        Path table = dir.resolve("t.csv");
        Files.write(table, lines);
        CompareExample.Result r = CompareExample.run(Options.parse(new String[]{"--table", table.toString(),
                "--task", "regression", "--out", dir.resolve("out").toString(), "--seeds", "2", "--epochs", "60",
                "--patience", "10", "--iterations", "1500", "--members", "2", "--samples", "20"}));
        assertEquals(2 * CompareExample.METHODS.size(), r.scores().size());
        for (CompareExample.Score s : r.scores()) {
            // noise sd 5 in the target's units; a fit far from the target's sd of about 25
            assertTrue(s.values()[0] > 3 && s.values()[0] < 12, s.method() + ": RMSE " + s.values()[0]);
            assertTrue(s.values()[2] > 50, s.method() + ": 90% coverage " + s.values()[2] + "%");
        }
    }

    @Test
    void imagesWithRotationAndHeldOutClasses(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        SyntheticIdx.writeFashion(data, 200, 100, 28, false, false, 7);
        CompareExample.Result r = CompareExample.run(Options.parse(new String[]{"--data", data.toString(),
                "--out", dir.resolve("out").toString(), "--holdout", "5,8", "--epochs", "1", "--batch", "32",
                "--members", "2", "--samples", "2", "--validation", "30", "--rotation-limit", "20"}));
        assertEquals(8, r.problem().columns().size(), r.problem().columns().toString());
        assertEquals(CompareExample.METHODS, r.scores().stream().map(CompareExample.Score::method).toList());
        for (CompareExample.Score s : r.scores()) {
            assertEquals(8, s.values().length);
            double auroc = s.values()[7];
            assertTrue(auroc >= 0 && auroc <= 1, s.method() + ": AUROC " + auroc);
            assertTrue(Double.isFinite(s.values()[5]), s.method() + ": rotated NLL " + s.values()[5]);
        }
    }

    @Test
    void badOptionsAreNamed(@TempDir Path dir) {
        for (String[] args : List.of(new String[]{"--seeds", "0"}, new String[]{"--drop", "1"},
                new String[]{"--task", "ranking", "--table", "x.csv"}, new String[]{"--table", "x.csv", "--data", "d"})) {
            List<String> all = new ArrayList<>(List.of(args));
            all.addAll(List.of("--out", dir.toString()));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> CompareExample.run(Options.parse(all.toArray(new String[0]))), String.join(" ", args));
        }
        for (String option : List.of("posterior-std", "prior")) {     // the Bayesian LeNet-5's, checked before the data
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> CompareExample.run(Options.parse(new String[]{"--data", dir.toString(), "--out",
                            dir.resolve("out").toString(), "--" + option, option.equals("prior") ? "laplace" : "0"})));
            assertTrue(e.getMessage().contains("--" + option), e.getMessage());
        }
    }
}
