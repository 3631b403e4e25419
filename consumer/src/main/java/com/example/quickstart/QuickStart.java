package com.example.quickstart;

import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.predict.PosteriorDraws;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.predict.PosteriorSummary;
import io.github.dl4jbayes.predict.PredictiveSamples;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.training.Advi;
import io.github.dl4jbayes.training.ElboHistory;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/**
 * The README's quick start in a project of its own that knows dl4j-bayes only by its Maven coordinates: the
 * notebook's 2-5-5-1 network on two moons, ADVI on minibatches, the posterior predictive and weight draws.
 */
public final class QuickStart {

    /** What the quick start produced, for the test. */
    public record Result(ElboHistory elbo, INDArray probability, INDArray uncertainty, INDArray total,
                         String summary, double testAccuracy) {
    }

    private QuickStart() {
    }

    /** Runs the quick start and prints the test accuracy and the first rows of the weights' summary. */
    public static void main(String[] args) {
        Result r = run(10_000, 500);
        System.out.printf("test accuracy %.1f%%, final ELBO %.2f%n", 100 * r.testAccuracy(), r.elbo().last());
        r.summary().lines().limit(6).forEach(System.out::println);
    }

    /**
     * The quick start, line for line.
     *
     * @param iterations ADVI iterations (the README: 10,000)
     * @param draws      posterior predictive draws (the README: 500)
     */
    public static Result run(int iterations, int draws) {
        DataSet[] moons = moons(1000, 0.2, 0);
        DataSet trainData = moons[0];
        INDArray xTest = moons[1].getFeatures();

        // ---- the README's quick start from here ----
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(0).updater(new Adam(0.01)).list()
                .layer(new BayesianDenseLayer.Builder().nIn(2).nOut(5).activation(Activation.TANH)
                        .prior(new GaussianPrior(0, 1)).build())
                .layer(new BayesianDenseLayer.Builder().nIn(5).nOut(5).activation(Activation.TANH).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(5).nOut(1)
                        .activation(Activation.SIGMOID).build())          // Bernoulli likelihood
                .build());
        net.init();

        // ADVI on minibatches: the KL term is divided by the dataset size N (PyMC's total_size)
        Advi advi = Advi.builder().datasetSize(500).iterations(iterations).printEvery(iterations / 10).build();
        ElboHistory elbo = advi.fit(net, trainData, 50);       // minibatches of 50, reshuffled every pass

        // Posterior predictive: 500 draws of all weights
        PredictiveSamples p = PosteriorPredictive.of(net).samples(draws).predict(xTest);
        INDArray probability = p.mean();                       // P(y = 1 | x, data)
        INDArray uncertainty = p.std();                        // spread of P(y = 1) over the posterior (epistemic)
        INDArray total = p.bernoulliStd();                     // the notebook's ppc['out'].std(axis=0) (total)
        PosteriorDraws trace = PosteriorDraws.sample(net, 5000, 42);   // sample_vp: weight draws for traces
        String summary = PosteriorSummary.of(trace, 0.94).toTable();   // mean, sd, 94% HDI per weight
        // ---- to here ----

        INDArray predicted = probability.gt(0.5).castTo(DataType.DOUBLE);
        double accuracy = predicted.eq(moons[1].getLabels().castTo(DataType.DOUBLE))
                .castTo(DataType.DOUBLE).meanNumber().doubleValue();
        return new Result(elbo, probability, uncertainty, total, summary, accuracy);
    }

    /**
     * Two interleaving half circles with Gaussian noise (scikit-learn's {@code make_moons}), standardized and split
     * half/half into train and test.
     */
    static DataSet[] moons(int samples, double noise, long seed) {
        Random random = new Random(seed);
        double[][] x = new double[samples][2];
        double[][] y = new double[samples][1];
        for (int i = 0; i < samples; i++) {
            int label = i % 2;
            double t = Math.PI * random.nextDouble();
            x[i][0] = (label == 0 ? Math.cos(t) : 1 - Math.cos(t)) + noise * random.nextGaussian();
            x[i][1] = (label == 0 ? Math.sin(t) : 0.5 - Math.sin(t)) + noise * random.nextGaussian();
            y[i][0] = label;
        }
        INDArray features = Nd4j.createFromArray(x).castTo(DataType.FLOAT);
        features.subiRowVector(features.mean(0)).diviRowVector(features.std(0));
        INDArray labels = Nd4j.createFromArray(y).castTo(DataType.FLOAT);
        int half = samples / 2;
        return new DataSet[]{
                new DataSet(features.get(interval(0, half)).dup(),
                        labels.get(interval(0, half)).dup()),
                new DataSet(features.get(interval(half, samples)).dup(),
                        labels.get(interval(half, samples)).dup())};
    }
}
