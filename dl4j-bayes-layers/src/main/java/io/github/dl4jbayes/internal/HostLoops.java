package io.github.dl4jbayes.internal;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Whether ND4J's backend keeps its arrays in host memory, so that the library may work on them from Java (element by
 * element or by bulk copies): the Java-loop kernel of small layers, the Java noise sampler and the fused training
 * step. Those paths are fast on the CPU backend and wrong on a GPU backend (CUDA), where every access from Java is a
 * transfer between host and device. A network's layers decide by their kernel policy
 * ({@code KernelPolicy} of the layers package), which defaults to this detection; and the system properties
 * the policy's defaults read ({@link #booleanProperty}).
 */
public final class HostLoops {
    /** The system property {@code dl4jbayes.hostLoops} (read once): true, false, or null where it is not set. */
    public static final Boolean DEFAULT_SETTING = booleanProperty("dl4jbayes.hostLoops");

    private HostLoops() {
    }

    /**
     * @param setting a kernel policy's setting: true or false, or null to detect
     * @return the setting where there is one, else {@link #backendInHostMemory()}
     */
    public static boolean hostMemory(Boolean setting) {
        return setting != null ? setting : backendInHostMemory();
    }

    /** @return the default policy's answer: {@link #hostMemory(Boolean)} of {@link #DEFAULT_SETTING} */
    public static boolean defaultHostMemory() {
        return hostMemory(DEFAULT_SETTING);
    }

    /** @return whether ND4J's backend keeps its arrays in host memory (the CPU backend) */
    public static boolean backendInHostMemory() {
        return Nd4j.getEnvironment().isCPU();
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
