package io.github.dl4jbayes.internal;

import java.util.random.RandomGenerator;

/**
 * The SplitMix64 generator with its whole state in one {@code long} that can be read and restored: the same values
 * as {@link java.util.SplittableRandom} constructed with the same seed, for every method of
 * {@link RandomGenerator} (both advance a Weyl sequence by the golden gamma and mix it, and both take
 * {@code nextGaussian}, {@code nextDouble} and the bounded draws from {@code RandomGenerator}'s defaults), so that
 * a layer's noise can be saved mid-fit and continued exactly. {@code SplittableRandom} keeps its state private.
 * Not thread-safe.
 */
public final class SplitMixRandom implements RandomGenerator {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private long state;

    /** @param seed the seed: the generator gives {@code new SplittableRandom(seed)}'s values */
    public SplitMixRandom(long seed) {
        this.state = seed;
    }

    /** @return the whole state of the generator: {@link #setState} with it continues the sequence from here */
    public long state() {
        return state;
    }

    /** @param state a value of {@link #state()}: the values that follow are the ones that followed it */
    public void setState(long state) {
        this.state = state;
    }

    @Override
    public long nextLong() {
        long z = state += GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    @Override
    public int nextInt() {
        long z = state += GOLDEN_GAMMA;
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
    }
}
