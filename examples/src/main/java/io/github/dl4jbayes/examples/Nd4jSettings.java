package io.github.dl4jbayes.examples;

import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Two settings of ND4J's CPU backend that decide its speed on a given machine, chosen from the measurements in
 * {@code docs/performance.md}:
 *
 * <ul>
 *   <li>{@link #chooseNativeBuild()}: which build of ND4J's natives to load when several are on the class path (the
 *       generic x86-64 build runs on any x86-64 CPU; ND4J's AVX2 build was 10-20% faster on the large network of the
 *       benchmark). Call it first thing in {@code main}, before anything touches ND4J.</li>
 *   <li>{@link #setThreads(int)}: ND4J's OpenMP and BLAS threads, while the program runs (like starting the JVM with
 *       {@code OMP_NUM_THREADS=n}, which ND4J and OpenBLAS read only at start-up). On the 2-core machine of the
 *       benchmark one thread was faster for every network measured.</li>
 * </ul>
 *
 * The examples call both; a library user may, or may leave ND4J's defaults.
 */
public final class Nd4jSettings {
    private static final Logger log = LoggerFactory.getLogger(Nd4jSettings.class);
    /** JavaCPP's system property naming the build ("-avx2", "-avx512"; empty: the generic build). */
    public static final String EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";
    /** The builds to prefer, in order, when the CPU runs them and their natives are on the class path. */
    private static final List<String> PREFERRED = List.of("-avx2", "-avx512");

    private Nd4jSettings() {
    }

    /**
     * Chooses which of ND4J's native builds on the class path this CPU loads, by setting JavaCPP's
     * {@value #EXTENSION_PROPERTY}: the AVX2 build where the CPU has AVX2 and its natives are present (else the
     * AVX-512 build under the same conditions), else the generic build, which every x86-64 CPU runs. Without the
     * property, JavaCPP loads the first build it finds whether or not the CPU can run it. A value the user set already
     * is kept. Has no effect once ND4J has loaded its natives: call it before anything touches ND4J.
     *
     * @return the build chosen: "-avx2", "-avx512", or "" for the generic build
     */
    public static String chooseNativeBuild() {
        String set = System.getProperty(EXTENSION_PROPERTY);
        if (set != null) {
            return set;
        }
        String flags = cpuFlags();
        String chosen = "";
        for (String extension : PREFERRED) {
            String flag = extension.equals("-avx2") ? "avx2" : "avx512f";
            if (flags.contains(" " + flag + " ") && nativesPresent(extension)) {
                chosen = extension;
                break;
            }
        }
        System.setProperty(EXTENSION_PROPERTY, chosen);
        log.debug("ND4J native build: {}", chosen.isEmpty() ? "generic" : chosen.substring(1));
        return chosen;
    }

    /** @return the CPU's feature flags, space-separated with a space at each end ("" where they cannot be read) */
    private static String cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return " " + line.substring(line.indexOf(':') + 1).trim().toLowerCase(Locale.ROOT) + " ";
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("CPU flags unreadable ({}): the generic ND4J build", e.toString());
        }
        return "";
    }

    /** @return whether ND4J's natives of the build {@code extension} are on the class path */
    private static boolean nativesPresent(String extension) {
        String resource = "org/nd4j/linalg/cpu/nativecpu/bindings/" + Loader.getPlatform() + extension + "/"
                + System.mapLibraryName("jnind4jcpu");
        ClassLoader loader = Nd4jSettings.class.getClassLoader();
        return (loader != null ? loader.getResource(resource) : ClassLoader.getSystemResource(resource)) != null;
    }

    /**
     * Sets ND4J's OpenMP threads and BLAS threads to {@code threads} (CPU backend; other backends are left alone).
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static void setThreads(int threads) {
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

    /**
     * Sets ND4J's threads before an example runs, and returns the arguments without {@code --threads}: the value given,
     * else (without OMP_NUM_THREADS in the environment) one thread on machines with at most two cores, where the
     * benchmark measured one thread faster than ND4J's default (docs/performance.md), else ND4J's default.
     *
     * @param args a program's options
     * @return {@code args} without {@code --threads N}
     */
    public static String[] applyThreadsOption(String[] args) {
        java.util.List<String> rest = new java.util.ArrayList<>();
        Integer threads = null;
        for (int i = 0; i < args.length; i++) {
            if ("--threads".equals(args[i]) && i + 1 < args.length) {
                try {
                    threads = Integer.parseInt(args[++i]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--threads needs an integer, got '" + args[i] + "'");
                }
            } else {
                rest.add(args[i]);
            }
        }
        if (threads == null && System.getenv("OMP_NUM_THREADS") == null
                && Runtime.getRuntime().availableProcessors() <= 2) {
            threads = 1;
        }
        if (threads != null) {
            setThreads(threads);
        }
        return rest.toArray(new String[0]);
    }
}
