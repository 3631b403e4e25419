package io.github.dl4jbayes.internal.meanfield;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The transcendental functions of the SIMD kernel, in single precision from IEEE arithmetic alone (add, multiply,
 * fused multiply-add, divide, square root, conversions and bit operations), each to a few units in the last place.
 * Why not the Vector API's own {@code EXP}, {@code LOG}, {@code SIN}: their results differ in the last bit between
 * interpreted code (Java's scalar functions) and compiled code (Intel's SVML), so a network's draws would depend on
 * when the JIT compiled the loop; from IEEE operations they are bit-identical in both, and a draw stays a function of
 * the seed.
 *
 * <p>Callers keep each vector loop's compilation unit small (C2 inlines a method of at most 325 bytecodes into a hot
 * loop, and stops inlining when the unit grows too large): a vector handed across a call that is not inlined is
 * allocated as an object, which costs more than the arithmetic.
 */
final class VectorMath {
    /** The vector shapes of the SIMD kernel, its noise and these functions: the CPU's preferred width. */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that {@code n * LN2_HI} is exact for |n| < 2^9 (Cody and Waite). */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer (round to nearest even). */
    private static final float ROUNDER = 12582912f;
    private static final float SQRT_HALF = 0.70710678118654752f;
    private static final float HALF_PI = 1.57079632679489662f;

    private VectorMath() {
    }

    /**
     * {@code exp(x)} for {@code x <= 0} (Cephes' single-precision polynomial after reduction by ln 2); below
     * {@code -87.3}, where the result leaves the normal numbers, {@code exp(-87.3) = 1.2e-38}. NaN gives NaN.
     */
    static FloatVector expNonPositive(FloatVector x) {
        x = x.max(-87.33654f);
        FloatVector t = x.fma(FloatVector.broadcast(F, LOG2E), FloatVector.broadcast(F, ROUNDER));
        FloatVector n = t.sub(ROUNDER);                                   // round(x / ln 2), exactly
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);                  // x - n ln 2, |r| <= ln(2) / 2
        FloatVector p = FloatVector.broadcast(F, 1.9875691500e-4f);
        p = p.fma(r, FloatVector.broadcast(F, 1.3981999507e-3f));
        p = p.fma(r, FloatVector.broadcast(F, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(F, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(F, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(F, 5.0000001201e-1f));
        p = p.mul(r.mul(r)).add(r).add(1f);                                // exp(r)
        // 2^n from the bits: t's low bits hold n + 0x400000 (t lies in [2^23, 2^24))
        IntVector k = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUNDER)).add(127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(k.reinterpretAsFloats());
    }

    /**
     * {@code log1p(e)} for {@code e} in [0, 1]: {@code 2 atanh(e / (2 + e))}, a series of positive terms (no
     * cancellation, relative accuracy also for tiny {@code e}). NaN gives NaN.
     */
    static FloatVector log1pUnit(FloatVector e) {
        return twoAtanh(e.div(e.add(2f)));
    }

    /**
     * {@code log(x)} for normal positive {@code x} (and {@code +Inf}, NaN as themselves): {@code x = m 2^n} with
     * {@code m} in [sqrt(1/2), sqrt(2)), {@code log x = n ln 2 + 2 atanh((m - 1) / (m + 1))}.
     */
    static FloatVector log(FloatVector x) {
        IntVector bits = x.reinterpretAsInts();
        IntVector exponent = bits.lanewise(VectorOperators.LSHR, 23).sub(127);
        FloatVector m = bits.and(0x007FFFFF).or(0x3F800000).reinterpretAsFloats();     // [1, 2)
        VectorMask<Float> high = m.compare(VectorOperators.GT, 1.41421356f);
        m = m.mul(FloatVector.broadcast(F, 1f).blend(0.5f, high));
        FloatVector n = ((FloatVector) exponent.convert(VectorOperators.I2F, 0)).add(FloatVector.zero(F).blend(1f, high));
        FloatVector series = twoAtanh(m.sub(1f).div(m.add(1f)));
        FloatVector result = n.fma(FloatVector.broadcast(F, LN2_LO), series);
        result = n.fma(FloatVector.broadcast(F, LN2_HI), result);
        return result.blend(x, x.test(VectorOperators.IS_FINITE).not());
    }

    /** {@code 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...)} for {@code |s| <= 1/3}, to {@code s^17}: error below 1e-9. */
    private static FloatVector twoAtanh(FloatVector s) {
        FloatVector z = s.mul(s);
        FloatVector p = FloatVector.broadcast(F, 1f / 17);
        p = p.fma(z, FloatVector.broadcast(F, 1f / 15));
        p = p.fma(z, FloatVector.broadcast(F, 1f / 13));
        p = p.fma(z, FloatVector.broadcast(F, 1f / 11));
        p = p.fma(z, FloatVector.broadcast(F, 1f / 9));
        p = p.fma(z, FloatVector.broadcast(F, 1f / 7));
        p = p.fma(z, FloatVector.broadcast(F, 1f / 5));
        p = p.fma(z, FloatVector.broadcast(F, 1f / 3));
        return p.mul(z).mul(s).add(s).mul(2f);
    }

    /**
     * Writes {@code radius cos(2 pi u)} into {@code out[cosAt..]} and {@code radius sin(2 pi u)} into
     * {@code out[sinAt..]}, for {@code u} in [0, 1): the quadrant from {@code 4u}, the angle in it shifted to
     * [-pi/4, pi/4) (Taylor series to the 9th and 10th powers, error below 1e-9), and rotated back by pi/4. (Written
     * straight into the array: vectors handed back through an array or a field would be allocated as objects.)
     */
    static void polarInto(FloatVector radius, FloatVector u, float[] out, int cosAt, int sinAt) {
        // the quadrant by comparisons and blends (JDK 17 has no compiled float-to-int vector conversion on x86: it
        // would allocate)
        FloatVector quarter = u.mul(4f);
        VectorMask<Float> q1 = quarter.compare(VectorOperators.GE, 1f);
        VectorMask<Float> q2 = quarter.compare(VectorOperators.GE, 2f);
        VectorMask<Float> q3 = quarter.compare(VectorOperators.GE, 3f);
        FloatVector floor = FloatVector.zero(F).blend(1f, q1).blend(2f, q2).blend(3f, q3);
        FloatVector b = quarter.sub(floor).sub(0.5f).mul(HALF_PI);
        FloatVector b2 = b.mul(b);
        FloatVector sinB = sinNearZero(b, b2);
        FloatVector cosB = cosNearZero(b2);
        // angle a = b + pi/4 in [0, pi/2): sin a = (sin b + cos b) / sqrt 2, cos a = (cos b - sin b) / sqrt 2
        FloatVector scale = radius.mul(SQRT_HALF);
        FloatVector sinA = sinB.add(cosB).mul(scale);
        FloatVector cosA = cosB.sub(sinB).mul(scale);
        // theta = q pi/2 + a: (sin, cos) = (sin a, cos a), (cos a, -sin a), (-sin a, -cos a), (-cos a, sin a)
        sinA.blend(cosA, q1).blend(sinA.neg(), q2).blend(cosA.neg(), q3).intoArray(out, sinAt);
        cosA.blend(sinA.neg(), q1).blend(cosA.neg(), q2).blend(sinA, q3).intoArray(out, cosAt);
    }

    /** {@code sin b} for {@code |b| <= pi/4} ({@code b2 = b^2}), Taylor to {@code b^9}. */
    private static FloatVector sinNearZero(FloatVector b, FloatVector b2) {
        FloatVector p = FloatVector.broadcast(F, 1f / 362880);
        p = p.fma(b2, FloatVector.broadcast(F, -1f / 5040));
        p = p.fma(b2, FloatVector.broadcast(F, 1f / 120));
        p = p.fma(b2, FloatVector.broadcast(F, -1f / 6));
        return p.mul(b2).mul(b).add(b);
    }

    /** {@code cos b} for {@code |b| <= pi/4} from {@code b2 = b^2}, Taylor to {@code b^10}. */
    private static FloatVector cosNearZero(FloatVector b2) {
        FloatVector p = FloatVector.broadcast(F, -1f / 3628800);
        p = p.fma(b2, FloatVector.broadcast(F, 1f / 40320));
        p = p.fma(b2, FloatVector.broadcast(F, -1f / 720));
        p = p.fma(b2, FloatVector.broadcast(F, 1f / 24));
        p = p.fma(b2, FloatVector.broadcast(F, -0.5f));
        return p.mul(b2).add(1f);
    }
}
