package io.github.dl4jbayes.layers;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Broken JSON configurations of Bayesian layers fail in DL4J's parser with an exception whose message chain names
 * what is wrong (never a NullPointerException): a truncated document, a field of the wrong type, an unknown prior.
 */
class BrokenJsonTest {
    static String json() {
        return new NeuralNetConfiguration.Builder().list()
                .layer(new BayesianDenseLayer.Builder().nIn(2).nOut(3).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2)
                        .activation(Activation.SOFTMAX).build()).build().toJson();
    }

    static String messages(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause()) {
            assertTrue(!(c instanceof NullPointerException), "a NullPointerException in the chain");
            b.append(c.getMessage()).append(" | ");
        }
        return b.toString();
    }

    @Test
    void truncated() {
        String json = json();
        String m = messages(assertThrows(RuntimeException.class,
                () -> MultiLayerConfiguration.fromJson(json.substring(0, json.length() / 2))));
        assertTrue(m.contains("end-of-input"), m);
    }

    @Test
    void wrongType() {
        String json = json().replaceFirst("\"initialPosteriorStd\" : [0-9.eE-]+", "\"initialPosteriorStd\" : \"abc\"");
        assertTrue(json.contains("\"abc\""));
        String m = messages(assertThrows(RuntimeException.class, () -> MultiLayerConfiguration.fromJson(json)));
        assertTrue(m.contains("initialPosteriorStd") && m.contains("abc"), m);
    }

    @Test
    void unknownPrior() {
        String json = json().replaceFirst("GaussianPrior", "NoSuchPrior");
        assertTrue(json.contains("NoSuchPrior"));
        String m = messages(assertThrows(RuntimeException.class, () -> MultiLayerConfiguration.fromJson(json)));
        assertTrue(m.contains("NoSuchPrior") && m.contains("Prior"), m);
    }
}
