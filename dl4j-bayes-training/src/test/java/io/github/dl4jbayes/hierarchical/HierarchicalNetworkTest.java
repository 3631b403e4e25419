package io.github.dl4jbayes.hierarchical;

import io.github.dl4jbayes.layers.KernelPolicy;
import io.github.dl4jbayes.layers.BayesianDenseLayer;
import io.github.dl4jbayes.layers.BayesianLayerConfig;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.BayesianOutputLayer;
import io.github.dl4jbayes.layers.Estimator;
import io.github.dl4jbayes.layers.InferenceMode;
import io.github.dl4jbayes.layers.MeanFieldLayout;
import io.github.dl4jbayes.internal.StableMath;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.priors.Prior;
import io.github.dl4jbayes.priors.ScaleMixturePrior;
import io.github.dl4jbayes.training.ElboHistory;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hierarchical objective: its gradient against finite differences (double precision, frozen noise), its two limits
 * (tau tiny: one pooled network; tau huge: G separate networks), save / load / continue, bad input.
 */
class HierarchicalNetworkTest {
    private static DataType previous;

    @BeforeAll
    static void doublePrecision() {
        previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(previous, previous);
    }

    private static MultiLayerConfiguration conf(Prior prior) {
        return conf(prior, Estimator.REPARAMETERIZATION);
    }

    /** REPARAMETERIZATION: the work network takes the fused step; other estimators DL4J's. */
    private static MultiLayerConfiguration conf(Prior prior, Estimator estimator) {
        return conf(prior, estimator, DataType.DOUBLE);
    }

    private static MultiLayerConfiguration conf(Prior prior, Estimator estimator, DataType type) {
        return new NeuralNetConfiguration.Builder().seed(3).dataType(type).updater(new NoOp()).list()
                .layer(new BayesianDenseLayer.Builder().nIn(2).nOut(3).activation(Activation.TANH).prior(prior)
                        .estimator(estimator).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(3).nOut(1)
                        .activation(Activation.SIGMOID).prior(prior).estimator(estimator).build())
                .build();
    }

    /** 3 groups of 5, 4 and 3 points; class = sign of x1 + x2 + group offset. */
    private static GroupedData data(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] sizes = {5, 4, 3};
        int n = 12;
        double[][] x = new double[n][2];
        double[][] y = new double[n][1];
        int[] g = new int[n];
        int k = 0;
        for (int group = 0; group < 3; group++) {
            for (int i = 0; i < sizes[group]; i++, k++) {
                x[k][0] = r.nextGaussian();
                x[k][1] = r.nextGaussian();
                y[k][0] = x[k][0] + x[k][1] + 0.5 * (group - 1) > 0 ? 1 : 0;
                g[k] = group;
            }
        }
        return new GroupedData(Nd4j.createFromArray(x), Nd4j.createFromArray(y), g);
    }

    /** Fills every parameter with values away from symmetric points (random means, rhos around -1, tau around 0.5). */
    private static void randomize(HierarchicalNetwork net, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        INDArray all = net.parameters();
        for (long i = 0; i < all.length(); i++) {
            all.putScalar(0, i, 0.5 * r.nextGaussian() - (isRho(net, i) ? 1.0 : 0.0));
        }
    }

    private static boolean isRho(HierarchicalNetwork net, long i) {
        int p = net.paramCount();
        if (i >= (long) p * (net.groups() + 1)) {
            return false;                                   // tau raw
        }
        long local = i % p;
        // layer 0: 6 + 3 = 9 means then 9 rhos; layer 1 (offset 18): 3 + 1 = 4 means then 4 rhos
        return (local >= 9 && local < 18) || local >= 22;
    }

    private static double objective(HierarchicalNetwork net, GroupedData batch, double[] weights) {
        return objective(net, batch, weights, 30);
    }

    private static double objective(HierarchicalNetwork net, GroupedData batch, double[] weights, long datasetSize) {
        return net.computeGradientAndScore(batch, weights, datasetSize, 1.0, 77);
    }

    /** Every parameter's gradient (parent, deviations, tau) against central differences, Gaussian and mixture priors. */
    @Test
    void gradientMatchesFiniteDifferences() {
        Object[][] cases = {{new GaussianPrior(0.1, 0.8), Estimator.REPARAMETERIZATION},
                {new ScaleMixturePrior(0.5, 1.0, 0.1), Estimator.REPARAMETERIZATION},
                {new GaussianPrior(0.1, 0.8), Estimator.FLIPOUT},
                // the GPU's paths on the CPU (ND4J kernels, no fused step), set on the hierarchical network
                {new GaussianPrior(0.1, 0.8), Estimator.REPARAMETERIZATION,
                        KernelPolicy.defaults().withHostMemory(false)}};
        for (Object[] c : cases) {
            Prior prior = (Prior) c[0];
            HierarchicalNetwork net = HierarchicalNetwork.builder(conf(prior, (Estimator) c[1]), 3).tauHyperprior(0.7)
                    .build();
            if (c.length > 2) {
                net.setKernelPolicy((KernelPolicy) c[2]);
                assertEquals(c[2], BayesianNetworks.getKernelPolicy(net.parent()));
                assertEquals(c[2], BayesianNetworks.getKernelPolicy(net.groupNetwork(0)));
            }
            randomize(net, 5);
            GroupedData batch = data(1);
            double[] weights = {5 / 12.0, 4 / 12.0, 3 / 12.0};
            objective(net, batch, weights);
            INDArray analytic = net.lastGradient();
            INDArray all = net.parameters();
            double h = 1e-6;
            double worst = 0;
            for (long i = 0; i < all.length(); i++) {
                double v = all.getDouble(0, i);
                all.putScalar(0, i, v + h);
                double plus = objective(net, batch, weights);
                all.putScalar(0, i, v - h);
                double minus = objective(net, batch, weights);
                all.putScalar(0, i, v);
                double numeric = (plus - minus) / (2 * h);
                double a = analytic.getDouble(0, i);
                double error = Math.abs(numeric - a) / Math.max(1e-3, Math.abs(numeric) + Math.abs(a));
                worst = Math.max(worst, error);
                assertTrue(error < 1e-5 || Math.abs(numeric - a) < 1e-8, prior + ": parameter " + i + " analytic " + a
                        + " numeric " + numeric);
            }
            System.out.printf("hierarchical gradient check (%s, %s%s): worst relative error %.2e over %d parameters%n",
                    prior, c[1], c.length > 2 ? ", " + c[2] : "", worst, all.length());
        }
    }

    private static void setRho(HierarchicalNetwork net, int copy, double sigma) {
        INDArray all = net.parameters();
        int p = net.paramCount();
        for (int i = 0; i < p; i++) {
            if (isRho(net, (long) copy * p + i)) {
                all.putScalar(0, (long) copy * p + i, StableMath.inverseSoftplus(sigma));
            }
        }
    }

    /**
     * tau tiny, every deviation at its prior (so its KL is 0), the parent's std tiny (so that draws do not differ):
     * the objective is one pooled network's, {@code mean loss + KL_parent / N}, on the parent's parameters.
     */
    @Test
    void tinyTauIsOnePooledNetwork() {
        HierarchicalNetwork net = HierarchicalNetwork.builder(conf(new GaussianPrior(0, 1)), 3).tauHyperprior(0).build();
        randomize(net, 8);
        INDArray all = net.parameters();
        int p = net.paramCount();
        setRho(net, 0, 1e-7);
        for (int g = 1; g <= 3; g++) {
            for (int i = 0; i < p; i++) {
                all.putScalar(0, (long) g * p + i, isRho(net, (long) g * p + i) ? StableMath.inverseSoftplus(1.0) : 0.0);
            }
        }
        net.setTau(1e-9);
        GroupedData data = data(2);
        double hierarchical = objective(net, data, new double[]{5 / 12.0, 4 / 12.0, 3 / 12.0});
        MultiLayerNetwork pooled = new MultiLayerNetwork(conf(new GaussianPrior(0, 1)));
        pooled.init(net.parent().params().dup(), false);
        BayesianNetworks.setDatasetSize(pooled, 30);
        double expected = pooled.score(new DataSet(data.features(), data.labels()), true);
        assertEquals(expected, hierarchical, 1e-6 * Math.abs(expected), "pooled " + expected + " hierarchical " + hierarchical);
    }

    /**
     * tau huge, the parent's std tiny: group g's weights are {@code m_p + tau delta_g}, and the objective is
     * {@code sum_g n_g / N * (group g's own network's objective, prior N(m_p, tau^2), N = n_g) + KL_parent / N}, with
     * the same draws (the group's network seeded as the hierarchical step seeds group g), N = 12 the examples.
     */
    @Test
    void hugeTauIsSeparateNetworks() {
        double tau = 1e6;
        HierarchicalNetwork net = HierarchicalNetwork.builder(conf(new GaussianPrior(0, 1)), 3).tauHyperprior(0).build();
        randomize(net, 9);
        INDArray all = net.parameters();
        int p = net.paramCount();
        setRho(net, 0, 1e-9);
        for (int g = 1; g <= 3; g++) {
            for (int i = 0; i < p; i++) {
                long k = (long) g * p + i;
                all.putScalar(0, k, isRho(net, k) ? StableMath.inverseSoftplus(0.1 / tau) : all.getDouble(0, k) / tau);
            }
        }
        net.setTau(tau);
        GroupedData data = data(3);
        int[] sizes = {5, 4, 3};
        double hierarchical = objective(net, data, new double[]{5 / 12.0, 4 / 12.0, 3 / 12.0}, 12);
        double expected = BayesianNetworks.klDivergence(parentWithN(net)) / 12;
        for (int g = 0; g < 3; g++) {
            MultiLayerNetwork group = net.groupNetwork(g);
            // the same network with the prior N(m_p, tau^2) on every Bayesian layer, fitted to group g alone
            MultiLayerConfiguration c = conf(new GaussianPrior(0, 1));
            for (int l = 0; l < 2; l++) {
                BayesianLayerConfig b = (BayesianLayerConfig) c.getConf(l).getLayer();
                INDArray m = new MeanFieldLayout(b).muBlock(net.parent().getLayer(l).params()).dup();
                b.getMeanField().setPrior(GaussianPrior.perParameter(m, tau));
            }
            MultiLayerNetwork separate = new MultiLayerNetwork(c);
            separate.init(group.params().dup(), false);
            BayesianNetworks.setDatasetSize(separate, sizes[g]);
            BayesianNetworks.setNoiseSeed(separate, HierarchicalNetwork.groupSeed(77, g));
            DataSet own = data.ofGroup(g);
            separate.setInput(own.getFeatures());
            separate.setLabels(own.getLabels());
            separate.computeGradientAndScore();
            expected += sizes[g] / 12.0 * separate.score();
        }
        assertEquals(expected, hierarchical, 1e-7 * Math.abs(expected), "separate " + expected + " hierarchical " + hierarchical);
    }

    private static MultiLayerNetwork parentWithN(HierarchicalNetwork net) {
        MultiLayerNetwork parent = net.parent();
        BayesianNetworks.setDatasetSize(parent, 30);
        return parent;
    }

    /** Fit, save, load, fit on = fit, fit: the optimizer state and the iteration count are saved. */
    @Test
    void saveLoadAndContinueTraining(@TempDir Path dir) throws Exception {
        GroupedData data = data(4);
        HierarchicalAdvi advi = HierarchicalAdvi.builder().iterations(15).printEvery(0).seed(2).build();
        HierarchicalNetwork straight = HierarchicalNetwork.create(conf(new GaussianPrior(0, 1)), 3);
        advi.fit(straight, data);
        advi.fit(straight, data);
        HierarchicalNetwork first = HierarchicalNetwork.create(conf(new GaussianPrior(0, 1)), 3);
        advi.fit(first, data);
        Path file = dir.resolve("hierarchical.zip");
        first.save(file);
        HierarchicalNetwork loaded = HierarchicalNetwork.load(file);
        assertEquals(first.parameters(), loaded.parameters());
        advi.fit(loaded, data);
        assertEquals(straight.parameters(), loaded.parameters());
        // group networks predict as the group's posterior
        MultiLayerNetwork g1 = loaded.groupNetwork(1);
        BayesianNetworks.setInferenceMode(g1, InferenceMode.MEAN);
        MultiLayerNetwork s1 = straight.groupNetwork(1);
        BayesianNetworks.setInferenceMode(s1, InferenceMode.MEAN);
        assertEquals(s1.output(data.features()), g1.output(data.features()));
    }

    /** A new group: weights N(m_p, s_p^2 + tau^2), as a network and as a per-parameter prior. */
    @Test
    void newGroupIsTheParentsPredictive() {
        HierarchicalNetwork net = HierarchicalNetwork.builder(conf(new GaussianPrior(0, 1)), 2).initialTau(0.3).build();
        randomize(net, 12);
        net.setTau(0.3);
        MultiLayerNetwork unseen = net.newGroupNetwork();
        for (int l = 0; l < 2; l++) {
            BayesianLayerConfig b = (BayesianLayerConfig) unseen.getLayer(l).conf().getLayer();
            MeanFieldLayout layout = new MeanFieldLayout(b);
            INDArray m = layout.muBlock(net.parent().getLayer(l).params());
            INDArray rhoParent = layout.rhoBlock(net.parent().getLayer(l).params());
            INDArray mu = layout.muBlock(unseen.getLayer(l).params());
            INDArray rho = layout.rhoBlock(unseen.getLayer(l).params());
            GaussianPrior prior = net.newGroupPrior(l);
            for (int i = 0; i < m.length(); i++) {
                double s = StableMath.softplus(rhoParent.getDouble(i));
                double expectedStd = Math.sqrt(s * s + 0.09);
                assertEquals(m.getDouble(i), mu.getDouble(i), 1e-12);
                assertEquals(expectedStd, StableMath.softplus(rho.getDouble(i)), 1e-9);
                assertEquals(m.getDouble(i), prior.mean(i), 1e-12);
                assertEquals(expectedStd, prior.std(i), 1e-9);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> net.newGroupPrior(2));
    }

    /** FLOAT and DOUBLE networks train (mixed and per-group minibatches) and stay finite; HALF is refused by name. */
    @Test
    void trainsInFloatAndDouble() {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            MultiLayerConfiguration c = conf(new GaussianPrior(0, 1), Estimator.REPARAMETERIZATION, type);
            for (HierarchicalAdvi.Minibatches mode : HierarchicalAdvi.Minibatches.values()) {
                HierarchicalNetwork net = HierarchicalNetwork.create(c, 3);
                io.github.dl4jbayes.training.ElboHistory h = HierarchicalAdvi.builder().iterations(30).batchSize(4)
                        .minibatches(mode).printEvery(0).build().fit(net, data(6));
                assertTrue(Double.isFinite(h.last()), type + " " + mode);
                assertEquals(type, net.parent().params().dataType());
            }
        }
        MultiLayerConfiguration half = conf(new GaussianPrior(0, 1), Estimator.REPARAMETERIZATION, DataType.HALF);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HierarchicalNetwork.create(half, 2)).getMessage()
                .contains("HALF"));
    }

    /**
     * Awkward but valid data fit without error: a group with no examples (it stays at the parent's predictive) and a
     * group of one example; features of the wrong width are refused with a message naming them, the network unchanged.
     */
    @Test
    void emptyAndSingleExampleGroupsAndWrongWidths() {
        HierarchicalNetwork net = HierarchicalNetwork.create(conf(new GaussianPrior(0, 1)), 4);
        GroupedData d = data(1);
        int[] g = d.groups();
        g[g.length - 1] = 3;                        // group 3 has one example; no group is left empty below 3
        GroupedData withSingle = new GroupedData(d.features(), d.labels(), g);
        int[] noTwo = d.groups();
        for (int i = 0; i < noTwo.length; i++) {
            if (noTwo[i] == 2) {
                noTwo[i] = 3;                       // group 2 empty
            }
        }
        for (GroupedData data : new GroupedData[]{withSingle, new GroupedData(d.features(), d.labels(), noTwo)}) {
            ElboHistory h = HierarchicalAdvi.builder().iterations(20).printEvery(0).build().fit(net, data);
            assertTrue(Double.isFinite(h.last()), "ELBO " + h.last());
        }
        INDArray before = net.parent().params().dup();
        GroupedData wide = new GroupedData(Nd4j.zeros(DataType.DOUBLE, 12, 3), d.labels(), d.groups());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HierarchicalAdvi.builder().iterations(1).printEvery(0).build().fit(net, wide));
        assertTrue(e.getMessage().contains("Features of shape [5, 3]") && e.getMessage().contains("nIn = 2"),
                e.getMessage());
        assertEquals(before, net.parent().params(), "nothing half-changed");
    }

    @Test
    void badInputIsNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HierarchicalNetwork.create(conf(
                new GaussianPrior(0, 1)), 0)).getMessage().contains("groups must be >= 1"));
        HierarchicalNetwork net = HierarchicalNetwork.create(conf(new GaussianPrior(0, 1)), 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HierarchicalAdvi.builder().iterations(1).build().fit(net, data(1)));
        assertTrue(e.getMessage().contains("group index 2") && e.getMessage().contains("[0, 2)"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> net.groupNetwork(-1)).getMessage()
                .contains("group index -1"));
        assertThrows(IllegalArgumentException.class, () -> new GroupedData(Nd4j.zeros(2, 2), Nd4j.zeros(2, 1),
                new int[]{0, -1}));
        MultiLayerConfiguration withBatchNorm = new NeuralNetConfiguration.Builder().list()
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(2).nOut(3).build())
                .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().nOut(3).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(3).nOut(1)
                        .activation(Activation.SIGMOID).build())
                .build();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HierarchicalNetwork.create(withBatchNorm, 2))
                .getMessage().contains("batch normalization"));
    }
}
