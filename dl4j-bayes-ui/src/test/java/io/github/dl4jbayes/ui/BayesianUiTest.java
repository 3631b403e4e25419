package io.github.dl4jbayes.ui;

import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.training.Advi;
import io.github.dl4jbayes.training.ConjugateRegression;
import io.github.dl4jbayes.training.ElboHistory;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.ui.VertxUIServer;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DL4J's training UI on a free loopback port: a Bayesian network trains a few ADVI steps with DL4J's
 * {@code StatsListener} and the {@link BayesianStatsListener}; the score series comes back over HTTP from DL4J's
 * own overview endpoint, and the ELBO, KL, likelihood and posterior std series from the {@code /bayes} page's data,
 * equal to what training recorded. The server is stopped after.
 */
class BayesianUiTest {
    private static final int STEPS = 25;
    private static final ObjectMapper JSON = new ObjectMapper();

    private VertxUIServer ui;

    @AfterEach
    void stop() throws Exception {
        if (ui != null) {
            ui.stop();
        }
    }

    @Test
    void scoreAndElboSeriesComeBackOverHttp() throws Exception {
        int port = freePort();
        ui = VertxUIServer.getInstance(port, false, null);
        StatsStorage storage = new InMemoryStatsStorage();
        ui.attach(storage);

        ConjugateRegression problem = new ConjugateRegression();
        MultiLayerNetwork net = problem.network(new Adam(0.05));
        StatsListener stats = new StatsListener(storage, 1);      // every step (DL4J's default is every 10th)
        net.setListeners(stats, new BayesianStatsListener(storage, stats));
        ElboHistory history = Advi.builder().datasetSize(ConjugateRegression.N).iterations(STEPS).printEvery(0)
                .klAnnealingIterations(10).build().fit(net, problem.data());

        String base = "http://127.0.0.1:" + port;
        // DL4J's overview: one score per step, the network's score (the negative ELBO per example, KL weighted)
        JsonNode overview = poll(base + "/train/overview/data", j -> j.path("scores").size() == STEPS);

        // the Bayesian page: the ELBO equals the training history; ELBO = E[log p(D|w)] - KL; the warm-up's weights
        JsonNode bayes = poll(base + "/bayes/data", j -> j.path("iterations").size() == STEPS);
        assertEquals(stats.getSessionID(), bayes.path("session").asText());
        double[] elbo = history.elbos();
        for (int i = 0; i < STEPS; i++) {
            assertEquals(i + 1, bayes.path("iterations").get(i).asLong());
            assertEquals(elbo[i], bayes.path("elbo").get(i).asDouble(), 1e-9 * Math.abs(elbo[i]));
            double kl = bayes.path("kl").get(i).asDouble();
            assertTrue(kl > 0, "KL > 0");
            assertEquals(bayes.path("elbo").get(i).asDouble() + kl, bayes.path("expectedLogLikelihood").get(i).asDouble(),
                    1e-9 * Math.abs(elbo[i]));
            double w = bayes.path("klWeight").get(i).asDouble();
            assertEquals(Math.min(1.0, (i + 1) / 10.0), w, 1e-12);
            // DL4J's score of the same step: the negative ELBO per example with the KL weighted by w
            assertEquals(i, overview.path("scoresIter").get(i).asInt(), "DL4J counts iterations from 0");
            assertEquals(-(elbo[i] + (1 - w) * kl) / ConjugateRegression.N, overview.path("scores").get(i).asDouble(),
                    1e-9 * Math.abs(elbo[i]));
        }
        // the last KL is the one the last step's score held (its parameters before the update), the posterior std the
        // network's now (the reports are taken after each step)
        assertEquals(BayesianNetworks.klDivergenceOfLastScore(net), bayes.path("kl").get(STEPS - 1).asDouble(), 1e-9);
        JsonNode std = bayes.path("posteriorStd");
        assertEquals(1, std.size(), "one Bayesian layer");
        double expected = BayesianStatsListener.meanPosteriorStd(net).values().iterator().next();
        assertEquals(expected, std.elements().next().get(STEPS - 1).asDouble(), 1e-12);

        // the page itself is served
        HttpResponse<String> page = get(base + "/bayes");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("/bayes/data"));
    }

    /** A file-backed storage keeps the reports: reopened later, the page's data are the training's. */
    @Test
    void reportsLastInAFileStatsStorage(@TempDir Path dir) throws Exception {
        File file = dir.resolve("stats.dl4j").toFile();
        ConjugateRegression problem = new ConjugateRegression();
        MultiLayerNetwork net = problem.network(new Adam(0.05));
        FileStatsStorage storage = new FileStatsStorage(file);
        StatsListener stats = new StatsListener(storage, 1);
        net.setListeners(stats, new BayesianStatsListener(storage, stats, 5));
        ElboHistory history = Advi.builder().datasetSize(ConjugateRegression.N).iterations(STEPS).printEvery(0).build()
                .fit(net, problem.data());
        storage.close();

        FileStatsStorage reopened = new FileStatsStorage(file);
        try {
            BayesianUIModule module = new BayesianUIModule();
            module.onAttach(reopened);
            Map<String, Object> data = module.series(null);      // no events from a reopened file: the last session
            assertEquals(List.of(stats.getSessionID()), data.get("sessions"));
            assertEquals(stats.getSessionID(), data.get("session"));
            assertEquals(List.of(5L, 10L, 15L, 20L, 25L), data.get("iterations"), "every 5th step");
            @SuppressWarnings("unchecked")
            List<Double> elbo = (List<Double>) data.get("elbo");
            for (int k = 0; k < 5; k++) {
                assertEquals(history.elbos()[5 * k + 4], elbo.get(k), 0.0);
            }
        } finally {
            reopened.close();
        }
    }

    /**
     * A closed file storage refuses writes (MapDB's VolumeIOError, which DL4J's own StatsListener lets escape from
     * the training step): the Bayesian listener warns, stops reporting, and the fit goes on to the same result.
     */
    @Test
    void aClosedStorageStopsTheReportsNotTheTraining(@TempDir Path dir) throws Exception {
        ConjugateRegression problem = new ConjugateRegression();
        MultiLayerNetwork withUi = problem.network(new Adam(0.05));
        MultiLayerNetwork without = problem.network(new Adam(0.05));
        FileStatsStorage storage = new FileStatsStorage(dir.resolve("closed.dl4j").toFile());
        StatsListener stats = new StatsListener(storage, 1);
        storage.close();
        BayesianStatsListener listener = new BayesianStatsListener(storage, stats, 1);
        withUi.setListeners(listener);
        Advi advi = Advi.builder().datasetSize(ConjugateRegression.N).iterations(STEPS).printEvery(0).fused(false)
                .build();
        advi.fit(withUi, problem.data());
        advi.fit(without, problem.data());
        assertTrue(!listener.isReporting(), "the listener stopped reporting");
        assertEquals(STEPS, withUi.getIterationCount());
        org.junit.jupiter.api.Assertions.assertArrayEquals(without.params().toDoubleVector(),
                withUi.params().toDoubleVector(), "the same fit as without the listener");
        assertThrows(RuntimeException.class, () -> stats.iterationDone(without, 0, 0),
                "DL4J's own StatsListener lets the storage's error escape");
    }

    @Test
    void badArgumentsAreNamed() {
        StatsStorage storage = new InMemoryStatsStorage();
        StatsListener stats = new StatsListener(storage);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new BayesianStatsListener(storage, stats, 0))
                .getMessage().contains("frequency"));
        assertTrue(assertThrows(NullPointerException.class, () -> new BayesianStatsListener(null, stats))
                .getMessage().contains("router"));
    }

    @Test
    void reportsSurviveEncoding() {
        BayesianStatsReport r = new BayesianStatsReport("s", "w", 12L, 7, -10.5, 2.25, 0.5,
                java.util.Map.of("layer0", 0.125));
        BayesianStatsReport back = new BayesianStatsReport();
        back.decode(r.encode());
        assertEquals("s", back.getSessionID());
        assertEquals("w", back.getWorkerID());
        assertEquals(12L, back.getTimeStamp());
        assertEquals(7, back.getIteration());
        assertEquals(-8.25, back.getExpectedLogLikelihood(), 0);
        assertEquals(0.5, back.getKlWeight(), 0);
        assertEquals(0.125, back.getMeanPosteriorStd().get("layer0"), 0);
        assertEquals(r.encode().length, r.encodingLengthBytes());
    }

    /** GETs {@code url} until its JSON satisfies {@code done} (the UI routes storage events asynchronously), 30 s at most. */
    private static JsonNode poll(String url, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = get(url);
            if (r.statusCode() == 200 && !r.body().isEmpty()) {
                last = JSON.readTree(r.body());
                if (done.test(last)) {
                    return last;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no complete answer from " + url + " within 30 s; last: " + last);
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
