package io.github.dl4jbayes.examples;

import java.util.HashMap;
import java.util.Map;

/** Minimal {@code --name value} / {@code --flag} command-line options. */
public final class Options {
    private final Map<String, String> values = new HashMap<>();

    /** @return the options of {@code args} ({@code --name value} pairs and {@code --flag}s) */
    public static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument '" + args[i] + "': options look like --name value");
            }
            String name = args[i].substring(2);
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                o.values.put(name, args[++i]);
            } else {
                o.values.put(name, "true");
            }
        }
        return o;
    }

    /** @return option {@code name}'s value, or {@code fallback} */
    public String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** @return option {@code name}'s integer value (underscores allowed), or {@code fallback} */
    public int integer(String name, int fallback) {
        String v = values.get(name);
        try {
            return v == null ? fallback : Integer.parseInt(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " needs an integer, got '" + v + "'");
        }
    }

    /** @return option {@code name}'s numeric value, or {@code fallback} */
    public double number(String name, double fallback) {
        String v = values.get(name);
        try {
            return v == null ? fallback : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " needs a number, got '" + v + "'");
        }
    }

    /** @return whether flag {@code name} is given */
    public boolean flag(String name) {
        return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }

    /** @return whether option {@code name} is given */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /**
     * @return option {@code name}'s integer value, or {@code fallback}
     * @throws IllegalArgumentException naming the option if the value is not an integer &gt; 0
     */
    public int positiveInteger(String name, int fallback) {
        int v = integer(name, fallback);
        if (v <= 0) {
            throw new IllegalArgumentException("--" + name + " must be > 0, got " + v);
        }
        return v;
    }

    /**
     * @return option {@code name}'s integer value, or {@code fallback}
     * @throws IllegalArgumentException naming the option if the value is not an integer &gt;= 0
     */
    public int nonNegativeInteger(String name, int fallback) {
        int v = integer(name, fallback);
        if (v < 0) {
            throw new IllegalArgumentException("--" + name + " must be >= 0, got " + v);
        }
        return v;
    }

    /**
     * @return option {@code name}'s numeric value, or {@code fallback}
     * @throws IllegalArgumentException naming the option if the value is not a finite number &gt; 0
     */
    public double positiveNumber(String name, double fallback) {
        return checkedPositive(name, number(name, fallback));
    }

    /**
     * @return option {@code name}'s comma-separated values ({@code 0.1} or {@code 0.1,0.2}), or {@code {fallback}}
     * @throws IllegalArgumentException naming the option if it holds more than {@code most} values, an empty one, or
     *                                  one that is not a finite number &gt; 0
     */
    public double[] positiveNumbers(String name, int most, double fallback) {
        String v = values.get(name);
        if (v == null) {
            return new double[]{checkedPositive(name, fallback)};
        }
        String[] parts = v.split(",", -1);
        if (parts.length > most) {
            throw new IllegalArgumentException("--" + name + " takes at most " + most + " values, got '" + v + "'");
        }
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " needs numbers, got '" + v + "'");
            }
            checkedPositive(name, out[i]);
        }
        return out;
    }

    private static double checkedPositive(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("--" + name + " must be a finite number > 0, got " + v);
        }
        return v;
    }
}
