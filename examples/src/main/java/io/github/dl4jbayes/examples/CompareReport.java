package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.examples.CompareExample.Fitted;
import io.github.dl4jbayes.examples.CompareExample.Score;
import io.github.dl4jbayes.examples.CompareProblems.Problem;
import io.github.dl4jbayes.metrics.Auroc;
import io.github.dl4jbayes.metrics.ClassificationMetrics;
import io.github.dl4jbayes.metrics.RegressionMetrics;
import io.github.dl4jbayes.plot.Plots;
import io.github.dl4jbayes.predict.PredictiveModel;
import io.github.dl4jbayes.predict.PredictiveSamples;
import io.github.dl4jbayes.predict.RegressionUncertainty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code compare} example's output: a line per method and seed, the Markdown summary (mean +- sd over the
 * seeds), the CSV of every score and the moons' pictures.
 */
final class CompareReport {
    private CompareReport() {
    }

    /** Scores {@code f} on the problem's test set (with images: also rotated, and the held-out classes' AUROC). */
    static Score score(Problem p, String method, Fitted f, long seed) {
        long start = System.nanoTime();
        PredictiveSamples predictive = ImagePredictions.predictInChunks(f.model(), p.test().getFeatures());
        double predictSeconds = CompareExample.seconds(start);
        if (p.regression()) {
            RegressionUncertainty u = f.bayesian() != null ? RegressionUncertainty.of(f.bayesian(), predictive)
                    : RegressionUncertainty.ofMeans(predictive, f.noiseStd());
            RegressionMetrics m = RegressionMetrics.of(u, p.test().getLabels());
            // back to the target's units: RMSE times the target's std, the log-density minus log(std)
            return new Score(method, seed, new double[]{m.rmse() * p.labelScale(),
                    m.meanLogLikelihood() - Math.log(p.labelScale()), 100 * m.coverage(0.9)}, f.trainSeconds(),
                    predictSeconds);
        }
        ClassificationMetrics m = ClassificationMetrics.of(predictive.mean(), p.test().getLabels());
        List<Double> values = new ArrayList<>(List.of(100 * m.accuracy(), m.negativeLogLikelihood(),
                m.expectedCalibrationError(10), m.brierScore()));
        CompareProblems.Images images = p.images();
        if (images != null) {
            long rows = Math.min(images.rotationLimit(), p.test().numExamples());
            INDArray y = p.test().getLabels().get(NDArrayIndex.interval(0, rows), NDArrayIndex.all());
            INDArray rotated = ImageRotation.rotate(p.test().getFeatures().get(NDArrayIndex.interval(0, rows),
                    NDArrayIndex.all()), images.height(), images.width(), images.rotation());
            ClassificationMetrics r = ClassificationMetrics.of(ImagePredictions.predictInChunks(f.model(), rotated).mean(), y);
            values.addAll(List.of(100 * r.accuracy(), r.negativeLogLikelihood(), r.expectedCalibrationError(10)));
            if (images.outOfDistribution() != null) {
                values.add(Auroc.of(ImagePredictions.oneMinusMax(predictive.mean()),
                        ImagePredictions.oneMinusMax(ImagePredictions.predictInChunks(f.model(), images.outOfDistribution()).mean())));
            }
        }
        return new Score(method, seed, values.stream().mapToDouble(Double::doubleValue).toArray(), f.trainSeconds(),
                predictSeconds);
    }

    static String format(Problem p, Score s) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-20s", s.method()));
        List<String> columns = p.columns();
        for (int i = 0; i < columns.size(); i++) {
            b.append(String.format(Locale.ROOT, "  %s %s", columns.get(i), decimals(columns.get(i), s.values()[i])));
        }
        return b.append(String.format(Locale.ROOT, "  train %.1f s  predict %.3f s", s.trainSeconds(),
                s.predictSeconds())).toString();
    }

    /** Percentages and RMSE with 2 decimals, log-likelihoods with 3, the rest with 4. */
    static String decimals(String column, double value) {
        String format = column.contains("%") || column.equals("RMSE") ? "%.2f"
                : column.startsWith("log-likelihood") ? "%.3f" : "%.4f";
        return String.format(Locale.ROOT, format, value);
    }

    /** @return a Markdown table: per method, mean +- sd over the seeds of every score */
    static String summary(Problem p, List<Score> scores) {
        List<String> columns = p.columns();
        StringBuilder b = new StringBuilder("| method | " + String.join(" | ", columns) + " | train s | predict s |\n|"
                + "---|".repeat(columns.size() + 3) + "\n");
        for (String method : CompareExample.METHODS) {
            List<Score> mine = scores.stream().filter(s -> s.method().equals(method)).toList();
            if (mine.isEmpty()) {
                continue;                                      // not among --methods
            }
            b.append("| ").append(method);
            for (int i = 0; i < columns.size(); i++) {
                int column = i;
                b.append(" | ").append(meanSd(mine, s -> s.values()[column], columns.get(i)));
            }
            b.append(" | ").append(meanSd(mine, Score::trainSeconds, "%.1f"))
                    .append(" | ").append(meanSd(mine, Score::predictSeconds, "%.3f")).append(" |\n");
        }
        return b.toString();
    }

    /** @return "mean +- sd" over the seeds (the mean alone for one seed), with the column's decimals */
    static String meanSd(List<Score> scores, java.util.function.ToDoubleFunction<Score> value, String column) {
        double[] v = scores.stream().mapToDouble(value).toArray();
        double mean = Stats.mean(v);
        String text = column.startsWith("%") ? String.format(Locale.ROOT, column, mean) : decimals(column, mean);
        if (v.length > 1) {
            double sd = Stats.sd(v);
            text += " +- " + (column.startsWith("%") ? String.format(Locale.ROOT, column, sd) : decimals(column, sd));
        }
        return text;
    }

    static void writeCsv(Problem p, List<Score> scores, Path file) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("method,seed," + String.join(",", p.columns().stream().map(c -> '"' + c + '"').toList())
                    + ",train_s,predict_s");
            for (Score s : scores) {
                w.printf(Locale.ROOT, "%s,%d,%s,%.4f,%.4f%n", s.method(), s.seed(), String.join(",",
                                Arrays.stream(s.values()).mapToObj(v -> String.format(Locale.ROOT, "%.6g", v)).toList()),
                        s.trainSeconds(), s.predictSeconds());
            }
        }
    }

    /** The moons' predictive mean and its spread over the draws, every fitted method but the plain one side by side. */
    static List<Path> surfaces(Problem p, Map<String, Fitted> fitted, int side, Path out) {
        double[][] grid = new double[side * side][2];
        for (int i = 0; i < side; i++) {
            for (int j = 0; j < side; j++) {
                grid[i * side + j][0] = -3 + 6.0 * j / (side - 1);
                grid[i * side + j][1] = -3 + 6.0 * i / (side - 1);
            }
        }
        INDArray x = Nd4j.create(grid).castTo(DataType.FLOAT);
        double[][] points = p.test().getFeatures().castTo(DataType.DOUBLE).toDoubleMatrix();
        List<org.knowm.xchart.XYChart> means = new ArrayList<>();
        List<org.knowm.xchart.XYChart> spreads = new ArrayList<>();
        for (Map.Entry<String, Fitted> e : fitted.entrySet()) {
            String method = e.getKey();
            if (method.equals(CompareExample.METHODS.get(0))) {
                continue;                                      // a point estimate: no spread to draw
            }
            PredictiveModel model = e.getValue().model();
            PredictiveSamples s = model.predict(x);
            double[] classes = model.predict(p.test().getFeatures()).mean().gt(0.5).castTo(DataType.DOUBLE)
                    .reshape(points.length).toDoubleVector();          // the test points coloured by this method
            double[] mean = s.mean().castTo(DataType.DOUBLE).reshape(grid.length).toDoubleVector();
            double[] sd = s.std().castTo(DataType.DOUBLE).reshape(grid.length).toDoubleVector();
            means.add(Plots.surface(method + ": P(y = 1)", "p", grid, mean, side, 0, 1, 10, points, classes));
            spreads.add(Plots.surface(method + ": sd of P(y = 1)", "sd", grid, sd, side, 0, 0.5, 10, points,
                    classes));
        }
        return List.of(Plots.saveSideBySide(means, out, "compare_mean"),
                Plots.saveSideBySide(spreads, out, "compare_uncertainty"));
    }
}
