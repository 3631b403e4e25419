package io.github.dl4jbayes.predict;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.layers.BayesianLayerConfig;
import io.github.dl4jbayes.layers.MeanFieldLayout;
import io.github.dl4jbayes.internal.StableMath;
import org.deeplearning4j.nn.api.Layer;
import io.github.dl4jbayes.internal.NetworkAdapter;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Draws from the variational posterior of a network's Bayesian weights (PyMC's {@code sample_vp}), for traces,
 * histograms and summaries: {@code draws} independent samples of every weight and bias.
 *
 * <pre>{@code
 * PosteriorDraws trace = PosteriorDraws.sample(net, 5000, 42);
 * INDArray w = trace.get("0_W");           // [5000, nIn, nOut]: layer 0's weights
 * double[] w01 = trace.trace("0_W", 0, 1); // the 5000 draws of weight (0, 1)
 * }</pre>
 *
 * Names are those of DL4J's parameter table: {@code "<layerIndex>_W"} for weights and {@code "<layerIndex>_b"} for
 * biases in a {@code MultiLayerNetwork}, {@code "<layerName>_W"} and {@code "<layerName>_b"} in a
 * {@code ComputationGraph}.
 */
public final class PosteriorDraws {
    private final Map<String, INDArray> draws;
    private final int count;

    private PosteriorDraws(Map<String, INDArray> draws, int count) {
        this.draws = draws;
        this.count = count;
    }

    /**
     * @param net   a {@code MultiLayerNetwork} or {@code ComputationGraph} with Bayesian layers
     * @param draws the number of draws (&gt; 0)
     * @param seed  the seed of the noise
     * @return the draws of every Bayesian weight and bias, in double precision
     */
    public static PosteriorDraws sample(Model net, int draws, long seed) {
        ArgumentChecks.positive("draws", draws);
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, INDArray> out = new LinkedHashMap<>();
        NetworkAdapter adapter = NetworkAdapter.of(net);
        for (Layer outer : adapter.layers()) {
            Layer layer = NetworkAdapter.unwrap(outer);            // inside DL4J's wrappers (LastTimeStep, ...)
            if (!(layer.conf().getLayer() instanceof BayesianLayerConfig)) {
                continue;
            }
            BayesianLayerConfig conf = (BayesianLayerConfig) layer.conf().getLayer();
            String prefix = adapter.parameterPrefix(outer);
            out.put(prefix + "_W", drawsOf(layer.getParam(MeanFieldLayout.WEIGHT_MU),
                    layer.getParam(MeanFieldLayout.WEIGHT_RHO), draws, random));
            if (conf.hasBias()) {
                out.put(prefix + "_b", drawsOf(layer.getParam(MeanFieldLayout.BIAS_MU),
                        layer.getParam(MeanFieldLayout.BIAS_RHO), draws, random));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("The network has no Bayesian layer to draw weights from");
        }
        return new PosteriorDraws(Collections.unmodifiableMap(out), draws);
    }

    private static INDArray drawsOf(INDArray mu, INDArray rho, int draws, SplittableRandom random) {
        long[] shape = mu.shape();
        long[] outShape = new long[shape.length + 1];
        outShape[0] = draws;
        System.arraycopy(shape, 0, outShape, 1, shape.length);
        INDArray muC = mu.dup('c');
        long total = (long) draws * muC.length();
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("draws = " + draws + " of a parameter with " + muC.length()
                    + " elements need " + total + " values, more than a Java array holds (2^31 - 9): draw fewer");
        }
        int n = (int) muC.length();
        double[] m = muC.data().asDouble();
        double[] sigma = StableMath.sigmas(rho);
        double[] values = new double[(int) total];
        for (int d = 0; d < draws; d++) {
            for (int j = 0; j < n; j++) {
                values[d * n + j] = m[j] + sigma[j] * random.nextGaussian();
            }
        }
        return Nd4j.create(values, outShape, 'c').castTo(DataType.DOUBLE);
    }

    /** @return the names of the drawn parameters, e.g. {@code 0_W, 1_W, 2_W} */
    public Iterable<String> names() {
        return draws.keySet();
    }

    /** @return the number of draws */
    public int count() {
        return count;
    }

    /**
     * @param name a parameter name such as {@code "0_W"}
     * @return its draws, shape {@code [draws, <parameter shape>]}
     */
    public INDArray get(String name) {
        INDArray d = draws.get(name);
        if (d == null) {
            throw new IllegalArgumentException("No Bayesian parameter named '" + name + "'; have " + draws.keySet());
        }
        return d;
    }

    /**
     * @param name  a parameter name such as {@code "0_W"}
     * @param index the element's index within the parameter (row, column for weights; position for biases)
     * @return the trace of that one weight or bias, one value per draw
     */
    public double[] trace(String name, long... index) {
        INDArray d = get(name);
        if (index.length != d.rank() - 1) {
            throw new IllegalArgumentException("Parameter '" + name + "' needs " + (d.rank() - 1) + " indices, got "
                    + index.length);
        }
        double[] out = new double[count];
        long[] full = new long[index.length + 1];
        System.arraycopy(index, 0, full, 1, index.length);
        for (int s = 0; s < count; s++) {
            full[0] = s;
            out[s] = d.getDouble(full);
        }
        return out;
    }

    /** @return the mean over the draws of parameter {@code name}, shape of the parameter */
    public INDArray mean(String name) {
        return get(name).mean(0);
    }

    /** @return the standard deviation over the draws of parameter {@code name}, shape of the parameter */
    public INDArray std(String name) {
        return get(name).std(true, 0);
    }
}
