package io.github.dl4jbayes.predict;

import io.github.dl4jbayes.baselines.LaplaceApproximation;
import io.github.dl4jbayes.baselines.McDropout;
import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.layers.InferenceMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Predictions from many threads on one network: 8 threads x 200 calls of the posterior predictive while the same
 * threads ask for the network's plain ({@code MEAN}-mode) output, which must never see another thread's sampling mode;
 * the pooled predictive equals a single-threaded one within its Monte-Carlo error; the network's mode, settings and
 * parameters are unchanged afterwards. The baselines' predictives likewise.
 */
class ConcurrentPredictionTest {
    static final int THREADS = 8;
    static final int CALLS = 200;
    static final int SAMPLES = 5;

    static MultiLayerNetwork bayesian() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.DOUBLE).updater(new Adam(1e-2)).list()
                .layer(new BayesianDenseLayer.Builder().nIn(2).nOut(6).activation(Activation.TANH)
                        .initialPosteriorStd(0.5).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(6).nOut(1)
                        .activation(Activation.SIGMOID).initialPosteriorStd(0.5).build())
                .build());
        net.init();
        return net;
    }

    static INDArray inputs() {
        SplittableRandom random = new SplittableRandom(5);
        double[][] x = new double[16][2];
        for (double[] row : x) {
            row[0] = random.nextGaussian();
            row[1] = random.nextGaussian();
        }
        return Nd4j.createFromArray(x);
    }

    /** Runs {@code task(thread)} on 8 threads at once and returns their results. */
    static <T> List<T> onThreads(java.util.function.IntFunction<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit((Callable<T>) () -> task.apply(thread)));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void posteriorPredictiveFromEightThreads() throws Exception {
        MultiLayerNetwork net = bayesian();
        BayesianNetworks.setDatasetSize(net, 123);
        // a served network's plain output: the means (the default, SAMPLE, would make every output a draw)
        BayesianNetworks.setInferenceMode(net, InferenceMode.MEAN);
        INDArray x = inputs();
        INDArray meanOutput = net.output(x);
        INDArray params = net.params().dup();
        // single-threaded reference: the same number of predictive samples
        INDArray reference = Nd4j.zeros(DataType.DOUBLE, 16, 1);
        INDArray referenceSq = Nd4j.zeros(DataType.DOUBLE, 16, 1);
        int n = THREADS * CALLS * SAMPLES;
        for (int c = 0; c < THREADS * CALLS; c++) {
            PredictiveSamples p = PosteriorPredictive.of(net).samples(SAMPLES).predict(x);
            for (int s = 0; s < SAMPLES; s++) {
                reference.addi(p.sample(s));
                referenceSq.addi(p.sample(s).mul(p.sample(s)));
            }
        }
        List<INDArray[]> sums = onThreads(thread -> {
            INDArray sum = Nd4j.zeros(DataType.DOUBLE, 16, 1);
            INDArray sumSq = Nd4j.zeros(DataType.DOUBLE, 16, 1);
            for (int c = 0; c < CALLS; c++) {
                PredictiveSamples p = PosteriorPredictive.of(net).samples(SAMPLES).predict(x);
                for (int s = 0; s < SAMPLES; s++) {
                    sum.addi(p.sample(s));
                    sumSq.addi(p.sample(s).mul(p.sample(s)));
                }
                if (c % 10 == thread % 10) {
                    // a plain output in between: the means, never a draw of another thread's predictive
                    INDArray out = net.output(x);
                    if (!out.equals(meanOutput)) {
                        throw new AssertionError("thread " + thread + ", call " + c + ": net.output(x) was not the "
                                + "MEAN-mode output while other threads sampled");
                    }
                }
            }
            return new INDArray[]{sum, sumSq};
        });
        INDArray pooled = Nd4j.zeros(DataType.DOUBLE, 16, 1);
        for (INDArray[] s : sums) {
            pooled.addi(s[0]);
        }
        INDArray m1 = reference.div(n);
        INDArray m2 = pooled.div(n);
        INDArray var = referenceSq.div(n).subi(m1.mul(m1));
        for (int i = 0; i < 16; i++) {
            double se = Math.sqrt(2 * var.getDouble(i, 0) / n);
            assertEquals(m1.getDouble(i, 0), m2.getDouble(i, 0), 5 * se, "row " + i);
        }
        assertEquals(InferenceMode.MEAN, BayesianNetworks.getInferenceMode(net));
        assertEquals(123, BayesianNetworks.getDatasetSize(net));
        assertEquals(1.0, BayesianNetworks.getKlWeight(net), 0.0);
        assertEquals(params, net.params());
        assertEquals(meanOutput, net.output(x));
    }

    /**
     * DL4J's ParallelInference on a Bayesian network: each worker is a clone in the layers' default SAMPLE mode, so
     * every output is one posterior draw and the average of 400 outputs is the predictive mean within the Monte-Carlo
     * error of two independent 400-draw means.
     */
    @Test
    void parallelInferenceGivesPredictiveDraws() {
        MultiLayerNetwork net = bayesian();
        INDArray x = inputs();
        int draws = 400;
        PredictiveSamples reference = PosteriorPredictive.of(net).samples(draws).predict(x);
        org.deeplearning4j.parallelism.ParallelInference pi = new org.deeplearning4j.parallelism.ParallelInference
                .Builder(net).inferenceMode(org.deeplearning4j.parallelism.inference.InferenceMode.SEQUENTIAL)
                .workers(2).build();
        try {
            INDArray sum = Nd4j.zeros(DataType.DOUBLE, 16, 1);
            for (int d = 0; d < draws; d++) {
                sum.addi(pi.output(x).castTo(DataType.DOUBLE));
            }
            INDArray mean = sum.div(draws);
            INDArray std = reference.std();
            for (int i = 0; i < 16; i++) {
                double se = std.getDouble(i, 0) * Math.sqrt(2.0 / draws);
                assertEquals(reference.mean().getDouble(i, 0), mean.getDouble(i, 0), 5 * se, "row " + i);
            }
            assertTrue(std.meanNumber().doubleValue() > 1e-3, "the draws differ");
        } finally {
            pi.shutdown();
        }
    }

    /** NaN or infinite inputs are refused with a message (they would make every output of their rows NaN). */
    @Test
    void nonFiniteInputsAreRefused() {
        MultiLayerNetwork net = bayesian();
        BayesianNetworks.setInferenceMode(net, InferenceMode.MEAN);
        for (double bad : new double[]{Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            INDArray x = inputs();
            x.putScalar(3, 1, bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PosteriorPredictive.of(net).samples(3).predict(x));
            assertTrue(e.getMessage().startsWith("features hold NaN or infinite"), e.getMessage());
        }
        assertEquals(InferenceMode.MEAN, BayesianNetworks.getInferenceMode(net), "nothing half-changed");
    }

    /** Draws of the weights (read-only) from many threads: each its own, the network unchanged. */
    @Test
    void posteriorDrawsFromEightThreads() throws Exception {
        MultiLayerNetwork net = bayesian();
        INDArray params = net.params().dup();
        PosteriorDraws single = PosteriorDraws.sample(net, 50, 7);
        List<PosteriorDraws> draws = onThreads(t -> PosteriorDraws.sample(net, 50, 7));
        for (PosteriorDraws d : draws) {
            assertEquals(single.get("0_W"), d.get("0_W"), "the same seed gives the same draws on any thread");
        }
        assertEquals(params, net.params());
    }

    static MultiLayerNetwork dropoutNet() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.DOUBLE).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nIn(2).nOut(16).activation(Activation.TANH)
                        .dropOut(new Dropout(0.8)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(16).nOut(1)
                        .activation(Activation.SIGMOID).build())
                .build());
        net.init();
        return net;
    }

    /** MC dropout and last-layer Laplace on one network from 8 threads: no exception, the plain output unchanged. */
    @Test
    void baselinesFromEightThreads() throws Exception {
        MultiLayerNetwork net = dropoutNet();
        INDArray x = inputs();
        INDArray y = x.sum(true, 1).gt(0).castTo(DataType.DOUBLE);
        DataSetIterator train = new ListDataSetIterator<>(new DataSet(x, y).asList(), 16);
        for (int i = 0; i < 20; i++) {
            net.fit(train);
            train.reset();
        }
        INDArray plain = net.output(x);
        INDArray params = net.params().dup();
        LaplaceApproximation laplace = LaplaceApproximation.lastLayer(net).fit(train);
        INDArray laplaceMean = laplace.samples(400).predict(x).mean();
        McDropout dropout = McDropout.of(net).samples(SAMPLES);
        List<double[]> results = onThreads(t -> {
            double dropoutSum = 0;
            double laplaceSum = 0;
            for (int c = 0; c < 50; c++) {
                dropoutSum += dropout.predict(x).mean().sumNumber().doubleValue();
                laplaceSum += laplace.samples(SAMPLES).predict(x).mean().sumNumber().doubleValue();
                INDArray out = net.output(x);
                if (!out.equals(plain)) {
                    throw new AssertionError("thread " + t + ": net.output(x) changed while MC dropout ran");
                }
            }
            return new double[]{dropoutSum / 50, laplaceSum / 50};
        });
        for (double[] r : results) {
            assertTrue(Double.isFinite(r[0]) && Double.isFinite(r[1]));
            assertEquals(laplaceMean.sumNumber().doubleValue(), r[1], 0.05 * 16, "Laplace's predictive mean");
        }
        assertEquals(params, net.params());
        assertEquals(plain, net.output(x));
    }
}
