package io.github.dl4jbayes.internal.fused;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.SgdUpdater;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.List;

/**
 * The network's own updater (its {@code Adam} or {@code Sgd} configuration, learning-rate schedules included)
 * applied in Java loops: the minibatch division, the update and {@code params -= update}, as DL4J's updater and
 * SGD step do them, on the updater's own state arrays (so a fit may continue on DL4J's standard path, and a saved
 * network keeps its updater state). Other updaters and gradient normalization are left to DL4J ({@link #of} returns
 * null). L1/L2 and weight decay, which DL4J's updater would apply, are excluded by {@link FusedDenseStack#whyNot}.
 */
final class FusedUpdater {
    private final List<Block> blocks;
    private final DataBuffer params;
    private final DataBuffer gradient;
    private final boolean miniBatch;

    private FusedUpdater(List<Block> blocks, DataBuffer params, DataBuffer gradient, boolean miniBatch) {
        this.blocks = blocks;
        this.params = params;
        this.gradient = gradient;
        this.miniBatch = miniBatch;
    }

    /** @return the Java updater of {@code net}, or null when its updater is not one this class computes */
    static FusedUpdater of(MultiLayerNetwork net) {
        for (Layer l : net.getLayers()) {
            if (!(l.conf().getLayer() instanceof BaseLayer)) {
                return null;
            }
            GradientNormalization gn = ((BaseLayer) l.conf().getLayer()).getGradientNormalization();
            if (gn != null && gn != GradientNormalization.None) {
                return null;
            }
        }
        Updater updater = net.getUpdater();
        if (!(updater instanceof MultiLayerUpdater)) {
            return null;
        }
        List<Block> blocks = new ArrayList<>();
        for (UpdaterBlock b : ((MultiLayerUpdater) updater).getUpdaterBlocks()) {
            if (b.getGradientUpdater() == null) {
                b.init();
            }
            GradientUpdater<?> u = b.getGradientUpdater();
            if (u instanceof AdamUpdater && ((AdamUpdater) u).getM() != null) {
                AdamUpdater adam = (AdamUpdater) u;
                blocks.add(new Block(b.getParamOffsetStart(), b.getParamOffsetEnd(), adam.getConfig(),
                        adam.getM().data(), adam.getV().data()));
            } else if (u instanceof SgdUpdater) {
                blocks.add(new Block(b.getParamOffsetStart(), b.getParamOffsetEnd(), ((SgdUpdater) u).getConfig()));
            } else {
                return null;
            }
        }
        return new FusedUpdater(blocks, net.params().data(), net.getGradientsViewArray().data(),
                net.conf().isMiniBatch());
    }

    /**
     * Divides the gradient by the minibatch size (DL4J's miniBatch mode), turns it into the update in place, and
     * subtracts it from the parameters.
     */
    void apply(int iteration, int epoch, int batchSize) {
        double scale = miniBatch ? 1.0 / batchSize : 1.0;
        for (Block b : blocks) {
            if (b.adam != null) {
                adam(b, iteration, epoch, scale);
            } else {
                double lr = b.sgd.getLearningRate(iteration, epoch);
                for (int k = b.start; k < b.end; k++) {
                    double update = lr * (gradient.getDouble(k) * scale);
                    gradient.put(k, update);
                    params.put(k, params.getDouble(k) - update);
                }
            }
        }
    }

    /** libnd4j's Adam: bias corrections folded into the step size, epsilon added to sqrt(v). */
    private void adam(Block b, int iteration, int epoch, double scale) {
        Adam c = b.adam;
        double beta1 = c.getBeta1();
        double beta2 = c.getBeta2();
        double epsilon = c.getEpsilon();
        double step = c.getLearningRate(iteration, epoch) * Math.sqrt(1.0 - Math.pow(beta2, iteration + 1.0))
                / (1.0 - Math.pow(beta1, iteration + 1.0));
        if (!Double.isFinite(step) || step == 0.0) {
            step = epsilon;
        }
        for (int k = b.start, s = 0; k < b.end; k++, s++) {
            double g = gradient.getDouble(k) * scale;
            double m = beta1 * b.m.getDouble(s) + (1.0 - beta1) * g;
            double v = beta2 * b.v.getDouble(s) + (1.0 - beta2) * g * g;
            b.m.put(s, m);
            b.v.put(s, v);
            double update = m * step / (Math.sqrt(v) + epsilon);
            gradient.put(k, update);
            params.put(k, params.getDouble(k) - update);
        }
    }

    /** One updater block: a range of the flattened parameters with one updater configuration and its state. */
    private static final class Block {
        final int start;
        final int end;
        final Adam adam;
        final org.nd4j.linalg.learning.config.Sgd sgd;
        final DataBuffer m;
        final DataBuffer v;

        Block(int start, int end, Adam adam, DataBuffer m, DataBuffer v) {
            this.start = start;
            this.end = end;
            this.adam = adam;
            this.sgd = null;
            this.m = m;
            this.v = v;
        }

        Block(int start, int end, org.nd4j.linalg.learning.config.Sgd sgd) {
            this.start = start;
            this.end = end;
            this.adam = null;
            this.sgd = sgd;
            this.m = null;
            this.v = null;
        }
    }
}
