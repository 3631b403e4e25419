package io.github.dl4jbayes.hierarchical;

import io.github.dl4jbayes.internal.StableMath;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.priors.KlEstimate;
import io.github.dl4jbayes.priors.KlTerm;
import io.github.dl4jbayes.priors.MeanFieldSample;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The KL terms of a {@link HierarchicalNetwork}, all through the priors' own code ({@link KlTerm}): the parent's KL to
 * its layers' priors (closed form or Monte Carlo, as each layer's configuration says), every group's
 * {@code KL(q(delta_g) || N(0, I))}, and each tau's half-normal hyperprior (its negative log density, up to the
 * constant that a point estimate's entropy would add). Holds the arrays the terms are computed in, allocated once
 * per Bayesian layer: a step computes {@code 1 + G} terms per layer.
 */
final class HierarchicalKl {
    /** The prior of every group's deviation {@code delta_g}: N(0, I), its KL in closed form. */
    private static final KlTerm DEVIATION_KL = KlTerm.of(GaussianPrior.standardNormal(), KlEstimate.ANALYTIC);

    private final HierarchicalLayout layout;
    /** The parent's KL term of each Bayesian layer, in layout order. */
    private final List<KlTerm> parentKl;
    /** The half-normal hyperprior's scale on each tau, 0 for none. */
    private final double tauHyperScale;
    private final double[] mu;
    private final double[] sigma;
    private final double[] eps;
    private final double[] gradMu;
    private final double[] gradSigma;

    HierarchicalKl(HierarchicalLayout layout, List<KlTerm> parentKl, double tauHyperScale) {
        this.layout = layout;
        this.parentKl = List.copyOf(parentKl);
        this.tauHyperScale = tauHyperScale;
        int max = layout.blocks.stream().mapToInt(HierarchicalLayout.Block::size).max().orElse(0);
        this.mu = new double[max];
        this.sigma = new double[max];
        this.eps = new double[max];
        this.gradMu = new double[max];
        this.gradSigma = new double[max];
    }

    /**
     * Adds {@code scale} times the gradient of the KL terms to {@code grad}.
     *
     * @param a     the whole parameter vector
     * @param noise the draws of Monte-Carlo KL estimates
     * @return the KL terms, unscaled
     */
    double addTo(double[] a, double[] grad, double scale, SplittableRandom noise) {
        double kl = 0;
        for (int l = 0; l < layout.blocks.size(); l++) {
            HierarchicalLayout.Block b = layout.blocks.get(l);
            kl += addBlock(parentKl.get(l), b, 0, a, grad, scale, noise);
            for (int g = 0; g < layout.groups; g++) {
                kl += addBlock(DEVIATION_KL, b, layout.deltaOffset(g), a, grad, scale, noise);
            }
            if (tauHyperScale > 0) {
                int t = layout.tauOffset() + l;
                double tau = StableMath.softplus(a[t]);
                double h = tauHyperScale;
                kl += 0.5 * tau * tau / (h * h) + Math.log(h) - 0.5 * Math.log(2 / Math.PI);
                grad[t] += scale * tau / (h * h) * StableMath.sigmoid(a[t]);
            }
        }
        return kl;
    }

    /**
     * One block of mean-field parameters (the parent's, or a group's deviation of it, at {@code offset}): its KL term,
     * and {@code scale} times its gradient added to {@code grad} by the chain rule through {@code sigma = softplus(rho)}.
     */
    private double addBlock(KlTerm term, HierarchicalLayout.Block b, int offset, double[] a, double[] grad,
                            double scale, SplittableRandom noise) {
        int n = b.size();
        for (int i = 0; i < n; i++) {
            mu[i] = a[offset + b.muOffset() + i];
            sigma[i] = StableMath.softplus(a[offset + b.rhoOffset() + i]);
            eps[i] = term.isMonteCarlo() ? noise.nextGaussian() : 0;
        }
        MeanFieldSample q = new MeanFieldSample(b.structure(), mu, sigma, eps, null, n);
        double kl = term.klDivergence(q);
        Arrays.fill(gradMu, 0, n, 0.0);
        Arrays.fill(gradSigma, 0, n, 0.0);
        term.addKlGradient(q, scale, gradMu, gradSigma);
        for (int i = 0; i < n; i++) {
            grad[offset + b.muOffset() + i] += gradMu[i];
            grad[offset + b.rhoOffset() + i] += gradSigma[i] * StableMath.sigmoid(a[offset + b.rhoOffset() + i]);
        }
        return kl;
    }
}
