/**
 * User API: likelihoods as DL4J losses ({@code LossGaussianNll}, a Gaussian with a predicted noise scale).
 */
package io.github.dl4jbayes.likelihoods;
