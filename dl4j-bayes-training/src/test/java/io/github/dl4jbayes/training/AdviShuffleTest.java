package io.github.dl4jbayes.training;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** In-memory minibatch ADVI: real minibatches, reshuffled every pass, reproducible from the network's seed. */
class AdviShuffleTest {
    private static final int ITERATIONS = 25;   // 2.5 passes over 100 examples in minibatches of 10

    private static Advi.Builder advi() {
        return Advi.builder().datasetSize(100).iterations(ITERATIONS).printEvery(0);
    }

    private static double maxDiff(MultiLayerNetwork a, MultiLayerNetwork b) {
        return a.params().sub(b.params()).amaxNumber().doubleValue();
    }

    @Test
    void shuffledMinibatchFitsRepeatFromTheSeedAndLeaveTheDataAlone() {
        DataSet data = AdviTest.data(100);
        INDArray before = data.getFeatures().dup();
        MultiLayerNetwork a = AdviTest.net(0.05, false);
        MultiLayerNetwork b = AdviTest.net(0.05, false);
        advi().build().fit(a, data, 10);
        advi().build().fit(b, data, 10);
        assertEquals(0.0, maxDiff(a, b), "same seed, same fit");
        assertEquals(2, a.getEpochCount(), "25 minibatches of 10 out of 100 examples: two passes completed");
        assertEquals(before, data.getFeatures(), "the caller's data keep their order");
    }

    @Test
    void withoutShufflingItIsTheIteratorOfTheSameMinibatchesAndWithItNot() {
        DataSet data = AdviTest.data(100);
        MultiLayerNetwork ordered = AdviTest.net(0.05, false);
        MultiLayerNetwork iterated = AdviTest.net(0.05, false);
        MultiLayerNetwork shuffled = AdviTest.net(0.05, false);
        advi().shuffle(false).build().fit(ordered, data, 10);
        advi().build().fit(iterated, new ListDataSetIterator<>(data.batchBy(10), 1));
        advi().build().fit(shuffled, data, 10);
        assertTrue(maxDiff(ordered, iterated) < 1e-12, "unshuffled: the same minibatches in the same order");
        assertTrue(maxDiff(ordered, shuffled) > 1e-6, "shuffled: other minibatches");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = org.nd4j.linalg.api.buffer.DataType.class,
            names = {"HALF", "FLOAT", "DOUBLE"})
    void everyPassVisitsEveryExampleOnceInANewOrder(org.nd4j.linalg.api.buffer.DataType type) {
        DataSet d = AdviTest.data(23);                    // 3 minibatches of 10, 10, 3
        DataSet data = new DataSet(d.getFeatures().castTo(type), d.getLabels().castTo(type));
        ShuffledMinibatches m = new ShuffledMinibatches(data, 10, true, 9);
        Set<String> firstPass = new HashSet<>();
        StringBuilder order0 = new StringBuilder();
        StringBuilder order1 = new StringBuilder();
        for (int pass = 0; pass < 2; pass++) {
            assertTrue(m.passDone());
            m.newPass(pass);
            Set<String> seen = new HashSet<>();
            int rows = 0;
            while (!m.passDone()) {
                org.nd4j.linalg.dataset.api.DataSet b = m.next();
                assertEquals(type, b.getFeatures().dataType());
                for (int r = 0; r < b.numExamples(); r++) {
                    String row = b.getFeatures().getRow(r).toString() + b.getLabels().getRow(r).toString();
                    seen.add(row);
                    (pass == 0 ? order0 : order1).append(row);
                    rows++;
                }
            }
            assertEquals(23, rows);
            assertEquals(23, seen.size(), "each example once");
            if (pass == 0) {
                firstPass.addAll(seen);
            } else {
                assertEquals(firstPass, seen, "the same examples");
            }
        }
        assertNotEquals(order0.toString(), order1.toString(), "a new order in the second pass");
    }

    @Test
    void aBatchSizeBelowOneIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> advi().build().fit(AdviTest.net(0.05, false), AdviTest.data(10), 0));
        assertTrue(e.getMessage().contains("batchSize"));
    }
}
