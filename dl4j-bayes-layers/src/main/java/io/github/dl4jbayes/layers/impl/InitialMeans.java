package io.github.dl4jbayes.layers.impl;

import io.github.dl4jbayes.layers.BayesianLSTM;
import io.github.dl4jbayes.layers.BayesianLayerConfig;
import io.github.dl4jbayes.layers.MeanFieldSettings;
import org.deeplearning4j.nn.conf.distribution.Distribution;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.deeplearning4j.nn.weights.WeightInitRelu;
import org.deeplearning4j.nn.weights.WeightInitReluUniform;
import org.deeplearning4j.nn.weights.WeightInitXavier;
import org.deeplearning4j.nn.weights.WeightInitXavierUniform;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/**
 * Draws the initial weight means of a Bayesian layer from a Java generator seeded from the configuration's seed, for
 * the weight initializations whose law is known here: {@code XAVIER} (DL4J's default, N(0, 2 / (fanIn + fanOut))),
 * {@code XAVIER_UNIFORM}, {@code RELU} (N(0, 2 / fanIn)), {@code RELU_UNIFORM}, and
 * {@code WeightInitDistribution} with a {@code NormalDistribution} or {@code UniformDistribution}: the same laws as
 * DL4J's, but reproducible from the seed alone, whatever else has drawn from ND4J's global generator before; and
 * ND4J 1.0.0-M2.1 ignores a seed of 0 ({@code setSeed(0)}, even on a fresh generator, leaves it where it was), so
 * DL4J's own initialization of a seed-0 network differs from run to run. Other initializations are left to DL4J.
 */
final class InitialMeans {
    private InitialMeans() {
    }

    /**
     * @return the layer's weight initialization, except that DL4J's default {@code XAVIER}, when it was not set on the
     * layer itself, becomes {@code RELU_UNIFORM} (He: U(-sqrt(6 / fanIn), sqrt(6 / fanIn))) for the posterior means
     * of every layer but an LSTM
     * (see {@link MeanFieldSettings#isWeightInitOnLayer()})
     */
    static IWeightInit forMeans(BayesianLayerConfig layer) {
        IWeightInit init = layer.getWeightInitFn();
        // an LSTM keeps XAVIER: He's fan-in law saturates the gates of a wide recurrent layer
        if (init != null && init.getClass() == WeightInitXavier.class && !layer.getMeanField().isWeightInitOnLayer()
                && !(layer instanceof BayesianLSTM)) {
            return new WeightInitReluUniform();
        }
        return init;
    }

    /**
     * @param init   the layer's weight initialization
     * @param target the weight-mean view to fill, {@code [fanIn, fanOut]}
     * @param random the generator
     * @return whether {@code target} was filled (false: the initialization is not one of the known laws)
     */
    static boolean draw(IWeightInit init, double fanIn, double fanOut, INDArray target, SplittableRandom random) {
        int n = (int) target.length();
        double[] values = new double[n];
        if (init instanceof WeightInitXavier) {
            normal(values, 0, Math.sqrt(2.0 / (fanIn + fanOut)), random);
        } else if (init instanceof WeightInitRelu) {
            normal(values, 0, Math.sqrt(2.0 / fanIn), random);
        } else if (init instanceof WeightInitXavierUniform) {
            double s = Math.sqrt(6.0) / Math.sqrt(fanIn + fanOut);
            uniform(values, -s, s, random);
        } else if (init instanceof WeightInitReluUniform) {
            double s = Math.sqrt(6.0 / fanIn);
            uniform(values, -s, s, random);
        } else if (init instanceof WeightInitDistribution) {
            Distribution d = distributionOf((WeightInitDistribution) init);
            if (d instanceof NormalDistribution) {
                normal(values, ((NormalDistribution) d).getMean(), ((NormalDistribution) d).getStd(), random);
            } else if (d instanceof UniformDistribution) {
                uniform(values, ((UniformDistribution) d).getLower(), ((UniformDistribution) d).getUpper(), random);
            } else {
                return false;
            }
        } else {
            return false;
        }
        target.assign(Nd4j.createFromArray(values).castTo(target.dataType()).reshape('f', target.shape()));
        return true;
    }

    /** @return the distribution of a {@code WeightInitDistribution} (DL4J has no getter for it), or null */
    private static Distribution distributionOf(WeightInitDistribution init) {
        try {
            java.lang.reflect.Field field = WeightInitDistribution.class.getDeclaredField("distribution");
            field.setAccessible(true);
            return (Distribution) field.get(init);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static void normal(double[] values, double mean, double std, SplittableRandom random) {
        for (int i = 0; i < values.length; i++) {
            values[i] = mean + std * random.nextGaussian();
        }
    }

    private static void uniform(double[] values, double lower, double upper, SplittableRandom random) {
        for (int i = 0; i < values.length; i++) {
            values[i] = lower + (upper - lower) * random.nextDouble();
        }
    }
}
