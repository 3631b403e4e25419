package io.github.dl4jbayes.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's resident memory as Linux reports it in {@code /proc/self/status}; -1 where that file is absent. */
public final class ResidentMemory {
    private ResidentMemory() {
    }

    /** @return the resident set now (VmRSS), in MB, or -1 */
    public static long currentMb() {
        return read("VmRSS");
    }

    /** @return the largest resident set so far (VmHWM, the high-water mark), in MB, or -1 */
    public static long peakMb() {
        return read("VmHWM");
    }

    private static long read(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
