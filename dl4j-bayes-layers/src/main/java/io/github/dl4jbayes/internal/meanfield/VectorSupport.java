package io.github.dl4jbayes.internal.meanfield;


/**
 * Whether large FLOAT layers use the SIMD kernel ({@link VectorKernel}): it needs Java's incubating Vector API, the
 * module {@code jdk.incubator.vector}, which a JVM resolves only when asked to: start Java with
 * {@code --add-modules jdk.incubator.vector} (the project's Maven build does so for its tests, the README's commands
 * for the examples). Without it the layers fall back to {@link JavaLoopKernel}, several times slower on large layers
 * but otherwise the same model. This class refers to no Vector API type, so that it loads on any JVM.
 *
 * <p>The kernel is used only where the CPU's SIMD registers hold at least {@value #MIN_VECTOR_BITS} bits (AVX and
 * later on x86; so neither on SSE-only x86 nor on 128-bit ARM NEON, where it was not measured; see
 * {@link #MIN_VECTOR_BITS}). The system property
 * {@code dl4jbayes.vectorKernel=false} (or a network's {@code KernelPolicy}) turns the SIMD kernel off;
 * layers choose their kernel when their parameters are bound or their policy is set.
 */
public final class VectorSupport {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(VectorSupport.class);
    private static final boolean MODULE_PRESENT = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    /**
     * The SIMD width the kernel needs: 256 bits (AVX and later on x86). With 128-bit vectors (SSE only) JDK 17 leaves
     * some of the kernel's 64-bit integer operations uncompiled, and they then allocate an object per operation:
     * gigabytes per draw of a large layer, far slower than the Java-loop kernel (measured with {@code -XX:UseAVX=0}).
     */
    static final int MIN_VECTOR_BITS = 256;
    private static final boolean WIDE_ENOUGH = MODULE_PRESENT && VectorWidth.bits() >= MIN_VECTOR_BITS;
    private static volatile boolean hinted;

    private VectorSupport() {
    }

    /** @return whether the CPU's preferred SIMD vectors are wide enough for the kernel (false without the module) */
    public static boolean wideEnough() {
        return WIDE_ENOUGH;
    }

    /** @return whether the Vector API module is resolved in this JVM ({@code --add-modules jdk.incubator.vector}) */
    public static boolean modulePresent() {
        return MODULE_PRESENT;
    }

    /**
     * @param setting the layer's kernel policy's setting: false turns the SIMD kernel off, true or null allow it
     * @return whether a layer may use the SIMD kernel: the module is present, the CPU's vectors hold at least
     *         {@value #MIN_VECTOR_BITS} bits, and the policy does not turn it off
     */
    public static boolean enabled(Boolean setting) {
        return WIDE_ENOUGH && (setting == null || setting);
    }

    /** Says once per JVM, at INFO, how to get the SIMD kernel when a large FLOAT layer could have used it. */
    static void hintOnce(String layerName) {
        if (!MODULE_PRESENT && !hinted) {       // (with the module but too narrow vectors there is nothing to suggest)
            hinted = true;
            log.info("Bayesian layer '{}' uses the Java-loop kernel: start Java with --add-modules "
                    + "jdk.incubator.vector for the SIMD kernel of large FLOAT layers (several times faster element-wise "
                    + "work per step; said once)", layerName);
        }
    }
}
