package io.github.dl4jbayes.internal;

/** Argument validation shared by the library's builders: a clear exception that names the bad argument. */
public final class ArgumentChecks {
    private ArgumentChecks() {
    }

    /**
     * @return {@code value}
     * @throws IllegalArgumentException "{@code name} must be &gt; 0, got {@code value}" if {@code value <= 0}
     */
    public static long positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
        return value;
    }

    /** @return {@code value}; see {@link #positive(String, long)} */
    public static int positive(String name, int value) {
        return (int) positive(name, (long) value);
    }

    /**
     * @return {@code value}
     * @throws IllegalArgumentException "{@code name} must be &gt;= 0, got {@code value}" if {@code value < 0}
     */
    public static long nonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
        return value;
    }

    /** @return {@code value}; see {@link #nonNegative(String, long)} */
    public static int nonNegative(String name, int value) {
        return (int) nonNegative(name, (long) value);
    }

    /**
     * @return {@code value}
     * @throws IllegalArgumentException "{@code name} must be a finite number &gt; 0, got {@code value}" unless
     *                                  {@code 0 < value < infinity} (NaN included)
     */
    public static double positiveFinite(String name, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number > 0, got " + value);
        }
        return value;
    }

    /**
     * @return {@code value}
     * @throws IllegalArgumentException "{@code name} must be a finite number &gt;= 0, got {@code value}" unless
     *                                  {@code 0 <= value < infinity} (NaN included)
     */
    public static double nonNegativeFinite(String name, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number >= 0, got " + value);
        }
        return value;
    }
}
