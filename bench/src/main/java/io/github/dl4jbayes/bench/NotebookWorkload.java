package io.github.dl4jbayes.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark row 10: the notebook's workload as a user runs it, {@code Advi.fit} of the seed network on the
 * notebook's 500 points, timed from the start of {@code fit} to its end ({@link TimedFit}): cold (the first fit in a
 * fresh JVM: one child JVM per run) and warm (a second fit in the same JVM), for 10,000 and 50,000 iterations, full
 * batch and minibatches of 50, and the benchmark's 784-400-400-10 network (100 steps, Bayesian and plain);
 * optionally DL4J's standard step as the baseline and PyTorch's figures from the same run
 * ({@code bench/scripts/pytorch_bbb.py}).
 */
final class NotebookWorkload {
    private static final Pattern FIT = Pattern.compile("^fit: ([0-9.]+) s");
    private static final Pattern TORCH = Pattern.compile(
            "^notebook BBB, (\\d+) iterations, (full batch|batch (\\d+)): ([0-9.]+) s");
    private static final Pattern TORCH_LARGE = Pattern.compile(
            "^784-400-400-10 ReLU, batch 128, (BBB|plain) step: median ([0-9.]+) ms.*first (\\d+) steps ([0-9.]+) ms");

    /** Steps per fit of the large network. */
    private static final int LARGE_STEPS = 100;
    /**
     * Fits of the large network per child JVM: its warm figure is the last one's. On a 2-core machine the JIT keeps
     * compiling DL4J's and ND4J's Java side for the first ~400 steps (about 10 s) of this network, so the second fit
     * of 100 steps is not warm yet (docs/performance.md).
     */
    private static final int LARGE_FITS = 5;

    private NotebookWorkload() {
    }

    static List<String> run(int coldRuns, boolean baseline, String python, int torchThreads, String script)
            throws IOException {
        List<String> rows = new ArrayList<>();
        rows.add("| # | notebook workload (2-5-5-1, 500 points, Advi.fit, timed from start to end of fit) "
                + "| cold: first fit in a fresh JVM | warm: second fit | PyTorch BBB, same run |");
        rows.add("|---|---|---|---|---|");
        List<String> torch = python == null ? List.of() : pytorch(python, torchThreads, script);
        int[][] configs = {{10_000, 0}, {10_000, 50}, {50_000, 0}, {50_000, 50}};
        for (boolean standard : baseline ? new boolean[]{false, true} : new boolean[]{false}) {
            for (int[] c : configs) {
                if (standard && c[0] > 10_000) {
                    continue;                    // the standard step takes minutes at 50,000
                }
                double[] cold = new double[coldRuns];
                double[] warm = new double[coldRuns];
                for (int r = 0; r < coldRuns; r++) {
                    List<String> args = new ArrayList<>(List.of("--iterations", String.valueOf(c[0]), "--batch",
                            String.valueOf(c[1])));
                    if (standard) {
                        args.add("--standard");
                    }
                    double[] fits = child(args, 2);
                    cold[r] = fits[0];
                    warm[r] = fits[1];
                }
                String torchCell = "";
                for (String line : torch) {
                    Matcher m = TORCH.matcher(line);
                    if (m.find() && Integer.parseInt(m.group(1)) == c[0]
                            && (c[1] == 0 ? m.group(3) == null : String.valueOf(c[1]).equals(m.group(3)))) {
                        torchCell = m.group(4) + " s";
                    }
                }
                String row = String.format(Locale.ROOT, "| 10 | %,d iterations, %s, %s step | %s s | %s s | %s |",
                        c[0], c[1] == 0 ? "full batch" : "minibatches of " + c[1], standard ? "DL4J's standard" : "fused",
                        Benchmarks.rangeOf(cold, "%.2f"), Benchmarks.rangeOf(warm, "%.2f"), torchCell);
                System.out.println(row);
                rows.add(row);
            }
        }
        for (boolean plain : new boolean[]{false, true}) {
            double[] cold = new double[coldRuns];
            double[] warm = new double[coldRuns];
            for (int r = 0; r < coldRuns; r++) {
                List<String> args = new ArrayList<>(List.of("--network", "large", "--iterations",
                        String.valueOf(LARGE_STEPS)));
                if (plain) {
                    args.add("--plain");
                }
                double[] fits = child(args, LARGE_FITS);
                cold[r] = 1000 * fits[0] / LARGE_STEPS;
                warm[r] = 1000 * fits[LARGE_FITS - 1] / LARGE_STEPS;
            }
            String torchCell = "";
            for (String line : torch) {
                Matcher m = TORCH_LARGE.matcher(line);
                if (m.find() && m.group(1).equals(plain ? "plain" : "BBB")) {
                    torchCell = String.format(Locale.ROOT, "first %s steps %s ms, then median %s ms", m.group(3),
                            m.group(4), m.group(2));
                }
            }
            String row = String.format(Locale.ROOT, "| 10 | 784-400-400-10 ReLU, batch 128, %s, fits of %d steps, ms "
                            + "per step (warm: fit %d of the JVM) | %s ms | %s ms | %s |", plain ? "plain DL4J (`net.fit`) / "
                            + "plain PyTorch" : "Bayesian (`Advi.fit`) / PyTorch BBB", LARGE_STEPS, LARGE_FITS,
                    Benchmarks.rangeOf(cold, "%.1f"),
                    Benchmarks.rangeOf(warm, "%.1f"), torchCell);
            System.out.println(row);
            rows.add(row);
        }
        for (String line : torch) {
            if (line.startsWith("PyTorch")) {
                rows.add("| 10 | PyTorch: " + line + " | | | |");
            }
        }
        return rows;
    }

    /** @return the seconds of each of the {@code fits} fits of one child JVM, the cold one first */
    private static double[] child(List<String> timefitArgs, int fits) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        if (io.github.dl4jbayes.internal.meanfield.VectorSupport.modulePresent()) {
            command.addAll(List.of("--add-modules", "jdk.incubator.vector"));      // as this JVM: the SIMD kernel
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                Bench.class.getName(), "timefit", "--repeat", String.valueOf(fits)));
        command.addAll(timefitArgs);
        List<String> lines = exec(command);
        double[] seconds = new double[fits];
        int k = 0;
        for (String line : lines) {
            Matcher m = FIT.matcher(line);
            if (m.find() && k < fits) {
                seconds[k++] = Double.parseDouble(m.group(1));
            }
        }
        if (k < fits) {
            throw new IOException("timefit printed no timings: " + String.join("\n", lines));
        }
        return seconds;
    }

    private static List<String> pytorch(String python, int threads, String script) throws IOException {
        if (!Files.exists(Path.of(script))) {
            throw new IOException("PyTorch script not found: " + script + " (run from the repository root, or give "
                    + "--pytorch-script PATH)");
        }
        List<String> lines = exec(List.of(python, script, "--threads", String.valueOf(threads)));
        lines.forEach(l -> System.out.println("  " + l));
        return lines;
    }

    private static List<String> exec(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines.add(line);
            }
        }
        try {
            int rc = p.waitFor();
            if (rc != 0) {
                throw new IOException(command.get(0) + " exited with " + rc + ": " + String.join("\n", lines));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return lines;
    }
}
