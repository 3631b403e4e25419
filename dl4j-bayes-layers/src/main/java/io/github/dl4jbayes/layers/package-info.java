/**
 * User API: Bayesian layer configurations for DL4J's {@code MultiLayerConfiguration} and {@code
 * ComputationGraphConfiguration} ({@code BayesianDenseLayer}, {@code BayesianOutputLayer}, {@code
 * BayesianConvolutionLayer}), the estimator and inference mode, and what works on a whole network: {@code
 * BayesianNetworks}, {@code Pruning}, {@code InformedPriors}.
 */
package io.github.dl4jbayes.layers;
