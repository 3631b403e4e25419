package io.github.dl4jbayes.ui;

import io.vertx.ext.web.RoutingContext;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.core.storage.StatsStorageEvent;
import org.deeplearning4j.ui.api.HttpMethod;
import org.deeplearning4j.ui.i18n.I18NResource;
import org.deeplearning4j.ui.api.Route;
import org.deeplearning4j.ui.api.UIModule;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The "Bayesian" page of DL4J's training UI, found by the UI server through Java's service loader (this module's
 * {@code META-INF/services} entry): {@code /bayes} charts the ELBO, its expected log-likelihood and KL parts and
 * each Bayesian layer's mean posterior standard deviation against the step, from the {@link BayesianStatsReport}s
 * that {@link BayesianStatsListener} stores; {@code /bayes/data} serves them as JSON
 * ({@code {"sessions": [...], "session": id, "iterations": [...], "elbo": [...], "kl": [...],
 * "expectedLogLikelihood": [...], "klWeight": [...], "posteriorStd": {layer: [...]}}}; {@code ?session=ID} picks a
 * session, else the one updated last, else the last listed).
 */
public class BayesianUIModule implements UIModule {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<StatsStorage> storages = new CopyOnWriteArrayList<>();
    private volatile String lastSession;

    @Override
    public List<String> getCallbackTypeIDs() {
        return Collections.singletonList(BayesianStatsReport.TYPE_ID);
    }

    @Override
    public List<Route> getRoutes() {
        return List.of(new Route("/bayes", HttpMethod.GET, (path, rc) -> page(rc)),
                new Route("/bayes/data", HttpMethod.GET, (path, rc) -> data(rc)));
    }

    @Override
    public void reportStorageEvents(Collection<StatsStorageEvent> events) {
        for (StatsStorageEvent e : events) {
            if (BayesianStatsReport.TYPE_ID.equals(e.getTypeID())) {
                lastSession = e.getSessionID();
            }
        }
    }

    @Override
    public void onAttach(StatsStorage statsStorage) {
        storages.add(statsStorage);
    }

    @Override
    public void onDetach(StatsStorage statsStorage) {
        storages.remove(statsStorage);
    }

    @Override
    public List<I18NResource> getInternationalizationResources() {
        return Collections.emptyList();
    }

    private void page(RoutingContext rc) {
        try (InputStream in = BayesianUIModule.class.getResourceAsStream("bayes.html")) {
            if (in == null) {
                throw new IOException("bayes.html missing from the dl4j-bayes-ui jar");
            }
            rc.response().putHeader("content-type", "text/html; charset=utf-8")
                    .end(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            rc.response().setStatusCode(500).end(e.getMessage());
        }
    }

    private void data(RoutingContext rc) {
        String session = rc.request().getParam("session");
        try {
            rc.response().putHeader("content-type", "application/json")
                    .end(JSON.writeValueAsString(series(session != null ? session : lastSession)));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the JSON object of {@code session}'s reports (all sessions listed; no series for an unknown one) */
    Map<String, Object> series(String session) {
        List<String> sessions = new ArrayList<>();
        for (StatsStorage storage : storages) {
            for (String id : storage.listSessionIDs()) {
                if (!storage.listWorkerIDsForSessionAndType(id, BayesianStatsReport.TYPE_ID).isEmpty()) {
                    sessions.add(id);
                }
            }
        }
        if (session == null && !sessions.isEmpty()) {
            session = sessions.get(sessions.size() - 1);       // a storage attached after its training: no events
        }
        List<BayesianStatsReport> reports = new ArrayList<>();
        for (StatsStorage storage : storages) {
            if (session != null) {
                for (Persistable p : storage.getAllUpdatesAfter(session, BayesianStatsReport.TYPE_ID, 0)) {
                    if (p instanceof BayesianStatsReport) {
                        reports.add((BayesianStatsReport) p);
                    }
                }
            }
        }
        reports.sort((a, b) -> Long.compare(a.getIteration(), b.getIteration()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sessions", sessions);
        out.put("session", session);
        List<Long> iterations = new ArrayList<>();
        List<Double> elbo = new ArrayList<>();
        List<Double> kl = new ArrayList<>();
        List<Double> logLikelihood = new ArrayList<>();
        List<Double> klWeight = new ArrayList<>();
        Map<String, List<Double>> std = new LinkedHashMap<>();
        for (BayesianStatsReport r : reports) {
            iterations.add(r.getIteration());
            elbo.add(r.getElbo());
            kl.add(r.getKl());
            logLikelihood.add(r.getExpectedLogLikelihood());
            klWeight.add(r.getKlWeight());
            for (Map.Entry<String, Double> e : r.getMeanPosteriorStd().entrySet()) {
                std.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
            }
        }
        out.put("iterations", iterations);
        out.put("elbo", elbo);
        out.put("expectedLogLikelihood", logLikelihood);
        out.put("kl", kl);
        out.put("klWeight", klWeight);
        out.put("posteriorStd", std);
        return out;
    }
}
