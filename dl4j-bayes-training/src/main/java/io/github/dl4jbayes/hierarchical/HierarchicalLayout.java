package io.github.dl4jbayes.hierarchical;

import io.github.dl4jbayes.layers.BayesianLayerConfig;
import io.github.dl4jbayes.layers.MeanFieldLayout;
import io.github.dl4jbayes.priors.ParameterBlock;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where each part of a {@link HierarchicalNetwork}'s parameters lives in its one flat vector
 * {@code [parent | delta_0 | ... | delta_{G-1} | tau raw]}: each part but tau has the architecture's own flattened
 * layout (DL4J's parameter order), so that the parent is a DL4J network viewing the first part; tau holds one raw
 * value per Bayesian layer ({@code tau = softplus(raw)}). Built once from the architecture, which it checks: at least
 * one Bayesian layer, and shared layers that a gradient step can train.
 */
final class HierarchicalLayout {
    /** A Bayesian layer's block in one copy of the architecture: its means, then its rhos. */
    record Block(int layer, int muOffset, int rhoOffset, int size, ParameterBlock structure) {
    }

    final int groups;
    /** The number of parameters of one copy of the architecture. */
    final int paramCount;
    /** The Bayesian layers' blocks, in layer order (the order of tau). */
    final List<Block> blocks;
    /** Whether each parameter of the architecture belongs to a Bayesian layer (else to a layer all groups share). */
    private final boolean[] bayesianEntry;

    private HierarchicalLayout(int groups, int paramCount, List<Block> blocks) {
        this.groups = groups;
        this.paramCount = paramCount;
        this.blocks = List.copyOf(blocks);
        this.bayesianEntry = new boolean[paramCount];
        for (Block b : blocks) {
            Arrays.fill(bayesianEntry, b.muOffset, b.rhoOffset + b.size, true);
        }
    }

    /**
     * @return the layout of {@code groups} groups of the architecture {@code conf}
     * @throws IllegalArgumentException if the architecture has no Bayesian layer, or a shared layer that the groups
     *                                  cannot share (batch normalization, L1/L2 regularization)
     */
    static HierarchicalLayout of(MultiLayerConfiguration conf, int groups) {
        MultiLayerNetwork probe = new MultiLayerNetwork(conf.clone());
        probe.init();
        return of(probe, groups);
    }

    /**
     * @param probe an initialized network of the architecture (read, not changed)
     * @return the layout of {@code groups} groups of {@code probe}'s architecture
     * @throws IllegalArgumentException as {@link #of(MultiLayerConfiguration, int)}
     */
    static HierarchicalLayout of(MultiLayerNetwork probe, int groups) {
        List<Block> blocks = new ArrayList<>();
        int offset = 0;
        for (int i = 0; i < probe.getLayers().length; i++) {
            Layer layerConf = probe.getLayer(i).conf().getLayer();
            if (layerConf instanceof BayesianLayerConfig) {
                BayesianLayerConfig b = (BayesianLayerConfig) layerConf;
                MeanFieldLayout layout = new MeanFieldLayout(b);
                int size = (int) layout.blockSize();
                blocks.add(new Block(i, offset, offset + size, size,
                        new ParameterBlock(b.getLayerName(), layout.weightCount(), b.biasSize(), b.hasBias())));
            }
            offset += (int) probe.getLayer(i).numParams();
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("a hierarchical network needs at least one Bayesian layer");
        }
        for (int i = 0; i < probe.getLayers().length; i++) {
            Layer layerConf = probe.getLayer(i).conf().getLayer();
            if (!(layerConf instanceof BayesianLayerConfig) && probe.getLayer(i).numParams() > 0) {
                checkShareable(i, layerConf);
            }
        }
        return new HierarchicalLayout(groups, offset, blocks);
    }

    private static void checkShareable(int i, Layer layerConf) {
        if (layerConf instanceof BatchNormalization) {
            throw new IllegalArgumentException("layer " + i + " (batch normalization) cannot be shared by the groups "
                    + "of a hierarchical network: its running statistics are not trained by gradient");
        }
        if (layerConf instanceof BaseLayer && !(((BaseLayer) layerConf).getRegularization().isEmpty()
                && ((BaseLayer) layerConf).getRegularizationBias().isEmpty())) {
            throw new IllegalArgumentException("layer " + i + " has L1/L2 regularization, which a hierarchical "
                    + "network's shared layers do not apply: remove it (or make the layer Bayesian)");
        }
    }

    /** @return the length of the whole parameter vector */
    long length() {
        return (long) paramCount * (groups + 1) + blocks.size();
    }

    /** @return the offset of group {@code g}'s deviations (a copy of the architecture's layout) */
    int deltaOffset(int g) {
        return paramCount * (g + 1);
    }

    /** @return the offset of the raw tau values, one per Bayesian layer */
    int tauOffset() {
        return paramCount * (groups + 1);
    }

    /** @return whether parameter {@code i} of the architecture belongs to a Bayesian layer */
    boolean isBayesian(int i) {
        return bayesianEntry[i];
    }
}
