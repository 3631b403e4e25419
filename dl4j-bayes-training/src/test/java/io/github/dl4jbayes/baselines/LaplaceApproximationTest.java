package io.github.dl4jbayes.baselines;

import io.github.dl4jbayes.predict.PredictiveSamples;
import io.github.dl4jbayes.training.TestData;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.adapter.SingletonDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.inverse.InvertMatrix;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LaplaceApproximationTest {
    private static final int N = 40;
    private static final int D = 3;
    private static final int K = 2;
    private static final double SIGMA = 0.5;
    private static final double DELTA = 2.0;

    /** A linear-Gaussian model: one identity output layer on the inputs, weights set to the exact posterior mean. */
    private static final class Conjugate {
        final INDArray x = TestData.randn(1, DataType.DOUBLE, N, D);
        final INDArray xt = Nd4j.hstack(x, Nd4j.ones(DataType.DOUBLE, N, 1));
        final INDArray y;
        final INDArray precision;
        final INDArray covariance;
        final MultiLayerNetwork net;

        Conjugate(DataType type) {
            INDArray truth = Nd4j.createFromArray(new double[][]{{1.0, -0.5}, {0.3, 2.0}, {-1.2, 0.1}, {0.4, -0.7}});
            y = xt.mmul(truth).addi(TestData.randn(2, DataType.DOUBLE, N, K).muli(SIGMA));
            precision = xt.transpose().mmul(xt).divi(SIGMA * SIGMA).addi(Nd4j.eye(D + 1).muli(DELTA));
            covariance = InvertMatrix.invert(precision, false);
            INDArray mean = covariance.mmul(xt.transpose().mmul(y)).divi(SIGMA * SIGMA);
            net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).dataType(type).list()
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(D).nOut(K)
                            .activation(Activation.IDENTITY).build()).build());
            net.init();
            net.setParam("0_W", mean.get(NDArrayIndex.interval(0, D), NDArrayIndex.all()).castTo(type));
            net.setParam("0_b", mean.get(NDArrayIndex.point(D), NDArrayIndex.all()).reshape(1, K).castTo(type));
        }

        DataSet data() {
            return new DataSet(x, y);
        }

        /**
         * @return log N(y_k | 0, sigma^2 I + X X^T / delta) summed over the outputs, the exact evidence, by the
         *         determinant lemma and Woodbury's identity: log|S| = N log sigma^2 + log|P| - (D + 1) log delta and
         *         y^T S^-1 y = (y^T y - y^T X P^-1 X^T y / sigma^2) / sigma^2
         */
        double exactEvidence() {
            double logDet = N * Math.log(SIGMA * SIGMA) + Math.log(det(precision.dup())) - (D + 1) * Math.log(DELTA);
            double total = 0;
            for (int k = 0; k < K; k++) {
                INDArray yk = y.getColumn(k).reshape(N, 1);
                INDArray xty = xt.transpose().mmul(yk);
                double quadratic = (yk.transpose().mmul(yk).getDouble(0)
                        - xty.transpose().mmul(covariance).mmul(xty).getDouble(0) / (SIGMA * SIGMA)) / (SIGMA * SIGMA);
                total += -0.5 * (quadratic + logDet + N * Math.log(2 * Math.PI));
            }
            return total;
        }
    }

    /** Determinant by Gaussian elimination with partial pivoting (double). */
    private static double det(INDArray a) {
        int n = (int) a.rows();
        double[][] m = a.toDoubleMatrix();
        double logAbs = 0;
        double sign = 1;
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[p][c])) {
                    p = r;
                }
            }
            if (p != c) {
                double[] t = m[p];
                m[p] = m[c];
                m[c] = t;
                sign = -sign;
            }
            for (int r = c + 1; r < n; r++) {
                double f = m[r][c] / m[c][c];
                for (int j = c; j < n; j++) {
                    m[r][j] -= f * m[c][j];
                }
            }
            logAbs += Math.log(Math.abs(m[c][c]));
            sign *= Math.signum(m[c][c]);
        }
        return sign * Math.exp(logAbs);
    }

    private static double maxAbs(INDArray a) {
        return a.amaxNumber().doubleValue();
    }

    /** @return kron(I_K, block) */
    private static INDArray blockDiagonal(INDArray block, int copies) {
        int r = (int) block.rows();
        INDArray out = Nd4j.zeros(DataType.DOUBLE, (long) r * copies, (long) r * copies);
        for (int k = 0; k < copies; k++) {
            out.get(NDArrayIndex.interval(k * r, (k + 1) * r), NDArrayIndex.interval(k * r, (k + 1) * r)).assign(block);
        }
        return out;
    }

    @Test
    void linearGaussianLastLayerIsTheExactConjugatePosterior() {
        Conjugate c = new Conjugate(DataType.DOUBLE);
        INDArray exact = blockDiagonal(c.covariance, K);
        for (LaplaceApproximation.Structure structure : List.of(LaplaceApproximation.Structure.FULL,
                LaplaceApproximation.Structure.KRONECKER)) {
            LaplaceApproximation laplace = LaplaceApproximation.lastLayer(c.net).structure(structure)
                    .noiseStd(SIGMA).priorPrecision(DELTA).fit(c.data());
            assertEquals(structure, laplace.structure());
            INDArray cov = laplace.posteriorCovariance();
            assertTrue(maxAbs(cov.sub(exact)) <= 1e-8 * maxAbs(exact),
                    structure + ": covariance off by " + maxAbs(cov.sub(exact)) + " of " + maxAbs(exact));
            INDArray exactVariance = c.xt.mmul(c.covariance).muli(c.xt).sum(1);
            INDArray variance = laplace.functionVariance(c.x);
            for (int k = 0; k < K; k++) {
                assertTrue(maxAbs(variance.getColumn(k).sub(exactVariance)) <= 1e-8 * maxAbs(exactVariance));
            }
            double evidence = c.exactEvidence();
            assertEquals(evidence, laplace.logMarginalLikelihood(DELTA), 1e-8 * Math.abs(evidence),
                    structure + ": the Laplace evidence of a linear-Gaussian model is exact");
        }
    }

    /**
     * For a softmax or sigmoid output the Gauss-Newton matrix of the last layer is the exact Hessian of the summed
     * negative log-likelihood in its weights (the pre-activations are linear in them): checked against central
     * differences of the analytic gradient {@code Phi^T (P - Y)}, whose error is O(h^2).
     */
    @Test
    void curvatureIsTheHessianOfTheNegativeLogLikelihood() {
        for (int classes : new int[]{3, 2}) {
            DataSet data = BaselineNets.blobs(21, 30, classes);
            int outputs = classes == 2 ? 1 : classes;
            MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(22)
                    .dataType(DataType.DOUBLE).list()
                    .layer(new OutputLayer.Builder(outputs == 1 ? LossFunctions.LossFunction.XENT
                            : LossFunctions.LossFunction.MCXENT).nIn(2).nOut(outputs)
                            .activation(outputs == 1 ? Activation.SIGMOID : Activation.SOFTMAX).build()).build());
            net.init();
            double delta = 0.7;
            LaplaceApproximation laplace = LaplaceApproximation.lastLayer(net)
                    .structure(LaplaceApproximation.Structure.FULL).priorPrecision(delta).fit(data);
            INDArray g = InvertMatrix.invert(laplace.posteriorCovariance(), false).subi(Nd4j.eye(3L * outputs)
                    .muli(delta));
            INDArray phi = Nd4j.hstack(data.getFeatures(), Nd4j.ones(DataType.DOUBLE, 30, 1));
            INDArray theta = laplace.posteriorMean();                  // [3, outputs]
            int d = 3 * outputs;
            double h = 1e-5;
            INDArray hessian = Nd4j.create(DataType.DOUBLE, d, d);
            for (int j = 0; j < d; j++) {
                int k = j / 3;
                int i = j % 3;
                INDArray plus = theta.dup();
                plus.putScalar(i, k, theta.getDouble(i, k) + h);
                INDArray minus = theta.dup();
                minus.putScalar(i, k, theta.getDouble(i, k) - h);
                hessian.putColumn(j, gradient(phi, plus, data.getLabels(), outputs)
                        .subi(gradient(phi, minus, data.getLabels(), outputs)).divi(2 * h));
            }
            assertTrue(maxAbs(g.sub(hessian)) <= 1e-6 * maxAbs(hessian),
                    outputs + " outputs: GGN off the Hessian by " + maxAbs(g.sub(hessian)) + " of " + maxAbs(hessian));
        }
    }

    /** @return the gradient of the summed NLL in the weights, output-major ({@code k * rows + i}) */
    private static INDArray gradient(INDArray phi, INDArray theta, INDArray y, int outputs) {
        INDArray logits = phi.mmul(theta);
        INDArray p = outputs == 1 ? org.nd4j.linalg.ops.transforms.Transforms.sigmoid(logits, true)
                : org.nd4j.linalg.ops.transforms.Transforms.softmax(logits, true);
        return phi.transpose().mmul(p.sub(y)).transpose().dup('c').reshape((long) theta.length());
    }

    /**
     * 328 last-layer weights (above the size where ND4J's own eigenvectors go wrong): the covariance times the known
     * precision {@code I_8 (x) (X^T X / sigma^2 + delta I)} of a linear-Gaussian layer is the identity.
     */
    @Test
    void largeLayersInvertTheirPrecision() {
        int n = 200;
        int inputs = 40;
        int outputs = 8;
        INDArray x = TestData.randn(31, DataType.DOUBLE, n, inputs);
        INDArray y = TestData.randn(32, DataType.DOUBLE, n, outputs);
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(33)
                .dataType(DataType.DOUBLE).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(inputs).nOut(outputs)
                        .activation(Activation.IDENTITY).build()).build());
        net.init();
        INDArray xt = Nd4j.hstack(x, Nd4j.ones(DataType.DOUBLE, n, 1));
        INDArray precision = blockDiagonal(xt.transpose().mmul(xt).divi(SIGMA * SIGMA)
                .addi(Nd4j.eye(inputs + 1).muli(DELTA)), outputs);
        for (LaplaceApproximation.Structure structure : List.of(LaplaceApproximation.Structure.FULL,
                LaplaceApproximation.Structure.KRONECKER)) {
            LaplaceApproximation laplace = LaplaceApproximation.lastLayer(net).structure(structure).noiseStd(SIGMA)
                    .priorPrecision(DELTA).fit(new DataSet(x, y));
            assertEquals(structure, laplace.structure());
            INDArray identity = laplace.posteriorCovariance().mmul(precision);
            double error = maxAbs(identity.sub(Nd4j.eye(328)));
            assertTrue(error < 1e-9, structure + ": |Sigma P - I| = " + error);
        }
    }

    @Test
    void kroneckerEqualsFullWithOneExample() {
        DataSet data = BaselineNets.blobs(4, 60, 3);
        MultiLayerNetwork net = BaselineNets.trained(BaselineNets.classifier(5, 3, 1.0), data, 50);
        DataSet one = new DataSet(data.getFeatures().getRows(7), data.getLabels().getRows(7));
        LaplaceApproximation full = LaplaceApproximation.lastLayer(net)
                .structure(LaplaceApproximation.Structure.FULL).priorPrecision(0.5).fit(one);
        LaplaceApproximation kron = LaplaceApproximation.lastLayer(net)
                .structure(LaplaceApproximation.Structure.KRONECKER).priorPrecision(0.5).fit(one);
        INDArray a = full.posteriorCovariance();
        INDArray b = kron.posteriorCovariance();
        assertTrue(maxAbs(a.sub(b)) <= 1e-9 * maxAbs(a), "difference " + maxAbs(a.sub(b)));
        assertEquals(full.logMarginalLikelihood(0.5), kron.logMarginalLikelihood(0.5), 1e-8);
        // with many examples the factors are an approximation: the covariances differ
        LaplaceApproximation fullMany = LaplaceApproximation.lastLayer(net)
                .structure(LaplaceApproximation.Structure.FULL).priorPrecision(0.5).fit(data);
        LaplaceApproximation kronMany = LaplaceApproximation.lastLayer(net)
                .structure(LaplaceApproximation.Structure.KRONECKER).priorPrecision(0.5).fit(data);
        assertTrue(maxAbs(fullMany.posteriorCovariance().sub(kronMany.posteriorCovariance())) > 1e-6);
    }

    @Test
    void marginalLikelihoodOptimumMatchesAGridSearch() {
        DataSet data = BaselineNets.blobs(6, 80, 3);
        MultiLayerNetwork net = BaselineNets.trained(BaselineNets.classifier(7, 3, 1.0), data, 100);
        for (LaplaceApproximation.Structure structure : List.of(LaplaceApproximation.Structure.FULL,
                LaplaceApproximation.Structure.KRONECKER)) {
            LaplaceApproximation laplace = LaplaceApproximation.lastLayer(net).structure(structure).fit(data);
            double bestLog = Double.NaN;
            double best = Double.NEGATIVE_INFINITY;
            for (int i = 0; i <= 12000; i++) {
                double logDelta = -6 + i * 1e-3;
                double value = laplace.logMarginalLikelihood(Math.pow(10, logDelta));
                if (value > best) {
                    best = value;
                    bestLog = logDelta;
                }
            }
            assertTrue(bestLog > -5.9 && bestLog < 5.9, "an interior optimum: " + bestLog);
            assertEquals(bestLog, Math.log10(laplace.priorPrecision()), 1e-3, structure.name());
            assertTrue(laplace.logMarginalLikelihood(laplace.priorPrecision()) >= best - 1e-9);
        }
    }

    @Test
    void probitMatchesMonteCarloWithinItsError() {
        DataSet data = BaselineNets.blobs(8, 60, 2);
        MultiLayerNetwork net = BaselineNets.trained(BaselineNets.classifier(9, 1, 1.0), data, 100);
        // a weak prior so that the posterior is wide and the approximation is tested where it matters
        LaplaceApproximation laplace = LaplaceApproximation.lastLayer(net).priorPrecision(0.05).fit(data);
        assertEquals(LaplaceApproximation.Likelihood.BERNOULLI, laplace.likelihood());
        INDArray grid = TestData.randn(10, DataType.DOUBLE, 30, 2).muli(3.0);
        INDArray probit = laplace.probit(grid);
        int draws = 20_000;
        PredictiveSamples mc = laplace.samples(draws).keepSamples(false).seed(1).predict(grid);
        INDArray variance = laplace.functionVariance(grid);
        double maxSpread = 0;
        for (int i = 0; i < 30; i++) {
            double se = mc.std().getDouble(i, 0) / Math.sqrt(draws);
            // 0.0151: the largest error of sigmoid(m / sqrt(1 + pi v / 8)) against the logistic-normal integral over
            // all m and v (computed by quadrature); 4 standard errors for the Monte-Carlo estimate
            assertEquals(mc.mean().getDouble(i, 0), probit.getDouble(i, 0), 0.0151 + 4 * se, "row " + i);
            maxSpread = Math.max(maxSpread, variance.getDouble(i, 0));
        }
        assertTrue(maxSpread > 1.0, "the posterior of the logits is wide somewhere on the grid: " + maxSpread);
    }

    @Test
    void sampledOutputsHaveThePosteriorVariance() {
        Conjugate c = new Conjugate(DataType.DOUBLE);
        for (LaplaceApproximation.Structure structure : List.of(LaplaceApproximation.Structure.FULL,
                LaplaceApproximation.Structure.KRONECKER)) {
            LaplaceApproximation laplace = LaplaceApproximation.lastLayer(c.net).structure(structure)
                    .noiseStd(SIGMA).priorPrecision(DELTA).fit(c.data());
            int draws = 4000;
            PredictiveSamples p = laplace.samples(draws).seed(2).predict(c.x);
            INDArray expected = laplace.functionVariance(c.x);
            INDArray mean = c.net.output(c.x);
            for (int i = 0; i < N; i++) {
                for (int k = 0; k < K; k++) {
                    double sd = Math.sqrt(expected.getDouble(i, k));
                    // the sample std's relative standard error is 1/sqrt(2 S) = 1.1%; 5 of them
                    assertEquals(sd, p.std().getDouble(i, k), 5 * sd / Math.sqrt(2.0 * draws));
                    assertEquals(mean.getDouble(i, k), p.mean().getDouble(i, k), 5 * sd / Math.sqrt(draws));
                }
            }
        }
    }

    @Test
    void savesAndLoadsBesideTheNetwork(@TempDir Path dir) throws Exception {
        DataSet data = BaselineNets.blobs(11, 60, 3);
        MultiLayerNetwork net = BaselineNets.trained(BaselineNets.classifier(12, 3, 1.0), data, 50);
        INDArray x = data.getFeatures().getRows(0, 1, 2, 3, 4);
        for (LaplaceApproximation.Structure structure : List.of(LaplaceApproximation.Structure.FULL,
                LaplaceApproximation.Structure.KRONECKER)) {
            LaplaceApproximation laplace = LaplaceApproximation.lastLayer(net).structure(structure).fit(data);
            File file = dir.resolve(structure + ".zip").toFile();
            laplace.save(file);
            LaplaceApproximation loaded = LaplaceApproximation.load(file);
            assertEquals(laplace.priorPrecision(), loaded.priorPrecision());
            assertEquals(structure, loaded.structure());
            assertEquals(laplace.probit(x), loaded.probit(x));
            assertEquals(laplace.seed(3).samples(10).predict(x).samples(),
                    loaded.seed(3).samples(10).predict(x).samples());
            assertEquals(net.params(), ModelSerializer.restoreMultiLayerNetwork(file).params(),
                    "DL4J still reads the network from the file");
        }
        File plain = dir.resolve("plain.zip").toFile();
        ModelSerializer.writeModel(net, plain, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LaplaceApproximation.load(plain));
        assertTrue(e.getMessage().contains("no last-layer Laplace"), e.getMessage());
    }

    @Test
    void floatAndHalfNetworksGiveTheDoubleResult() {
        DataSet data = BaselineNets.blobs(13, 60, 3);
        MultiLayerNetwork net = BaselineNets.trained(BaselineNets.classifier(14, 3, 1.0), data, 50);
        INDArray x = data.getFeatures().getRows(0, 1, 2, 3, 4);
        INDArray reference = LaplaceApproximation.lastLayer(net).priorPrecision(1.0).fit(data).probit(x);
        for (DataType type : List.of(DataType.FLOAT, DataType.HALF)) {
            MultiLayerNetwork converted = net.convertDataType(type);
            LaplaceApproximation laplace = LaplaceApproximation.lastLayer(converted).priorPrecision(1.0).fit(data);
            INDArray p = laplace.probit(x);
            assertEquals(type, p.dataType());
            double tolerance = type == DataType.FLOAT ? 1e-4 : 2e-2;
            assertTrue(maxAbs(p.castTo(DataType.DOUBLE).sub(reference)) < tolerance, type + ": " + p);
            INDArray sampled = laplace.samples(20).predict(x).mean();
            assertEquals(type, sampled.dataType());
            assertTrue(!sampled.isNaN().any() && !sampled.isInfinite().any());
        }
    }

    @Test
    void rejectsWhatItCannotApproximate() {
        MultiLayerNetwork dense = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(2).nOut(3).build()).build());
        dense.init();
        assertMessage("DenseLayer", () -> LaplaceApproximation.lastLayer(dense));
        MultiLayerNetwork tanhMse = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(2).nOut(1)
                        .activation(Activation.TANH).build()).build());
        tanhMse.init();
        assertMessage("not a likelihood", () -> LaplaceApproximation.lastLayer(tanhMse));
        assertMessage("not initialized", () -> LaplaceApproximation.lastLayer(new MultiLayerNetwork(
                new NeuralNetConfiguration.Builder().list().layer(new OutputLayer.Builder().nIn(2).nOut(2).build())
                        .build())));
        DataSet data = BaselineNets.blobs(15, 30, 3);
        MultiLayerNetwork net = BaselineNets.classifier(16, 3, 1.0);
        assertMessage("no noise scale", () -> LaplaceApproximation.lastLayer(net).noiseStd(1.0));
        assertMessage("priorPrecision", () -> LaplaceApproximation.lastLayer(net).priorPrecision(0));
        assertMessage("labels of shape", () -> LaplaceApproximation.lastLayer(net)
                .fit(new DataSet(data.getFeatures(), data.getLabels().getColumns(0, 1))));
        assertMessage("empty", () -> LaplaceApproximation.lastLayer(net).fit(new SingletonDataSetIterator(
                new DataSet(data.getFeatures(), data.getLabels())) {
            @Override
            public boolean hasNext() {
                return false;
            }
        }));
        INDArray nan = data.getFeatures().dup();
        nan.putScalar(3, 1, Double.NaN);
        assertMessage("not finite", () -> LaplaceApproximation.lastLayer(net).fit(new DataSet(nan, data.getLabels())));
        LaplaceApproximation fitted = LaplaceApproximation.lastLayer(net).fit(data);
        assertMessage("features", () -> fitted.predict(null));
        assertMessage("samples", () -> fitted.samples(0));
        Conjugate c = new Conjugate(DataType.DOUBLE);
        LaplaceApproximation regression = LaplaceApproximation.lastLayer(c.net).fit(c.data());
        assertThrows(IllegalStateException.class, () -> regression.probit(c.x));
        assertTrue(regression.noiseStd() > 0.3 && regression.noiseStd() < 0.7,
                "noise estimated from the residuals near the true 0.5: " + regression.noiseStd());
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' names " + fragment);
    }

    @Test
    void aWeakerPriorWidensThePredictiveButKeepsTheMeanPrediction() {
        DataSet data = BaselineNets.blobs(17, 60, 3);
        MultiLayerNetwork net = BaselineNets.trained(BaselineNets.classifier(18, 3, 1.0), data, 80);
        INDArray x = TestData.randn(19, DataType.DOUBLE, 20, 2).muli(4);
        LaplaceApproximation strong = LaplaceApproximation.lastLayer(net).priorPrecision(100).fit(data);
        LaplaceApproximation weak = LaplaceApproximation.lastLayer(net).priorPrecision(0.01).fit(data);
        assertTrue(weak.functionVariance(x).sumNumber().doubleValue()
                > 10 * strong.functionVariance(x).sumNumber().doubleValue());
        INDArray plain = net.output(x).argMax(1);
        assertEquals(plain, strong.probit(x).argMax(1), "the probit keeps the arg max where the variance is small");
        assertTrue(Arrays.stream(weak.probit(x).max(1).toDoubleVector()).average().orElseThrow()
                < Arrays.stream(net.output(x).max(1).toDoubleVector()).average().orElseThrow(),
                "a wider posterior is less confident");
    }
}
