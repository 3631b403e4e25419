package io.github.dl4jbayes.internal;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Whether the library may work on ND4J arrays from Java, element by element or by bulk copies into their memory:
 * the Java-loop kernel of small layers ({@code JavaLoopKernel}), the Java noise sampler ({@code JavaNoise}) and the
 * fused training step. Those paths are fast on the CPU backend, whose arrays live in host memory, and wrong on a GPU
 * backend (CUDA), where every access from Java is a transfer between host and device: there the layers use ND4J
 * operations whatever their size (layers with pruned parameters excepted: only the Java loops skip them), noise from
 * ND4J's own generator ({@code Noise}), and priors without ND4J forms bulk copies instead of element-wise access.
 *
 * <p>Detected from ND4J's backend ({@code Nd4j.getEnvironment().isCPU()}). The system property
 * {@code dl4jbayes.hostLoops=false} (or {@link #override}) makes the CPU backend take the GPU's paths, so that they
 * are tested without a GPU; {@code true} forces the host paths. Layers choose their kernel when their parameters are
 * bound, so set it before building networks.
 */
public final class HostLoops {
    private static volatile Boolean override = booleanProperty("dl4jbayes.hostLoops");

    private HostLoops() {
    }

    /** @return whether Java loops over ND4J arrays are allowed: the CPU backend, unless overridden */
    public static boolean allowed() {
        Boolean o = override;
        return o != null ? o : Nd4j.getEnvironment().isCPU();
    }

    /**
     * Overrides the detection, for tests and benchmarks: {@code false} takes the GPU's paths on any backend,
     * {@code true} the host paths, {@code null} restores the detection. Networks built afterwards follow it.
     */
    public static void override(Boolean allowed) {
        override = allowed;
    }

    /**
     * @return the system property {@code name} as a Boolean, or null when it is not set
     * @throws IllegalArgumentException if it is set to something other than true or false
     */
    public static Boolean booleanProperty(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("System property " + name + " must be true or false, got '" + value + "'");
        }
        return Boolean.valueOf(value);
    }
}
