/**
 * User API: ADVI training of Bayesian networks ({@code Advi}), its ELBO history and listener, KL schedule and
 * early stopping.
 */
package io.github.dl4jbayes.training;
