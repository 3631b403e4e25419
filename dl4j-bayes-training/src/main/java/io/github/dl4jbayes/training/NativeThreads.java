package io.github.dl4jbayes.training;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The number of threads ND4J's CPU backend uses for its own operations (OpenMP) and for BLAS (matrix products),
 * set while the program runs: the same effect as starting the JVM with {@code OMP_NUM_THREADS=n}, which ND4J and
 * OpenBLAS read only at start-up. On small machines one thread is often faster: on the 2-core machine of
 * {@code docs/performance.md}, the 784-400-400-10 step took about 13 ms with one thread against 19-38 ms with ND4J's
 * default of two (waking the second thread costs more than it saves, and two ND4J programs at once slow each other
 * down ten-fold). Measure on your machine with the benchmark runner before choosing.
 */
public final class NativeThreads {
    private static final Logger log = LoggerFactory.getLogger(NativeThreads.class);

    private NativeThreads() {
    }

    /**
     * Sets ND4J's OpenMP threads and BLAS threads to {@code threads} (CPU backend; other backends are left alone).
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static void set(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (!Nd4j.getEnvironment().isCPU()) {
            log.info("ND4J threads left to the {} backend", Nd4j.getBackend().getClass().getSimpleName());
            return;
        }
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
        log.info("ND4J threads: {} (OpenMP and BLAS)", threads);
    }
}
