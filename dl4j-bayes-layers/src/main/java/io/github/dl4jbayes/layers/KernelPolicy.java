package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.internal.HostLoops;

import java.util.Objects;

/**
 * How a network's Bayesian layers compute their element-wise work (draws, gradient completion, KL): an immutable
 * value held by each layer instance ({@link BayesianLayer#kernelPolicy()}), set per network with
 * {@link BayesianNetworks#setKernelPolicy}. Nothing in it changes the model, only where and how the arithmetic runs.
 *
 * <ul>
 *   <li><b>host memory</b>: whether the layers may work on ND4J arrays from Java (element by element or by bulk
 *       copies): true on ND4J's CPU backend, whose arrays live in host memory; false on a GPU backend, where every
 *       access from Java is a transfer, so the layers take ND4J operations whatever their size, and ND4J's generator
 *       for their noise. Unset: detected from the backend. Setting it false on the CPU runs the GPU's paths (tests).</li>
 *   <li><b>native threshold</b>: the block size (parameters per mu or rho block, default 2,048) from which the layers
 *       take the softplus's {@code exp} and {@code log} from ND4J and draw their noise on a second thread, and up to
 *       which {@code Advi}'s fused step covers a layer.</li>
 *   <li><b>vector kernel</b>: whether large FLOAT layers may use the SIMD kernel (Java's Vector API; it also needs
 *       {@code --add-modules jdk.incubator.vector} and 256-bit SIMD registers). Unset: wherever it can run.</li>
 * </ul>
 *
 * Serializable, so that it travels with a network's settings to Spark's workers.
 * {@link #defaults()} reads the system properties {@code dl4jbayes.hostLoops}, {@code dl4jbayes.nativeThreshold} and
 * {@code dl4jbayes.vectorKernel} once; every layer instance starts with it.
 */
public final class KernelPolicy implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** The default block size from which layers take the softplus's transcendental functions from ND4J. */
    public static final int DEFAULT_NATIVE_THRESHOLD = 2048;
    private static final KernelPolicy DEFAULTS = new KernelPolicy(HostLoops.DEFAULT_SETTING,
            Integer.getInteger("dl4jbayes.nativeThreshold", DEFAULT_NATIVE_THRESHOLD),
            HostLoops.booleanProperty("dl4jbayes.vectorKernel"));

    private final Boolean hostMemory;
    private final int nativeThreshold;
    private final Boolean vectorKernel;

    private KernelPolicy(Boolean hostMemory, int nativeThreshold, Boolean vectorKernel) {
        this.hostMemory = hostMemory;
        this.nativeThreshold = ArgumentChecks.positive("nativeThreshold", nativeThreshold);
        this.vectorKernel = vectorKernel;
    }

    /** @return the policy every layer starts with: detection, overridden by the {@code dl4jbayes.*} system properties */
    public static KernelPolicy defaults() {
        return DEFAULTS;
    }

    /**
     * @param hostMemory whether the layers may work on ND4J arrays from Java; null: detected from the backend
     * @return this policy with that setting
     */
    public KernelPolicy withHostMemory(Boolean hostMemory) {
        return new KernelPolicy(hostMemory, nativeThreshold, vectorKernel);
    }

    /**
     * @param nativeThreshold the block size from which the layers take ND4J's transcendental functions (&gt; 0)
     * @return this policy with that setting
     * @throws IllegalArgumentException if {@code nativeThreshold <= 0}
     */
    public KernelPolicy withNativeThreshold(int nativeThreshold) {
        return new KernelPolicy(hostMemory, nativeThreshold, vectorKernel);
    }

    /**
     * @param vectorKernel whether large FLOAT layers may use the SIMD kernel; null: wherever it can run
     * @return this policy with that setting
     */
    public KernelPolicy withVectorKernel(Boolean vectorKernel) {
        return new KernelPolicy(hostMemory, nativeThreshold, vectorKernel);
    }

    /** @return whether the layers may work on ND4J arrays from Java: the setting, or the backend's answer */
    public boolean hostMemory() {
        return HostLoops.hostMemory(hostMemory);
    }

    /** @return the block size from which the layers take ND4J's transcendental functions */
    public int nativeThreshold() {
        return nativeThreshold;
    }

    /** @return the SIMD kernel setting: true or false, or null for "wherever it can run" */
    public Boolean vectorKernel() {
        return vectorKernel;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof KernelPolicy)) {
            return false;
        }
        KernelPolicy k = (KernelPolicy) o;
        return Objects.equals(hostMemory, k.hostMemory) && nativeThreshold == k.nativeThreshold
                && Objects.equals(vectorKernel, k.vectorKernel);
    }

    @Override
    public int hashCode() {
        return Objects.hash(hostMemory, nativeThreshold, vectorKernel);
    }

    @Override
    public String toString() {
        return "KernelPolicy(hostMemory=" + (hostMemory == null ? "detect" : hostMemory) + ", nativeThreshold="
                + nativeThreshold + ", vectorKernel=" + (vectorKernel == null ? "where it runs" : vectorKernel) + ")";
    }
}
