package io.github.dl4jbayes.training;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Nd4jSettingsTest {

    @Test
    void aNativeBuildTheUserChoseIsKept() {
        String before = System.getProperty(Nd4jSettings.EXTENSION_PROPERTY);
        try {
            System.setProperty(Nd4jSettings.EXTENSION_PROPERTY, "-avx512");
            assertEquals("-avx512", Nd4jSettings.chooseNativeBuild());
            System.clearProperty(Nd4jSettings.EXTENSION_PROPERTY);
            String chosen = Nd4jSettings.chooseNativeBuild();
            // the test class path has the generic natives only: whatever the CPU, nothing else is present
            assertEquals("", chosen);
            assertEquals("", System.getProperty(Nd4jSettings.EXTENSION_PROPERTY));
        } finally {
            if (before == null) {
                System.clearProperty(Nd4jSettings.EXTENSION_PROPERTY);
            } else {
                System.setProperty(Nd4jSettings.EXTENSION_PROPERTY, before);
            }
        }
    }

    @Test
    void threadsBelowOneAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Nd4jSettings.setThreads(0));
        assertTrue(e.getMessage().contains("threads"));
    }
}
