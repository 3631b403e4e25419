package io.github.dl4jbayes.layers.impl;

import io.github.dl4jbayes.layers.BayesianLayerConfig;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.layers.MeanFieldLayout;
import io.github.dl4jbayes.layers.MeanFieldState;
import io.github.dl4jbayes.internal.StableMath;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Owns the parameter keys and the flattened layout ({@link MeanFieldLayout}) of the Bayesian layers, and
 * initializes them: weight means with the layer's weight initializer, bias means with its bias init, and every
 * {@code rho} to {@code softplus^-1(initialPosteriorStd)}. The weight means are drawn from a Java generator seeded from
 * the configuration's seed and the layer's name where {@link InitialMeans} knows the initializer's law (the common
 * ones), so that they repeat from run to run, which ND4J's own generator does not.
 *
 * <p>Only {@code Wmu} counts as a weight parameter and only {@code bmu} as a bias parameter for DL4J's
 * regularization, so L1/L2/weight decay configured on the network never touches {@code rho}.
 */
public final class MeanFieldParamInitializer implements ParamInitializer {
    private static final MeanFieldParamInitializer INSTANCE = new MeanFieldParamInitializer();
    /** Keeps the initialization's stream apart from the noise's, which is seeded from the same seed. */
    private static final long INIT_SALT = 0x5DEECE66DL;

    private MeanFieldParamInitializer() {
    }

    /** @return the shared instance */
    public static MeanFieldParamInitializer getInstance() {
        return INSTANCE;
    }

    private static BayesianLayerConfig bayesian(Layer layer) {
        if (!(layer instanceof BayesianLayerConfig)) {
            throw new IllegalArgumentException("MeanFieldParamInitializer needs a Bayesian layer configuration, got "
                    + layer.getClass().getName());
        }
        return (BayesianLayerConfig) layer;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        return new MeanFieldLayout(bayesian(layer)).totalSize();
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return new MeanFieldLayout(bayesian(layer)).keys();
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return Collections.singletonList(MeanFieldLayout.WEIGHT_MU);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return bayesian(layer).hasBias() ? Collections.singletonList(MeanFieldLayout.BIAS_MU) : Collections.emptyList();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return MeanFieldLayout.WEIGHT_MU.equals(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return MeanFieldLayout.BIAS_MU.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        BayesianLayerConfig layer = bayesian(conf.getLayer());
        MeanFieldLayout layout = new MeanFieldLayout(layer);
        Map<String, INDArray> params = Collections.synchronizedMap(layout.views(paramsView));
        if (initializeParams) {
            IWeightInit init = InitialMeans.forMeans(layer);
            INDArray wMu = params.get(MeanFieldLayout.WEIGHT_MU);
            // reproducible from the configuration's seed where the law is known (independent of ND4J's global RNG, which ignores a seed of 0)
            // the layer's name, unique in a network (or, unnamed, its position among the network's parameters)
            int layerKey = layer.getLayerName() != null ? layer.getLayerName().hashCode() : (int) paramsView.offset();
            SplittableRandom random = new SplittableRandom(MeanFieldState.layerSeed(conf.getSeed() ^ INIT_SALT,
                    layerKey));
            if (!InitialMeans.draw(init, layer.fanIn(), layer.fanOut(), wMu, random)) {
                init.init(layer.fanIn(), layer.fanOut(), wMu.shape(), layer.weightOrder(), wMu);
            }
            if (layer.hasBias()) {
                layer.initializeBiasMeans(params.get(MeanFieldLayout.BIAS_MU));
            }
            double rho = StableMath.inverseSoftplus(layer.getMeanField().getInitialPosteriorStd());
            layout.rhoBlock(paramsView).assign(rho);
            if (layer.hasLearnedNoise()) {
                layout.noise(paramsView).assign(((BayesianOutputLayer) layer).initialNoiseRawScale());
            }
        }
        for (String key : params.keySet()) {
            conf.addVariable(key);
        }
        return params;
    }

    /**
     * Binds a new Bayesian layer instance to its network, as every configuration's {@code instantiate} does:
     * listeners, index, the parameter view and its table (initialized when {@code initializeParams}), configuration.
     *
     * @return {@code layer}
     */
    public static <L extends org.deeplearning4j.nn.api.Layer> L bind(L layer, NeuralNetConfiguration conf,
                                                                      Collection<TrainingListener> listeners,
                                                                      int layerIndex, INDArray paramsView,
                                                                      boolean initializeParams) {
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(INSTANCE.init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return new MeanFieldLayout(bayesian(conf.getLayer())).views(gradientView);
    }
}
