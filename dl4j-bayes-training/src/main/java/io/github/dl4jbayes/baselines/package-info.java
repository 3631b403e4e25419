/**
 * The uncertainty methods a user compares the Bayesian layers with, behind the same
 * {@link io.github.dl4jbayes.predict.PredictiveModel} as the posterior predictive: {@link McDropout} (DL4J's own
 * dropout kept on at prediction), {@link DeepEnsemble} (independently trained plain networks) and
 * {@link LaplaceApproximation} (a Gaussian posterior of a trained network's last layer, with no retraining). Every
 * metric, evaluation, plot and the active-learning loop of the library accept each of them.
 */
package io.github.dl4jbayes.baselines;
