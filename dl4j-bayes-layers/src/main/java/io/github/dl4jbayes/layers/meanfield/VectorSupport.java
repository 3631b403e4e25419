package io.github.dl4jbayes.layers.meanfield;

/**
 * Whether large FLOAT layers use the SIMD kernel ({@link VectorKernel}): it needs Java's incubating Vector API, the
 * module {@code jdk.incubator.vector}, which a JVM resolves only when asked to: start Java with
 * {@code --add-modules jdk.incubator.vector} (the project's Maven build does so for its tests, the README's commands
 * for the examples). Without it the layers fall back to {@link JavaLoopKernel}, several times slower on large layers
 * but otherwise the same model. This class refers to no Vector API type, so that it loads on any JVM.
 *
 * <p>The system property {@code dl4jbayes.vectorKernel=false} (or {@link #override}) turns the SIMD kernel off;
 * layers choose their kernel when their parameters are bound, so set it before building networks.
 */
public final class VectorSupport {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(VectorSupport.class);
    private static final boolean MODULE_PRESENT = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    private static volatile Boolean override = HostLoops.booleanProperty("dl4jbayes.vectorKernel");
    private static volatile boolean hinted;

    private VectorSupport() {
    }

    /** @return whether the Vector API module is resolved in this JVM ({@code --add-modules jdk.incubator.vector}) */
    public static boolean modulePresent() {
        return MODULE_PRESENT;
    }

    /** @return whether layers bound from now on may use the SIMD kernel: the module is present and not turned off */
    public static boolean enabled() {
        Boolean o = override;
        return MODULE_PRESENT && (o == null || o);
    }

    /**
     * Turns the SIMD kernel off ({@code false}) or back on ({@code true} or {@code null}: on where the module is
     * present), for tests and benchmarks. Networks built afterwards follow it.
     */
    public static void override(Boolean allowed) {
        override = allowed;
    }

    /** Says once per JVM, at INFO, how to get the SIMD kernel when a large FLOAT layer could have used it. */
    static void hintOnce(String layerName) {
        if (!MODULE_PRESENT && !hinted) {
            hinted = true;
            log.info("Bayesian layer '{}' uses the Java-loop kernel: start Java with --add-modules "
                    + "jdk.incubator.vector for the SIMD kernel of large FLOAT layers (several times faster element-wise "
                    + "work per step; said once)", layerName);
        }
    }
}
