package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.priors.Prior;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The notebook's network, 2-5-5-1 with tanh hidden units and a sigmoid output with a Bernoulli likelihood
 * (binary cross-entropy), Normal(0, 1) priors on every weight: as Bayesian layers, or as plain DL4J layers for
 * comparison. Weights (the posterior means) start from N(0, 1), as in the notebook.
 */
public final class NotebookNetwork {
    /** Hidden layer width of the notebook's network. */
    public static final int HIDDEN = 5;

    private NotebookNetwork() {
    }

    /**
     * @param bayesian     Bayesian layers (true) or DL4J's DenseLayer / OutputLayer (false)
     * @param hasBias      whether the layers have biases (the notebook's have none)
     * @param learningRate Adam's learning rate
     * @param seed         the seed of the initialization and of the Bayesian layers' weight noise
     */
    public static MultiLayerNetwork build(boolean bayesian, boolean hasBias, double learningRate, long seed) {
        return build(bayesian ? GaussianPrior.standardNormal() : null, hasBias, learningRate, seed);
    }

    /**
     * @param prior        the prior of every Bayesian layer, or null for DL4J's DenseLayer / OutputLayer
     * @param hasBias      whether the layers have biases (the notebook's have none)
     * @param learningRate Adam's learning rate
     * @param seed         the seed of the initialization and of the Bayesian layers' weight noise
     */
    public static MultiLayerNetwork build(Prior prior, boolean hasBias, double learningRate, long seed) {
        boolean bayesian = prior != null;
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(DataType.FLOAT).updater(new Adam(learningRate))
                // the notebook's initial weights: standard normal (wider than Xavier; with tanh units it avoids a
                // poor local optimum of the ELBO that behaves like a linear classifier)
                .weightInit(new NormalDistribution(0, 1))
                .list();
        if (bayesian) {
            list.layer(new BayesianDenseLayer.Builder().nIn(2).nOut(HIDDEN).activation(Activation.TANH)
                            .hasBias(hasBias).prior(prior).build())
                    .layer(new BayesianDenseLayer.Builder().nIn(HIDDEN).nOut(HIDDEN).activation(Activation.TANH)
                            .hasBias(hasBias).prior(prior).build())
                    .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(HIDDEN).nOut(1)
                            .activation(Activation.SIGMOID).hasBias(hasBias).prior(prior).build());
        } else {
            list.layer(new DenseLayer.Builder().nIn(2).nOut(HIDDEN).activation(Activation.TANH).hasBias(hasBias).build())
                    .layer(new DenseLayer.Builder().nIn(HIDDEN).nOut(HIDDEN).activation(Activation.TANH).hasBias(hasBias).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(HIDDEN).nOut(1)
                            .activation(Activation.SIGMOID).hasBias(hasBias).build());
        }
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
    }
}
