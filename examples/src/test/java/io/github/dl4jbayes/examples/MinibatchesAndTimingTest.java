package io.github.dl4jbayes.examples;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The examples' minibatch iterator hands out minibatches, not the whole dataset; the timing command runs. */
class MinibatchesAndTimingTest {

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

    @Test
    void timedFitPrintsOneLinePerFit() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            TimedFit.run(Options.parse(new String[]{"--iterations", "30", "--batch", "50", "--repeat", "2"}));
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertEquals(2, out.lines().filter(l -> l.startsWith("fit: ")).count(), out);
        assertTrue(out.contains("30 iterations, batch 50, fused step"), out);
    }
}
