package io.github.dl4jbayes.examples;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The examples' minibatch iterator hands out minibatches, not the whole dataset. */
class MinibatchesTest {

    @Test
    void minibatchesAreOfTheRequestedSize() {
        DataSet train = MoonsData.notebook().train();
        DataSetIterator it = Minibatches.of(train, 50);
        assertEquals(50, it.batch());
        int batches = 0;
        int examples = 0;
        while (it.hasNext()) {
            DataSet b = it.next();
            assertEquals(50, b.numExamples(), "batch " + batches);
            batches++;
            examples += b.numExamples();
        }
        assertEquals(10, batches);
        assertEquals(500, examples);
        it.reset();
        assertTrue(it.hasNext());
    }
}
