package io.github.dl4jbayes.internal.fused;

import io.github.dl4jbayes.layers.BayesianLayer;
import io.github.dl4jbayes.layers.BayesianLayerConfig;
import io.github.dl4jbayes.layers.Estimator;
import io.github.dl4jbayes.layers.MeanFieldLayout;
import io.github.dl4jbayes.layers.impl.BayesianDenseLayerImpl;
import io.github.dl4jbayes.layers.impl.BayesianOutputLayerImpl;
import io.github.dl4jbayes.layers.impl.MeanFieldLayerImpl;
import io.github.dl4jbayes.layers.KernelPolicy;
import io.github.dl4jbayes.internal.meanfield.MeanFieldPosterior;
import io.github.dl4jbayes.internal.meanfield.SigmaGradient;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;

import java.util.Arrays;
import java.util.Map;

/**
 * The fused training step for small stacks of Bayesian dense layers: the forward pass, the backward pass, the
 * KL term and the score of one ADVI step in plain Java loops over the minibatch, with no ND4J call until the
 * network's own updater applies the gradient. On the notebook's 2-5-5-1 network a DL4J step is dozens of native
 * calls on arrays of a few hundred numbers, each costing more than its arithmetic; this step does the same
 * arithmetic in one pass (docs/performance.md has the figures).
 *
 * <p>It computes exactly what DL4J's {@code computeGradientAndScore} computes for the same network and the same
 * weight draw: the draws, the gradient completion and the KL come from each layer's own {@link MeanFieldPosterior}
 * (the same noise generator, so a fused fit and a standard fit from one seed agree to rounding; a test compares
 * them), the activations and losses are DL4J's own formulas ({@link FusedActivation}, {@link FusedLoss}), and the
 * gradient lands in the network's gradient view for the network's updater. The arithmetic is in double precision.
 *
 * <p>It covers: {@code FLOAT} or {@code DOUBLE} networks whose layers are all {@code BayesianDenseLayer}s followed
 * by a {@code BayesianOutputLayer}, each with the {@code REPARAMETERIZATION} estimator and small enough for the Java
 * kernel ({@link KernelPolicy#nativeThreshold()}), hidden activations identity, tanh, sigmoid or ReLU, output
 * sigmoid with binary cross-entropy, softmax with multi-class cross-entropy (or negative log-likelihood), or
 * identity with MSE or L2; no dropout, weight noise, L1/L2/weight decay, input preprocessors or masks.
 * {@link #whyNot} says why another network is not covered; {@code Advi} then takes DL4J's standard path.
 */
public final class FusedDenseStack {
    private final MultiLayerNetwork net;
    private final Dense[] layers;
    private final FusedLoss loss;
    private final boolean miniBatch;
    private final Gradient gradient;
    /** the network's updater in Java, or null when DL4J's updater applies the gradient */
    private final FusedUpdater updater;
    private double[][] z;
    private double[][] a;
    private double[] delta;
    private double[] deltaPrev;
    private int capacity;

    private FusedDenseStack(MultiLayerNetwork net) {
        this.net = net;
        Layer[] netLayers = net.getLayers();
        this.layers = new Dense[netLayers.length];
        this.gradient = new DefaultGradient(net.getGradientsViewArray());
        for (int i = 0; i < netLayers.length; i++) {
            layers[i] = new Dense((BayesianLayer) netLayers[i], netLayers[i].getGradientsViewArray());
            for (Map.Entry<String, INDArray> e : layers[i].gradientViews.entrySet()) {
                gradient.gradientForVariable().put(i + "_" + e.getKey(), e.getValue());
            }
        }
        BaseOutputLayer out = (BaseOutputLayer) netLayers[netLayers.length - 1].conf().getLayer();
        this.loss = FusedLoss.of(out.getLossFn(), out.getActivationFn(), out.getNOut());
        this.miniBatch = net.conf().isMiniBatch();
        this.updater = FusedUpdater.of(net);
    }

    /**
     * @param net an initialized network
     * @return the fused step for {@code net}
     * @throws IllegalArgumentException if the fused path does not cover {@code net} (the message says why)
     */
    public static FusedDenseStack of(MultiLayerNetwork net) {
        String why = whyNot(net);
        if (why != null) {
            throw new IllegalArgumentException("The fused path does not cover this network: " + why);
        }
        if (net.getGradientsViewArray() == null) {
            net.initGradientsView();
        }
        return new FusedDenseStack(net);
    }

    /** @return why the fused path does not cover {@code net}, or null when it does */
    public static String whyNot(MultiLayerNetwork net) {
        if (net == null) {
            return "no network";
        }
        Layer[] layers = net.getLayers();
        if (layers == null || layers.length == 0) {
            return "the network is not initialized (net.init())";
        }
        DataType type = net.params().dataType();
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            return "data type " + type + " (FLOAT and DOUBLE only)";
        }
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        if (conf.getInputPreProcessors() != null && !conf.getInputPreProcessors().isEmpty()) {
            return "input preprocessors";
        }
        for (int i = 0; i < layers.length; i++) {
            boolean last = i == layers.length - 1;
            Layer l = layers[i];
            if (last ? l.getClass() != BayesianOutputLayerImpl.class : l.getClass() != BayesianDenseLayerImpl.class) {
                return "layer " + i + " is " + l.getClass().getSimpleName() + " (BayesianDenseLayer layers and a "
                        + "BayesianOutputLayer only)";
            }
            BayesianLayerConfig bc = ((BayesianLayer) l).bayesianConfig();
            BaseLayer c = (BaseLayer) l.conf().getLayer();
            KernelPolicy policy = ((BayesianLayer) l).kernelPolicy();
            if (!policy.hostMemory()) {
                return "the layers' arrays are not in host memory (a GPU backend, or a kernel policy that says so): "
                        + "the fused step works on host memory";
            }
            if (bc.getMeanField().getEstimator() != Estimator.REPARAMETERIZATION) {
                return "layer " + i + " uses the " + bc.getMeanField().getEstimator() + " estimator";
            }
            if (bc.hasLearnedNoise()) {
                return "layer " + i + " learns a noise scale";
            }
            if (new MeanFieldLayout(bc).blockSize() >= policy.nativeThreshold()) {
                return "layer " + i + " is large (" + new MeanFieldLayout(bc).blockSize() + " parameters per block, "
                        + "from " + policy.nativeThreshold() + " ND4J is faster)";
            }
            if (c.getIDropout() != null || c.getWeightNoise() != null) {
                return "layer " + i + " has dropout or weight noise";
            }
            if ((c.getRegularization() != null && !c.getRegularization().isEmpty())
                    || (c.getRegularizationBias() != null && !c.getRegularizationBias().isEmpty())) {
                return "layer " + i + " has L1/L2/weight-decay regularization";
            }
            if (!last && FusedActivation.of(c.getActivationFn()) == null) {
                return "layer " + i + " has activation " + c.getActivationFn();
            }
        }
        BaseOutputLayer out = (BaseOutputLayer) layers[layers.length - 1].conf().getLayer();
        if (FusedLoss.of(out.getLossFn(), out.getActivationFn(), out.getNOut()) == null) {
            return "the output layer's loss " + out.getLossFn() + " with activation " + out.getActivationFn();
        }
        return null;
    }

    /**
     * Reads a minibatch into Java arrays once (a full batch used for every step is read once per fit).
     *
     * @throws IllegalArgumentException if the minibatch has masks or does not match the network's input or output
     */
    public Batch prepare(DataSet data) {
        if (data.getFeaturesMaskArray() != null || data.getLabelsMaskArray() != null) {
            throw new IllegalArgumentException("The fused path does not take masks");
        }
        INDArray x = data.getFeatures();
        INDArray y = data.getLabels();
        int nIn = layers[0].nIn;
        int nOut = layers[layers.length - 1].nOut;
        if (x.rank() != 2 || x.size(1) != nIn) {
            throw new IllegalArgumentException("Features of shape " + Arrays.toString(x.shape())
                    + " do not match the first layer's nIn = " + nIn + ": expected [minibatch, " + nIn + "]");
        }
        if (y == null || y.rank() != 2 || y.size(1) != nOut || y.size(0) != x.size(0)) {
            throw new IllegalArgumentException("Labels of shape " + (y == null ? "null" : Arrays.toString(y.shape()))
                    + " do not match [" + x.size(0) + ", " + nOut + "] (minibatch, the output layer's nOut)");
        }
        return new Batch(x, y, rowMajor(x), rowMajor(y), (int) x.size(0));
    }

    private static double[] rowMajor(INDArray a) {
        INDArray c = a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
        return c.data().asDouble();
    }

    /** A minibatch read into row-major Java arrays by {@link #prepare}. */
    public static final class Batch {
        private final INDArray features;
        private final INDArray labels;
        private final double[] x;
        private final double[] y;
        private final int size;

        private Batch(INDArray features, INDArray labels, double[] x, double[] y, int size) {
            this.features = features;
            this.labels = labels;
            this.x = x;
            this.y = y;
            this.size = size;
        }

        /** @return the number of examples */
        public int size() {
            return size;
        }
    }

    /**
     * @return whether {@link #applyUpdate} can apply the network's updater (Adam or SGD, no gradient normalization);
     *         otherwise DL4J's updater applies the gradient
     */
    public boolean hasJavaUpdater() {
        return updater != null;
    }

    /**
     * Applies the network's updater to the gradient of the last {@link #computeGradientAndScore} and subtracts the
     * update from the parameters, as DL4J's updater and SGD step do (the update is left in the gradient view).
     *
     * @throws IllegalStateException if {@link #hasJavaUpdater()} is false
     */
    public void applyUpdate(int iteration, int epoch, int batchSize) {
        if (updater == null) {
            throw new IllegalStateException("The network's updater is not one the fused path computes: use DL4J's");
        }
        updater.apply(iteration, epoch, batchSize);
    }

    /** @return the network's gradient, keyed by parameter as DL4J's updater expects, over its gradient view */
    public Gradient gradient() {
        return gradient;
    }

    /**
     * Computes the gradient of one step into the network's gradient view (the data term summed over the minibatch,
     * as DL4J's backward pass leaves it, plus the KL term) and the network's score, which it sets on the network:
     * what {@code net.computeGradientAndScore()} does for the same input, draw and parameters.
     *
     * @return the score (negative ELBO per example with the KL weighted, as DL4J's score)
     */
    public double computeGradientAndScore(Batch batch) {
        int b = batch.size;
        ensureCapacity(b);
        net.setInput(batch.features);
        net.setLabels(batch.labels);
        double[] input = batch.x;
        for (int l = 0; l < layers.length; l++) {
            Dense d = layers[l];
            d.posterior.newInput(batch.features);
            d.posterior.draw(MeanFieldPosterior.Draw.WEIGHTS);
            d.readDraw();
            d.forward(input, b, z[l], a[l]);
            input = a[l];
        }
        Dense last = layers[layers.length - 1];
        double dataScore = loss.scoreAndDelta(z[layers.length - 1], batch.y, b, last.nOut, delta);
        for (int l = layers.length - 1; l >= 0; l--) {
            Dense d = layers[l];
            double[] in = l == 0 ? batch.x : a[l - 1];
            d.backward(in, delta, b, l == 0 ? null : deltaPrev);
            d.posterior.completeGradient(SigmaGradient.FROM_MEAN_GRADIENT, d.gradientViews);
            if (l > 0) {
                Dense below = layers[l - 1];
                FusedActivation act = below.activation;
                double[] zb = z[l - 1];
                double[] ab = a[l - 1];
                int count = b * below.nOut;
                for (int k = 0; k < count; k++) {
                    delta[k] = deltaPrev[k] * act.derivative(zb[k], ab[k]);
                }
            }
        }
        double score = miniBatch ? dataScore / b : dataScore;
        for (Layer layer : net.getLayers()) {
            score += layer.calcRegularizationScore(true);
        }
        net.setScore(score);
        return score;
    }

    private void ensureCapacity(int b) {
        if (b <= capacity) {
            return;
        }
        z = new double[layers.length][];
        a = new double[layers.length][];
        int widest = 0;
        for (int l = 0; l < layers.length; l++) {
            z[l] = new double[b * layers[l].nOut];
            a[l] = new double[b * layers[l].nOut];
            widest = Math.max(widest, Math.max(layers[l].nOut, layers[l].nIn));
        }
        delta = new double[b * widest];
        deltaPrev = new double[b * widest];
        capacity = b;
    }

    /** One Bayesian dense layer: its posterior, shapes, activation, the step's drawn weights and gradient sums. */
    private static final class Dense {
        final MeanFieldPosterior posterior;
        final Map<String, INDArray> gradientViews;
        final int nIn;
        final int nOut;
        final boolean hasBias;
        final boolean columnMajor;
        final FusedActivation activation;
        /** drawn weights, row-major [nIn, nOut] */
        final double[] w;
        final double[] bias;
        final double[] gradW;
        final double[] gradB;
        final DataBuffer drawnW;
        final DataBuffer drawnB;
        final DataBuffer gradMuW;
        final DataBuffer gradMuB;

        Dense(BayesianLayer layer, INDArray gradientsFlat) {
            BayesianLayerConfig c = layer.bayesianConfig();
            this.posterior = ((MeanFieldLayerImpl) layer).posterior();
            this.gradientViews = new MeanFieldLayout(c).views(gradientsFlat);
            this.nIn = (int) c.getNIn();
            this.nOut = (int) c.getNOut();
            this.hasBias = c.hasBias();
            this.columnMajor = c.weightOrder() == 'f';
            FusedActivation act = FusedActivation.of(((BaseLayer) ((Layer) layer).conf().getLayer()).getActivationFn());
            this.activation = act == null ? FusedActivation.IDENTITY : act;  // the output's is the loss's business
            this.w = new double[nIn * nOut];
            this.bias = new double[nOut];
            this.gradW = new double[nIn * nOut];
            this.gradB = new double[nOut];
            this.drawnW = posterior.drawnWeights().data();
            this.drawnB = hasBias ? posterior.drawnBias().data() : null;
            this.gradMuW = gradientViews.get(MeanFieldLayout.WEIGHT_MU).data();
            this.gradMuB = hasBias ? gradientViews.get(MeanFieldLayout.BIAS_MU).data() : null;
        }

        private int index(int i, int j) {
            return columnMajor ? i + j * nIn : i * nOut + j;
        }

        void readDraw() {
            for (int i = 0; i < nIn; i++) {
                for (int j = 0; j < nOut; j++) {
                    w[i * nOut + j] = drawnW.getDouble(index(i, j));
                }
            }
            if (hasBias) {
                for (int j = 0; j < nOut; j++) {
                    bias[j] = drawnB.getDouble(j);
                }
            }
        }

        /** z = x w + b, a = activation(z); rows of x are examples */
        void forward(double[] x, int b, double[] z, double[] a) {
            for (int r = 0; r < b; r++) {
                int xo = r * nIn;
                int zo = r * nOut;
                for (int j = 0; j < nOut; j++) {
                    z[zo + j] = hasBias ? bias[j] : 0.0;
                }
                for (int i = 0; i < nIn; i++) {
                    double xi = x[xo + i];
                    int wo = i * nOut;
                    for (int j = 0; j < nOut; j++) {
                        z[zo + j] += xi * w[wo + j];
                    }
                }
                for (int j = 0; j < nOut; j++) {
                    a[zo + j] = activation.apply(z[zo + j]);
                }
            }
        }

        /**
         * Writes dL/dW and dL/db (summed over the minibatch) into the posterior's gradient views and, when
         * {@code dx} is given, dL/dx = delta w^T.
         */
        void backward(double[] x, double[] delta, int b, double[] dx) {
            Arrays.fill(gradW, 0.0);
            Arrays.fill(gradB, 0.0);
            for (int r = 0; r < b; r++) {
                int xo = r * nIn;
                int d0 = r * nOut;
                for (int i = 0; i < nIn; i++) {
                    double xi = x[xo + i];
                    int wo = i * nOut;
                    double back = 0;
                    for (int j = 0; j < nOut; j++) {
                        double dj = delta[d0 + j];
                        gradW[wo + j] += xi * dj;
                        back += dj * w[wo + j];
                    }
                    if (dx != null) {
                        dx[xo + i] = back;
                    }
                }
                for (int j = 0; j < nOut; j++) {
                    gradB[j] += delta[d0 + j];
                }
            }
            for (int i = 0; i < nIn; i++) {
                for (int j = 0; j < nOut; j++) {
                    gradMuW.put(index(i, j), gradW[i * nOut + j]);
                }
            }
            if (hasBias) {
                for (int j = 0; j < nOut; j++) {
                    gradMuB.put(j, gradB[j]);
                }
            }
        }
    }
}
