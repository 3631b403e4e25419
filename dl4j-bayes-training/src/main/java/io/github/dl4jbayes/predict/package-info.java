/**
 * User API: the posterior predictive ({@code PosteriorPredictive}, {@code PredictiveSamples}), weight draws and
 * their summaries, uncertainty decompositions.
 */
package io.github.dl4jbayes.predict;
