package io.github.dl4jbayes.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packages of the library's main sources (every module) form layers: no import cycle between packages other than
 * DL4J's configuration-implementation pair ({@code layers} naming {@code layers.impl} in {@code instantiate},
 * {@code initializer} and {@code getMemoryReport}), and no user API package that needs an {@code internal} one in
 * a way that loops back. Reads the sources (imports and fully qualified names), as {@code docs/design.md} describes.
 */
class PackageLayeringTest {
    private static final String ROOT_PACKAGE = "io.github.dl4jbayes.";
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)", Pattern.MULTILINE);
    private static final Pattern QUALIFIED = Pattern.compile("\\b(io\\.github\\.dl4jbayes\\.[\\w.]+)");
    /** DL4J's configuration -> implementation edge, the one cycle allowed. */
    private static final String[] PAIR = {"layers", "layers.impl"};

    @Test
    void theOnlyCycleBetweenPackagesIsDl4jsConfigurationImplementationPair() throws IOException {
        Map<String, Set<String>> graph = packageGraph(projectRoot());
        assertTrue(graph.containsKey("layers") && graph.containsKey("internal.meanfield") && graph.size() >= 15,
                "found the library's packages: " + graph.keySet());
        assertTrue(graph.get(PAIR[0]).remove(PAIR[1]), "the configurations name their implementations");
        List<List<String>> cycles = stronglyConnected(graph);
        assertEquals(List.of(), cycles, "packages that import each other (directly or through others)");
    }

    @Test
    void theInternalPackagesAreBelowTheUserApiTheyServe() throws IOException {
        Map<String, Set<String>> graph = packageGraph(projectRoot());
        for (String internal : List.of("internal", "internal.meanfield", "internal.estimators", "internal.fused")) {
            for (String user : List.of("training", "predict", "metrics", "hierarchical", "active", "plot", "ui",
                    "spark", "baselines")) {
                assertTrue(!graph.getOrDefault(internal, Set.of()).contains(user), internal + " imports " + user);
            }
        }
        assertTrue(graph.get("internal").isEmpty(), "internal is the bottom layer: " + graph.get("internal"));
    }

    private static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("dl4j-bayes-layers"))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "the project root (with dl4j-bayes-layers) above " + Path.of("").toAbsolutePath());
        return dir;
    }

    /** @return package (without {@value #ROOT_PACKAGE}) to the packages it refers to, from the main sources */
    static Map<String, Set<String>> packageGraph(Path root) throws IOException {
        Map<String, String> packageOfClass = new HashMap<>();
        Map<String, List<String>> sourcesOfPackage = new TreeMap<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/main/java"))).toList()) {
                try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
                    files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
                        try {
                            String source = Files.readString(f);
                            Matcher m = PACKAGE.matcher(source);
                            if (!m.find() || !m.group(1).startsWith(ROOT_PACKAGE)) {
                                return;
                            }
                            String pkg = m.group(1).substring(ROOT_PACKAGE.length());
                            String name = f.getFileName().toString().replace(".java", "");
                            packageOfClass.put(pkg + "." + name, pkg);
                            sourcesOfPackage.computeIfAbsent(pkg, k -> new ArrayList<>()).add(source);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                }
            }
        }
        Map<String, Set<String>> graph = new TreeMap<>();
        sourcesOfPackage.forEach((pkg, sources) -> {
            Set<String> to = new TreeSet<>();
            for (String source : sources) {
                for (Pattern p : new Pattern[]{IMPORT, QUALIFIED}) {
                    Matcher m = p.matcher(source);
                    while (m.find()) {
                        String target = packageOf(m.group(1), packageOfClass);
                        if (target != null && !target.equals(pkg)) {
                            to.add(target);
                        }
                    }
                }
            }
            graph.put(pkg, to);
        });
        return graph;
    }

    /** @return the package of the longest prefix of {@code name} that is one of the library's classes, or null */
    private static String packageOf(String name, Map<String, String> packageOfClass) {
        if (!name.startsWith(ROOT_PACKAGE)) {
            return null;
        }
        String[] parts = name.substring(ROOT_PACKAGE.length()).split("\\.");
        for (int k = parts.length; k > 0; k--) {
            String pkg = packageOfClass.get(String.join(".", java.util.Arrays.copyOf(parts, k)));
            if (pkg != null) {
                return pkg;
            }
        }
        return null;
    }

    /** @return the strongly connected components of more than one package (Tarjan's algorithm) */
    static List<List<String>> stronglyConnected(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        List<String> stack = new ArrayList<>();
        Set<String> onStack = new TreeSet<>();
        List<List<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                visit(v, graph, index, low, stack, onStack, out, counter);
            }
        }
        return out;
    }

    private static void visit(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
                              Map<String, Integer> low, List<String> stack, Set<String> onStack,
                              List<List<String>> out, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.add(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                visit(w, graph, index, low, stack, onStack, out, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> component = new ArrayList<>();
            String w;
            do {
                w = stack.remove(stack.size() - 1);
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                component.sort(null);
                out.add(component);
            }
        }
    }
}
