package io.github.dl4jbayes.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.ArrayList;
import java.util.List;

/**
 * Network-wide settings and queries of the Bayesian layers in a {@link MultiLayerNetwork}: the dataset size N
 * (PyMC's {@code total_size}), the KL weight, the inference mode, and the total KL divergence.
 */
public final class BayesianNetworks {
    private BayesianNetworks() {
    }

    /** @return the configurations of the network's Bayesian layers, in layer order */
    public static List<BayesianLayerConfig> bayesianLayers(MultiLayerNetwork net) {
        List<BayesianLayerConfig> out = new ArrayList<>();
        for (Layer layer : net.getLayers()) {
            if (layer.conf().getLayer() instanceof BayesianLayerConfig) {
                out.add((BayesianLayerConfig) layer.conf().getLayer());
            }
        }
        return out;
    }

    /** @return whether the network has at least one Bayesian layer */
    public static boolean isBayesian(MultiLayerNetwork net) {
        return !bayesianLayers(net).isEmpty();
    }

    /**
     * Sets N, the number of training examples, on every Bayesian layer: the score becomes
     * {@code mean loss over the minibatch + KL / N}, the negative ELBO per example.
     *
     * @param datasetSize the number of training examples (&gt; 0)
     * @throws IllegalArgumentException if {@code datasetSize <= 0} or the network has no Bayesian layer
     */
    public static void setDatasetSize(MultiLayerNetwork net, long datasetSize) {
        if (datasetSize <= 0) {
            throw new IllegalArgumentException("datasetSize must be > 0, got " + datasetSize);
        }
        for (BayesianLayerConfig layer : requireBayesian(net)) {
            layer.getMeanField().setDatasetSize(datasetSize);
        }
    }

    /**
     * @return the dataset size N set on the network's Bayesian layers, 0 if unset
     * @throws IllegalArgumentException if the network has no Bayesian layer
     */
    public static long getDatasetSize(MultiLayerNetwork net) {
        return requireBayesian(net).get(0).getMeanField().getDatasetSize();
    }

    /**
     * Sets the weight on the KL term on every Bayesian layer (1 for the ELBO; smaller during KL annealing).
     *
     * @param klWeight a finite weight &ge; 0
     */
    public static void setKlWeight(MultiLayerNetwork net, double klWeight) {
        for (BayesianLayerConfig layer : requireBayesian(net)) {
            layer.getMeanField().setKlWeight(klWeight);
        }
    }

    /**
     * Sets what the Bayesian layers use outside training: fresh posterior draws ({@link InferenceMode#SAMPLE},
     * the default) or the posterior means ({@link InferenceMode#MEAN}).
     */
    public static void setInferenceMode(MultiLayerNetwork net, InferenceMode mode) {
        for (BayesianLayerConfig layer : requireBayesian(net)) {
            layer.getMeanField().setInferenceMode(mode);
        }
    }

    /** @return the network's inference mode (that of its first Bayesian layer) */
    public static InferenceMode getInferenceMode(MultiLayerNetwork net) {
        return requireBayesian(net).get(0).getMeanField().getInferenceMode();
    }

    /** @return {@code KL(q || p)} summed over all Bayesian layers at the current parameters, unscaled */
    public static double klDivergence(MultiLayerNetwork net) {
        double sum = 0.0;
        for (Layer layer : net.getLayers()) {
            if (layer instanceof BayesianDenseLayerImpl) {
                sum += ((BayesianDenseLayerImpl) layer).klDivergence();
            } else if (layer instanceof BayesianOutputLayerImpl) {
                sum += ((BayesianOutputLayerImpl) layer).klDivergence();
            }
        }
        return sum;
    }

    private static List<BayesianLayerConfig> requireBayesian(MultiLayerNetwork net) {
        List<BayesianLayerConfig> layers = bayesianLayers(net);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("The network has no Bayesian layer (BayesianDenseLayer or BayesianOutputLayer)");
        }
        return layers;
    }
}
