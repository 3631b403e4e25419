package io.github.dl4jbayes.ui;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.layers.BayesianLayer;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.layers.MeanFieldLayout;
import io.github.dl4jbayes.internal.StableMath;
import io.github.dl4jbayes.training.ElboListener;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.impl.SbeStorageMetaData;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Sends the Bayesian side of training to DL4J's stats storage, in the same session as DL4J's own
 * {@link StatsListener} (whose score chart shows the negative ELBO per example): every {@code frequency} steps a
 * {@link BayesianStatsReport} with the ELBO, its KL and expected log-likelihood parts, the KL weight and each
 * Bayesian layer's mean posterior standard deviation. {@link BayesianUIModule} charts them on the UI's
 * {@code /bayes} page.
 *
 * <pre>{@code
 * UIServer ui = UIServer.getInstance();                 // http://localhost:9000
 * StatsStorage storage = new InMemoryStatsStorage();
 * ui.attach(storage);
 * StatsListener stats = new StatsListener(storage);
 * net.setListeners(stats, new BayesianStatsListener(storage, stats));
 * advi.fit(net, data, 64);      // DL4J's pages at /train, the ELBO parts and posterior stds at /bayes
 * }</pre>
 */
public class BayesianStatsListener extends BaseTrainingListener {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BayesianStatsListener.class);
    private final StatsStorageRouter router;
    private final StatsListener session;
    private final String workerId;
    private final int frequency;
    private long lastTimeStamp;
    private boolean started;
    private volatile RuntimeException refused;

    /** Reports every step, in {@code session}'s session and worker. */
    public BayesianStatsListener(StatsStorageRouter router, StatsListener session) {
        this(router, session, 1);
    }

    /**
     * @param router    where the reports go (the storage attached to the UI)
     * @param session   DL4J's stats listener on the same network: the reports join its session
     * @param frequency report every this many steps (&gt; 0)
     */
    public BayesianStatsListener(StatsStorageRouter router, StatsListener session, int frequency) {
        this.router = Objects.requireNonNull(router, "router must not be null");
        this.session = Objects.requireNonNull(session, "session must not be null");
        ArgumentChecks.positive("frequency", frequency);
        this.frequency = frequency;
        this.workerId = "worker_0";
    }

    /**
     * @return whether the listener still sends reports: false after the storage refused one (e.g. a
     *         {@code FileStatsStorage} that was closed), when it stops reporting and lets training go on
     */
    public boolean isReporting() {
        return refused == null;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        long step = iteration + 1L;
        if (step % frequency != 0 || refused != null) {
            return;
        }
        double elbo = ElboListener.elbo(model);
        double kl = BayesianNetworks.klDivergenceOfLastScore(model);     // the step's, as the ELBO's
        // stats storage keys a worker's updates by time stamp: strictly increasing, or a fast step overwrites one
        long now = Math.max(System.currentTimeMillis(), lastTimeStamp + 1);
        lastTimeStamp = now;
        BayesianStatsReport report = new BayesianStatsReport(session.getSessionID(), workerId, now, step, elbo, kl,
                BayesianNetworks.getKlWeight(model), meanPosteriorStd(model));
        try {
            send(report, now);
        } catch (RuntimeException e) {
            // only the storage's own failures: a closed FileStatsStorage throws MapDB's VolumeIOError, and an
            // hours-long fit should not die of a UI's storage
            refused = e;
            LOG.warn("BayesianStatsListener: the stats storage (router) refused the report of step {} ({}); was it "
                    + "closed? Reports stop here, training goes on.", step, e.toString());
        }
    }

    private void send(BayesianStatsReport report, long now) {
        if (!started) {
            // the storage lists a session's workers of a type from its static info; the metadata names the class
            // a file-backed storage decodes the records into
            router.putStorageMetaData(new SbeStorageMetaData(now, session.getSessionID(), BayesianStatsReport.TYPE_ID,
                    workerId, BayesianStatsReport.class, BayesianStatsReport.class));
            router.putStaticInfo(report);
            started = true;
        }
        router.putUpdate(report);
    }

    /** @return per Bayesian layer (its name, else its index), the mean posterior std of its weights */
    static Map<String, Double> meanPosteriorStd(Model model) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (BayesianLayer b : BayesianNetworks.bayesianLayers(model)) {
            Layer layer = (Layer) b;
            String name = layer.conf().getLayer().getLayerName();
            double[] sigma = StableMath.sigmas(layer.getParam(MeanFieldLayout.WEIGHT_RHO));   // the layer's own sigmas
            out.put(name != null ? name : String.valueOf(layer.getIndex()),
                    java.util.Arrays.stream(sigma).average().orElse(Double.NaN));
        }
        return out;
    }
}
