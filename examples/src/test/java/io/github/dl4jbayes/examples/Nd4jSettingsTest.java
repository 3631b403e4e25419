package io.github.dl4jbayes.examples;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Nd4jSettingsTest {

    @Test
    void aNativeBuildTheUserChoseIsKeptAndOtherwiseTheCpuDecides() throws java.io.IOException {
        String before = System.getProperty(Nd4jSettings.EXTENSION_PROPERTY);
        try {
            System.setProperty(Nd4jSettings.EXTENSION_PROPERTY, "-avx512");
            assertEquals("-avx512", Nd4jSettings.chooseNativeBuild());
            System.clearProperty(Nd4jSettings.EXTENSION_PROPERTY);
            String chosen = Nd4jSettings.chooseNativeBuild();
            // the examples carry the generic and the AVX2 natives (no AVX-512 ones): AVX2 exactly where the CPU has it
            String expected = cpuHasAvx2() ? "-avx2" : "";
            assertEquals(expected, chosen);
            assertEquals(expected, System.getProperty(Nd4jSettings.EXTENSION_PROPERTY));
        } finally {
            if (before == null) {
                System.clearProperty(Nd4jSettings.EXTENSION_PROPERTY);
            } else {
                System.setProperty(Nd4jSettings.EXTENSION_PROPERTY, before);
            }
        }
    }

    private static boolean cpuHasAvx2() throws java.io.IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        return Files.isReadable(cpuinfo) && Files.readAllLines(cpuinfo).stream()
                .filter(line -> line.startsWith("flags"))
                .findFirst().map(line -> List.of(line.split("\\s+")).contains("avx2")).orElse(false);
    }

    @Test
    void threadsBelowOneAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Nd4jSettings.setThreads(0));
        assertTrue(e.getMessage().contains("threads"));
    }
}
