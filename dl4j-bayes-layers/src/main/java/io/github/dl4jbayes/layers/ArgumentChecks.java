package io.github.dl4jbayes.layers;

/** Argument validation shared by the layer builders. */
final class ArgumentChecks {
    private ArgumentChecks() {
    }

    static long positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
        return value;
    }
}
