/**
 * User API: the priors of Bayesian layers ({@code GaussianPrior}, {@code ScaleMixturePrior}, {@code LaplacePrior},
 * {@code LearnedScalePrior}) and the KL term; {@code Prior} to write your own.
 */
package io.github.dl4jbayes.priors;
