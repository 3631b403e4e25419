package io.github.dl4jbayes.training;

import java.util.random.RandomGenerator;

/**
 * The Fisher-Yates shuffle used wherever the library and its examples put examples in a random order, so that one
 * seeded generator (a {@code java.util.Random} or a {@code SplittableRandom}) always gives the same order.
 */
public final class Shuffle {
    private Shuffle() {
    }

    /** Shuffles {@code values} in place with {@code random}. */
    public static void inPlace(int[] values, RandomGenerator random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }

    /** @return {@code 0 .. n-1} in a random order drawn from {@code random} */
    public static int[] permutation(int n, RandomGenerator random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        inPlace(order, random);
        return order;
    }
}
