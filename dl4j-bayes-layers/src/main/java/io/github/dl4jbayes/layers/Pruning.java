package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.internal.NetworkAdapter;
import io.github.dl4jbayes.internal.ArgumentChecks;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Pruning of a Bayesian network's weights by their signal-to-noise ratio {@code |mu| / sigma} (Blundell et al., 2015:
 * most weights of a trained Bayes-by-backprop network can be removed with no loss).
 *
 * <p>A pruned weight is drawn as exactly 0, keeps its mean at 0, gets no gradient and is left out of the KL term (a
 * pruned weight is no longer a random variable of the model). The mark lives in the parameters (a rho far below any
 * value training reaches), so a pruned network saves, loads, clones and trains on as pruned. A layer with pruned
 * weights computes its draws in Java loops whatever its size. Biases are never pruned.
 */
public final class Pruning {
    private static final Logger LOG = LoggerFactory.getLogger(Pruning.class);

    private Pruning() {
    }

    /**
     * Sets to exactly zero (and removes from the model) every weight of the network's Bayesian layers whose
     * signal-to-noise ratio {@code |mu| / sigma} is below {@code snrThreshold}. Weights pruned before stay pruned.
     *
     * @param snrThreshold the threshold (finite, &ge; 0): 0 prunes nothing, a huge value every weight
     * @return the fraction of weights pruned per Bayesian layer, after this call
     * @throws IllegalArgumentException if the threshold is negative or not finite, or the network has no Bayesian layer
     */
    public static Report prune(Model net, double snrThreshold) {
        ArgumentChecks.nonNegativeFinite("snrThreshold", snrThreshold);
        List<Report.Row> rows = new ArrayList<>();
        for (Layer layer : NetworkAdapter.of(net).layers()) {
            if (!(layer instanceof BayesianLayer)) {
                continue;
            }
            BayesianLayer bayesian = (BayesianLayer) layer;
            long pruned = bayesian.prune(snrThreshold);
            long weights = bayesian.weightCount();
            rows.add(new Report.Row(layer.getIndex(), layer.conf().getLayer().getLayerName(), weights, pruned));
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("prune: the network has no Bayesian layer");
        }
        Report report = new Report(rows);
        LOG.info("Pruned at signal-to-noise ratio {}: {}", snrThreshold, report);
        return report;
    }

    /**
     * @return the signal-to-noise ratios {@code |mu| / sigma} of every unpruned weight of the network's Bayesian
     *         layers, sorted ascending (the thresholds that prune a given fraction are its quantiles)
     */
    public static double[] signalToNoiseRatios(Model net) {
        List<double[]> parts = new ArrayList<>();
        int total = 0;
        for (BayesianLayer layer : BayesianNetworks.bayesianLayers(net)) {
            double[] snr = layer.weightSignalToNoiseRatios();
            parts.add(snr);
            total += snr.length;
        }
        double[] all = new double[total];
        int offset = 0;
        for (double[] part : parts) {
            System.arraycopy(part, 0, all, offset, part.length);
            offset += part.length;
        }
        Arrays.sort(all);
        return all;
    }

    /** What {@link #prune} did: per Bayesian layer, its weights and how many of them are pruned. */
    public static final class Report {
        private final List<Row> rows;

        Report(List<Row> rows) {
            this.rows = Collections.unmodifiableList(rows);
        }

        /** @return one row per Bayesian layer, in layer order */
        public List<Row> rows() {
            return rows;
        }

        /** @return the fraction of all the Bayesian layers' weights that are pruned */
        public double fractionPruned() {
            long weights = 0;
            long pruned = 0;
            for (Row r : rows) {
                weights += r.weights;
                pruned += r.pruned;
            }
            return weights == 0 ? 0 : (double) pruned / weights;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            for (Row r : rows) {
                sb.append(sb.length() == 0 ? "" : ", ").append(r);
            }
            return sb.append(String.format("; %.1f%% of all weights", 100 * fractionPruned())).toString();
        }

        /** One layer's pruning. */
        public static final class Row {
            private final int layerIndex;
            private final String layerName;
            private final long weights;
            private final long pruned;

            Row(int layerIndex, String layerName, long weights, long pruned) {
                this.layerIndex = layerIndex;
                this.layerName = layerName;
                this.weights = weights;
                this.pruned = pruned;
            }

            /** @return the layer's index in the network */
            public int layerIndex() {
                return layerIndex;
            }

            /** @return the layer's name */
            public String layerName() {
                return layerName;
            }

            /** @return the layer's number of weights (biases not counted) */
            public long weights() {
                return weights;
            }

            /** @return how many of them are pruned */
            public long pruned() {
                return pruned;
            }

            /** @return the fraction of the layer's weights that are pruned */
            public double fraction() {
                return weights == 0 ? 0 : (double) pruned / weights;
            }

            @Override
            public String toString() {
                return String.format("layer %d (%s): %d of %d weights (%.1f%%)", layerIndex, layerName, pruned, weights,
                        100 * fraction());
            }
        }
    }
}
