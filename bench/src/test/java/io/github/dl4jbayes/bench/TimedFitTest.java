package io.github.dl4jbayes.bench;

import io.github.dl4jbayes.examples.Options;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The timing command that benchmark row 10 runs in child JVMs prints one line per fit. */
class TimedFitTest {

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
