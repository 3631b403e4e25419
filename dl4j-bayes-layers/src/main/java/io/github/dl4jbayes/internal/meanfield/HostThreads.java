package io.github.dl4jbayes.internal.meanfield;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A daemon thread on which the kernels of large layers draw their noise (the Java-loop kernel from the layer's
 * generator, in its order; the SIMD kernel from a seed the caller takes from it; so the draws do not depend on
 * threads) while the calling thread computes the softplus. The examples run
 * ND4J with one OpenMP thread (tiny operations are faster so), which leaves the second core idle during the Bayesian
 * layers' element-wise work; this uses part of it. (Splitting the softplus and the other loops between two threads
 * as well was measured and gained nothing on the project's 2-core machine.) A task owns the arrays it was given
 * until {@link Task#await()} returns, which also publishes what it wrote. On a machine with one processor, or with the system property
 * {@code dl4jbayes.hostThreads=false}, nothing is started and the caller does all the work.
 */
final class HostThreads {
    private static final boolean ENABLED = Runtime.getRuntime().availableProcessors() > 1
            && !"false".equalsIgnoreCase(System.getProperty("dl4jbayes.hostThreads"));
    private static final ExecutorService EXECUTOR = ENABLED ? Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dl4j-bayes-noise");
        t.setDaemon(true);
        return t;
    }) : null;

    private HostThreads() {
    }

    /** A task in progress on a host thread. */
    static final class Task {
        private final Future<?> future;

        private Task(Future<?> future) {
            this.future = future;
        }

        /** Waits for the task to finish; rethrows what it threw. */
        void await() {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        future.get();
                        return;
                    } catch (InterruptedException e) {
                        interrupted = true;          // the task must finish before its arrays are read
                    }
                }
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException) {
                    throw (RuntimeException) cause;
                }
                if (cause instanceof Error) {
                    throw (Error) cause;
                }
                throw new IllegalStateException("a host thread's task failed", cause);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** @return the started task, or null where no host thread is used (the caller then runs {@code work} itself) */
    private static Task start(Runnable work) {
        return ENABLED ? new Task(EXECUTOR.submit(work)) : null;
    }

    /**
     * Runs {@code background} on the host thread while the calling thread runs {@code foreground} (without a host
     * thread, {@code background} first, then {@code foreground}); returns when both are done, and rethrows what
     * either threw. {@code background} must not touch what {@code foreground} does.
     */
    static void alongside(Runnable background, Runnable foreground) {
        Task pending = start(background);
        if (pending == null) {
            background.run();
        }
        try {
            foreground.run();
        } finally {
            if (pending != null) {
                pending.await();
            }
        }
    }
}
