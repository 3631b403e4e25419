/**
 * The layer implementations DL4J instantiates from the configurations in {@code io.github.dl4jbayes.layers}, and
 * what the configurations hand DL4J (parameter initializer, memory report). Use the configurations, {@code
 * BayesianLayer} and {@code BayesianNetworks} instead. No compatibility promise: public because the library's
 * packages use each other, not for users; anything here may change or go in any release.
 */
package io.github.dl4jbayes.layers.impl;
