package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.examples.SunspotSeries.Series;
import io.github.dl4jbayes.metrics.RegressionMetrics;
import io.github.dl4jbayes.plot.Plots;
import io.github.dl4jbayes.predict.RegressionUncertainty;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import static io.github.dl4jbayes.examples.ForecastExample.FIRST_TEST_YEAR;

/** The {@code forecast} example's report: each method's test scores in sunspot units, and the forecast picture. */
final class ForecastReport {
    private ForecastReport() {
    }

    /** One method's test scores, in sunspot units. */
    record Scores(String method, double rmse1, double logLik1, double cover80, double cover95, double rmseH,
                  double logLikH, double cover80H, double cover95H) {
        String row(int horizon) {
            return String.format(Locale.ROOT, "| %s | %.2f | %.3f | %.1f %% | %.1f %% | %.2f | %.3f | %.1f %% | %.1f %% |",
                    method, rmse1, logLik1, 100 * cover80, 100 * cover95, rmseH, logLikH, 100 * cover80H,
                    100 * cover95H);
        }
    }

    static Scores scores(String method, RegressionUncertainty one, INDArray y1, RegressionUncertainty many,
                         INDArray yH, double scale) {
        RegressionMetrics m1 = RegressionMetrics.of(one, y1);
        RegressionMetrics mH = RegressionMetrics.of(many, yH);
        double logScale = Math.log(scale);
        return new Scores(method, m1.rmse() * scale, m1.meanLogLikelihood() - logScale, m1.coverage(0.8),
                m1.coverage(0.95), mH.rmse() * scale, mH.meanLogLikelihood() - logScale, mH.coverage(0.8),
                mH.coverage(0.95));
    }

    static Path picture(Path out, Series series, int[] targets, RegressionUncertainty bayes, INDArray plainMean,
                        double mean, double scale) throws IOException {
        int from = series.index(FIRST_TEST_YEAR - 40);
        double[] histX = new double[series.values().length - from];
        double[] histY = new double[histX.length];
        for (int i = 0; i < histX.length; i++) {
            histX[i] = series.years()[from + i];
            histY[i] = series.values()[from + i];
        }
        double[] x = new double[targets.length];
        double[] m = new double[targets.length];
        double[] plain = new double[targets.length];
        INDArray[] b80 = bayes.interval(0.8);
        INDArray[] b95 = bayes.interval(0.95);
        double[][] edges = new double[4][targets.length];
        INDArray bm = bayes.mean();
        for (int i = 0; i < targets.length; i++) {
            x[i] = series.years()[targets[i]];
            m[i] = mean + scale * bm.getDouble(i, 0);
            plain[i] = mean + scale * plainMean.getDouble(i, 0);
            edges[0][i] = mean + scale * b95[0].getDouble(i, 0);
            edges[1][i] = mean + scale * b95[1].getDouble(i, 0);
            edges[2][i] = mean + scale * b80[0].getDouble(i, 0);
            edges[3][i] = mean + scale * b80[1].getDouble(i, 0);
        }
        XYChart chart = new XYChartBuilder().width(1100).height(600)
                .title("Yearly sunspots: one-step-ahead forecasts of the test years " + FIRST_TEST_YEAR + "-"
                        + series.years()[series.values().length - 1])
                .xAxisTitle("year").yAxisTitle("sunspot number").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setPlotGridLinesVisible(false);
        chart.getStyler().setXAxisDecimalPattern("0");
        Plots.band(chart, "Bayesian LSTM 95 % interval", x, edges[0], edges[1], new Color(158, 202, 225));
        Plots.band(chart, "Bayesian LSTM 80 % interval", x, edges[2], edges[3], new Color(49, 130, 189));
        XYSeries observed = chart.addSeries("observed", histX, histY);
        observed.setMarker(SeriesMarkers.CIRCLE);
        observed.setLineColor(new Color(40, 40, 40));
        observed.setMarkerColor(new Color(40, 40, 40));
        XYSeries bm1 = chart.addSeries("Bayesian LSTM predictive mean", x, m);
        bm1.setMarker(SeriesMarkers.NONE);
        bm1.setLineColor(new Color(8, 48, 107));
        bm1.setLineWidth(2.5f);
        XYSeries pm = chart.addSeries("plain DL4J LSTM", x, plain);
        pm.setMarker(SeriesMarkers.NONE);
        pm.setLineColor(new Color(230, 85, 13));
        pm.setLineWidth(2f);
        chart.getStyler().setMarkerSize(4);
        return Plots.save(chart, out, "forecast");
    }
}
