package io.github.dl4jbayes.internal.meanfield;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Standard-normal noise in single precision, many lanes at a time (Java's Vector API): the uniform numbers are
 * SplitMix64's, the generator behind {@link java.util.SplittableRandom}, evaluated at a Weyl sequence
 * {@code seed + k * gamma} lane by lane (the {@code k}-th output of a SplittableRandom seeded at {@code seed}); each
 * 64-bit output gives two 24-bit uniforms, and Box-Muller turns pairs of them into pairs of normals (with
 * {@link VectorMath}'s logarithm, sine and cosine: the same bits whether the loop runs interpreted or compiled). One
 * call fills an array from one seed, so a draw is a function of that seed alone; {@link VectorKernel} takes the seed
 * from the layer's own generator, one {@code nextLong()} per draw. The uniforms that go into the logarithm lie in
 * {@code [2^-24, 1]}, so a normal is at most {@code sqrt(48 ln 2) = 5.77} in magnitude (probability of a larger one
 * under N(0, 1): 8e-9, immaterial for the ELBO's gradient noise).
 */
final class VectorNoise {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorMath.I;
    private static final VectorSpecies<Float> F = VectorMath.F;
    /** Normals per block: two long vectors give {@code F.length()} pairs. */
    static final int BLOCK = 2 * F.length();
    private static final long GAMMA = 0x9e3779b97f4a7c15L;
    private static final float TWO_POW_M24 = 0x1.0p-24f;
    private static final LongVector LANE_GAMMA = LongVector.zero(L).addIndex(1).mul(GAMMA);

    private final float[] tail = new float[BLOCK];
    private final float[] radius = new float[F.length()];

    VectorNoise() {
        if (L.vectorBitSize() != F.vectorBitSize() || I.length() != F.length()) {
            throw new IllegalStateException("unexpected vector shapes: " + L + ", " + I + ", " + F);
        }
    }

    /** Fills {@code out[0..n)} with standard normals, a function of {@code seed} alone. */
    void fill(float[] out, int n, long seed) {
        int i = 0;
        long k = 0;
        for (; i + BLOCK <= n; i += BLOCK, k += 2L * L.length()) {
            block(seed, k, out, i);
        }
        if (i < n) {
            block(seed, k, tail, 0);
            System.arraycopy(tail, 0, out, i, n - i);
        }
    }

    /**
     * Writes {@link #BLOCK} normals into {@code out[at..]}, from outputs {@code k, k + 1, ...} of the sequence. In two
     * steps whose calls carry no vectors (each step's vector code is compiled as one unit, see {@link VectorMath}).
     */
    private void block(long seed, long k, float[] out, int at) {
        radii(seed, k, radius);
        angles(seed, k + L.length(), radius, out, at);
    }

    /** The Box-Muller radii {@code sqrt(-2 log u)}, {@code u} in (0, 1]: the log is finite. */
    private static void radii(long seed, long k, float[] radius) {
        FloatVector u = uniforms(seed, k).add(TWO_POW_M24);
        VectorMath.log(u).mul(-2f).lanewise(VectorOperators.SQRT).intoArray(radius, 0);
    }

    /** The normals {@code radius cos(2 pi u)} and {@code radius sin(2 pi u)}. */
    private static void angles(long seed, long k, float[] radius, float[] out, int at) {
        VectorMath.polarInto(FloatVector.fromArray(F, radius, 0), uniforms(seed, k), out, at, at + F.length());
    }

    /** {@code F.length()} uniforms in [0, 1) on the 24-bit grid, from {@code L.length()} SplitMix64 outputs. */
    private static FloatVector uniforms(long seed, long k) {
        LongVector z = LANE_GAMMA.add(seed + (k + 1) * GAMMA);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xbf58476d1ce4e5b9L);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94d049bb133111ebL);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
        IntVector bits = z.reinterpretAsInts().lanewise(VectorOperators.LSHR, 8);
        return ((FloatVector) bits.convert(VectorOperators.I2F, 0)).mul(TWO_POW_M24);
    }
}
