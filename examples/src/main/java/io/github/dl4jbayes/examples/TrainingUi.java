package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.ui.BayesianStatsListener;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.ui.VertxUIServer;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;

import java.io.IOException;

/**
 * The examples' {@code --ui} option: DL4J's training UI (port 9000, or {@code --ui-port P}) with DL4J's
 * {@code StatsListener} and the library's {@link BayesianStatsListener} on the network; after training the example
 * waits for Enter so that the charts can still be read.
 */
final class TrainingUi {
    static final String OPTION = "--ui (DL4J's training UI at http://localhost:9000/train and /bayes; --ui-port P)";

    private TrainingUi() {
    }

    /** Starts the UI and adds the two listeners to {@code net} if {@code --ui} was given. */
    static void attachIfAsked(Options o, Model net) {
        if (!o.flag("ui")) {
            return;
        }
        int port = o.integer("ui-port", VertxUIServer.DEFAULT_UI_PORT);
        VertxUIServer ui = VertxUIServer.getInstance(port, false, null);
        StatsStorage storage = new InMemoryStatsStorage();
        ui.attach(storage);
        StatsListener stats = new StatsListener(storage);
        net.addListeners(stats, new BayesianStatsListener(storage, stats));
        System.out.printf("Training UI: http://localhost:%d/train (DL4J's pages) and http://localhost:%d/bayes "
                + "(ELBO, KL, likelihood, posterior std per layer)%n", port, port);
    }

    /** With {@code --ui}: waits for Enter, then stops the UI server. */
    static void waitIfAttached(Options o) {
        if (!o.flag("ui")) {
            return;
        }
        System.out.println("Press Enter to stop the training UI.");
        try {
            System.in.read();
            VertxUIServer.stopInstance();
        } catch (IOException e) {
            System.err.println("Could not read standard input: " + e.getMessage());
        } catch (Exception e) {
            System.err.println("Stopping the UI server failed: " + e.getMessage());
        }
    }
}
