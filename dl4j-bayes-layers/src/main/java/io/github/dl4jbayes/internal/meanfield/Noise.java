package io.github.dl4jbayes.internal.meanfield;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

import java.util.random.RandomGenerator;

/**
 * Fills one buffer, again and again, with standard-normal noise or random signs that are a function of a layer's
 * own generator: from Java's sampler ({@link JavaNoise}) where the arrays live in host memory,
 * else from an ND4J generator that lives with the backend (on CUDA, on the GPU), reseeded from the layer's generator
 * at every fill, so that reseeding a layer repeats its noise on every backend (the two backends' values differ).
 */
public final class Noise {
    private final boolean host;
    private Object scratch;
    private Random deviceRandom;

    /** @param host whether the arrays live in host memory (Java's sampler), else ND4J's generator */
    public Noise(boolean host) {
        this.host = host;
    }

    /** @return whether this filler uses the Java sampler (else ND4J's generator) */
    public boolean onHost() {
        return host;
    }

    /** Fills {@code target}, a contiguous array, with independent N(0, 1) values drawn from {@code random}. */
    public void gaussian(INDArray target, RandomGenerator random) {
        if (host) {
            JavaNoise.fill(target, scratchFor(target), random);
        } else {
            Nd4j.getExecutioner().exec(new GaussianDistribution(target, 0.0, 1.0), reseeded(random));
        }
    }

    /** Fills {@code target}, a contiguous array, with independent random signs (+1 or -1 with probability 1/2). */
    public void signs(INDArray target, RandomGenerator random) {
        if (host) {
            JavaNoise.fillSigns(target, scratchFor(target), random);
        } else {
            Nd4j.getExecutioner().exec(new BernoulliDistribution(target, 0.5), reseeded(random));
            target.muli(2.0).subi(1.0);
        }
    }

    private Object scratchFor(INDArray target) {
        long n = target.length();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("A noise buffer of " + n + " values is too large");
        }
        boolean isDouble = target.dataType() == DataType.DOUBLE;
        if (scratch == null || JavaNoise.scratchLength(scratch) != n || (scratch instanceof double[]) != isDouble) {
            scratch = JavaNoise.scratchFor(target.dataType(), (int) n);
        }
        return scratch;
    }

    private Random reseeded(RandomGenerator random) {
        long seed = random.nextLong();
        if (deviceRandom == null) {
            deviceRandom = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        } else {
            deviceRandom.setSeed(seed);
        }
        return deviceRandom;
    }
}
