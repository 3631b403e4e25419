package io.github.dl4jbayes.hierarchical;

import io.github.dl4jbayes.internal.StableMath;

/**
 * A group's weights as its likelihood sees them, and the chain rule back. With {@code w_g = w_parent + tau delta_g},
 * {@code q(w_parent) = N(m, s^2)} and {@code q(delta_g) = N(mu, sd^2)}, each weight of group {@code g} is marginally
 *
 * <pre>
 *   N(m + tau mu,  s^2 + tau^2 sd^2)
 * </pre>
 *
 * so one ordinary Bayesian network carrying these effective means and standard deviations ({@code rho} of the
 * effective std) gives the group's likelihood and its gradient with respect to the effective parameters; the chain
 * rule here takes that gradient to {@code m}, {@code rho_s}, {@code mu}, {@code rho_sd} and {@code tau}. A group never
 * seen ({@code g = -1}) has {@code delta ~ N(0, 1)}: {@code N(m, s^2 + tau^2)}. Double arithmetic throughout, on
 * the whole parameter vector as laid out by {@link HierarchicalLayout}.
 */
final class GroupMarginal {
    private GroupMarginal() {
    }

    /** @return the marginal std of a group's weight: {@code sqrt(s^2 + tau^2 sd^2)} */
    static double std(double parentStd, double tau, double deviationStd) {
        return Math.sqrt(parentStd * parentStd + tau * tau * deviationStd * deviationStd);
    }

    /**
     * Writes group {@code g}'s effective parameters (for {@code g = -1} a new group's) in the architecture's layout:
     * the shared layers' parameters are the parent's.
     *
     * @param a   the whole parameter vector
     * @param out one copy of the architecture's parameters
     */
    static void forward(HierarchicalLayout layout, double[] a, int g, double[] out) {
        System.arraycopy(a, 0, out, 0, layout.paramCount);
        for (int l = 0; l < layout.blocks.size(); l++) {
            HierarchicalLayout.Block b = layout.blocks.get(l);
            double tau = StableMath.softplus(a[layout.tauOffset() + l]);
            for (int i = 0; i < b.size(); i++) {
                double mu = 0;
                double sd = 1;
                if (g >= 0) {
                    mu = a[layout.deltaOffset(g) + b.muOffset() + i];
                    sd = StableMath.softplus(a[layout.deltaOffset(g) + b.rhoOffset() + i]);
                }
                double s = StableMath.softplus(a[b.rhoOffset() + i]);
                out[b.muOffset() + i] = a[b.muOffset() + i] + tau * mu;
                out[b.rhoOffset() + i] = StableMath.inverseSoftplus(std(s, tau, sd));
            }
        }
    }

    /**
     * Adds {@code weight} times the gradient of group {@code g}'s data term to {@code grad}, from its gradient with
     * respect to the effective parameters.
     *
     * @param a         the whole parameter vector
     * @param effective the group's effective parameters ({@link #forward})
     * @param gradEff   the gradient of the group's data term with respect to {@code effective}
     * @param grad      the gradient of the whole parameter vector, added to
     */
    static void backward(HierarchicalLayout layout, double[] a, int g, double weight, double[] effective,
                         double[] gradEff, double[] grad) {
        for (int i = 0; i < layout.paramCount; i++) {
            if (!layout.isBayesian(i)) {
                grad[i] += weight * gradEff[i];                          // a shared layer's parameter
            }
        }
        int d = layout.deltaOffset(g);
        for (int l = 0; l < layout.blocks.size(); l++) {
            HierarchicalLayout.Block b = layout.blocks.get(l);
            double tau = StableMath.softplus(a[layout.tauOffset() + l]);
            double dTau = 0;
            for (int i = 0; i < b.size(); i++) {
                double gMu = weight * gradEff[b.muOffset() + i];
                double rhoEff = effective[b.rhoOffset() + i];
                double sigmaEff = StableMath.softplus(rhoEff);
                double gSigma = weight * gradEff[b.rhoOffset() + i] / StableMath.sigmoid(rhoEff);
                double rhoP = a[b.rhoOffset() + i];
                double sP = StableMath.softplus(rhoP);
                double muD = a[d + b.muOffset() + i];
                double rhoD = a[d + b.rhoOffset() + i];
                double sD = StableMath.softplus(rhoD);
                grad[b.muOffset() + i] += gMu;
                grad[b.rhoOffset() + i] += gSigma * sP / sigmaEff * StableMath.sigmoid(rhoP);
                grad[d + b.muOffset() + i] += tau * gMu;
                grad[d + b.rhoOffset() + i] += gSigma * tau * tau * sD / sigmaEff * StableMath.sigmoid(rhoD);
                dTau += gMu * muD + gSigma * tau * sD * sD / sigmaEff;
            }
            grad[layout.tauOffset() + l] += dTau * StableMath.sigmoid(a[layout.tauOffset() + l]);
        }
    }
}
